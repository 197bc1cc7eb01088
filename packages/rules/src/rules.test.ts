import {
  type Actor,
  type Command,
  ConfigError,
  createHelpdesk,
  type Extension,
  type ExtensionContext,
  type Helpdesk,
  inMemoryStore,
  type StoredEvent,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';
import {
  classics,
  defineRules,
  expandCanned,
  explain,
  type Notification,
  type RulesDefinition,
  rules,
} from './index';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io', name: 'Ann' };
const agent: Actor = { kind: 'agent', id: 'a1', teams: ['support'] };

function desk(definition: RulesDefinition, extra: { deliver?: (n: Notification) => void } = {}) {
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const store = inMemoryStore();
  // Mail is filed by a channel through its extension context, as the email channel does: only
  // such trusted commands may carry `automatic` and `email`.
  let channel: ExtensionContext | undefined;
  const mailbox: Extension = {
    name: 'mailbox',
    init(ctx) {
      channel = ctx;
    },
  };
  const d = createHelpdesk({
    store,
    clock: { now: () => new Date(now) },
    extensions: [
      mailbox,
      rules(defineRules(definition), { ...(extra.deliver ? { deliver: extra.deliver } : {}) }),
    ],
  });
  return {
    desk: d,
    store,
    file: (command: Command, actor: Actor) => channel!.execute(command, { actor }),
    advance: (hours: number) => (now += hours * 3_600_000),
    at: () => new Date(now),
  };
}

const open = (subject = 'Printer on fire', extra: Record<string, unknown> = {}) =>
  ({
    type: 'openTicket',
    channel: 'email',
    requester: { id: 'c1', email: 'ann@acme.io', name: 'Ann' },
    subject,
    body: 'Help!',
    ...extra,
  }) as const;

async function log(d: Helpdesk, id: string): Promise<StoredEvent[]> {
  return (await d.history(id, { actor: { kind: 'admin', id: 'admin' } })).events;
}

describe('defineRules', () => {
  it('reports every problem with its path, and nothing reaches evaluation', () => {
    try {
      defineRules({
        knownStatuses: ['new', 'open', 'solved', 'closed'],
        teams: { support: { members: [{ id: 'a1' }] } },
        templates: { ok: 'Hi {{ ticket.requester.name }}', broken: 'Hi {{ ticket.requester.name ' },
        triggers: [
          {
            id: 't1',
            on: ['TicketOpend' as never],
            when: { field: 'colour', op: 'is', value: 'red' },
            then: [{ type: 'setStatus', status: 'archived' }],
          },
          {
            id: 't1',
            when: { field: 'subject', op: 'matches', value: '(a+)+$' },
            then: [{ type: 'explode' } as never],
          },
          {
            id: 't3',
            then: [
              { type: 'assign', team: 'nope' },
              { type: 'reply', template: 'missing' },
              { type: 'setPriority', priority: 'asap' as never },
            ],
          },
        ],
        automations: [
          {
            id: 'a1',
            when: { field: 'status', op: 'is', value: 'open' },
            then: [{ type: 'note', template: 'ok' }],
          },
        ],
      });
      throw new Error('expected ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.path)).toEqual([
        'templates.broken',
        'triggers[0].when.field',
        'triggers[0].on[0]',
        'triggers[0].then[0].status',
        'triggers[1].id',
        'triggers[1].when.value',
        'triggers[1].then[0].type',
        'triggers[2].then[0].team',
        'triggers[2].then[1].template',
        'triggers[2].then[2].priority',
        'automations[0].when',
      ]);
    }
  });

  it('warns about rules that would undo each other', () => {
    const defined = defineRules({
      triggers: [
        {
          id: 'to-pending',
          when: { field: 'status', op: 'is', value: 'open' },
          then: [{ type: 'setStatus', status: 'pending' }],
        },
        {
          id: 'back-to-open',
          when: {
            all: [
              { field: 'status', op: 'is', value: 'pending' },
              { field: 'tags', op: 'contains', value: 'reopen' },
            ],
          },
          then: [{ type: 'setStatus', status: 'open' }],
        },
        {
          id: 'vip',
          when: { field: 'tags', op: 'contains', value: 'vip' },
          then: [{ type: 'setPriority', priority: 'high' }],
        },
        {
          id: 'low-for-bulk',
          when: { field: 'channel', op: 'is', value: 'api' },
          then: [{ type: 'setPriority', priority: 'low' }],
        },
        {
          id: 'only-email',
          when: { field: 'channel', op: 'is', value: 'email' },
          then: [{ type: 'setPriority', priority: 'normal' }],
        },
      ],
    });
    const pairs = defined.warnings.map((w) => w.message);
    expect(pairs.some((m) => m.startsWith('to-pending sets status to "pending" and back-to-open'))).toBe(
      true,
    );
    expect(pairs.some((m) => m.includes('vip') && m.includes('low-for-bulk'))).toBe(true);
    // api and email channels exclude each other: no warning for that pair
    expect(pairs.some((m) => m.includes('low-for-bulk') && m.includes('only-email'))).toBe(false);
  });
});

describe('triggers', () => {
  it('run after a command, in order, each seeing the changes of those before it, as automation with ruleId and causation', async () => {
    const { desk: d } = desk({
      triggers: [
        {
          id: 'outage',
          on: ['TicketOpened'],
          when: { field: 'subject', op: 'contains', value: 'fire' },
          then: [
            { type: 'setPriority', priority: 'urgent' },
            { type: 'addTags', tags: ['incident'] },
          ],
        },
        {
          id: 'urgent-to-ops',
          when: {
            all: [
              { field: 'priority', op: 'is', value: 'urgent' },
              { field: 'team', op: 'absent' },
            ],
          },
          then: [{ type: 'assign', team: 'ops' }],
        },
        {
          id: 'never',
          when: { field: 'priority', op: 'is', value: 'low' },
          then: [{ type: 'addTags', tags: ['low'] }],
        },
      ],
    });
    const r = await d.execute(open(), { actor: customer });
    expect(r.ticket).toMatchObject({ priority: 'urgent', tags: ['incident'], team: 'ops' });
    // The customer is handed a customer's view; the bookkeeping is in the log.
    const rulesEvents = (await log(d, r.ticket.id)).filter((e) => e.ruleId);
    expect(rulesEvents.map((e) => [e.type, e.ruleId, e.actor.kind])).toEqual([
      ['PriorityChanged', 'outage', 'automation'],
      ['TagsChanged', 'outage', 'automation'],
      ['Assigned', 'urgent-to-ops', 'automation'],
    ]);
    expect(rulesEvents[0]!.causationId).toBe(r.events.at(-1)!.eventId);
    expect(r.allEvents.some((e) => e.ruleId !== undefined)).toBe(false);
  });

  it('each fires at most once per originating command, so cascades end', async () => {
    const { desk: d } = desk({
      triggers: [
        { id: 'tag-a', then: [{ type: 'addTags', tags: ['a'] }] },
        {
          id: 'tag-b',
          when: { field: 'tags', op: 'contains', value: 'a' },
          then: [{ type: 'addTags', tags: ['b'] }],
        },
        {
          id: 'untag-a',
          when: { field: 'tags', op: 'contains', value: 'b' },
          then: [{ type: 'removeTags', tags: ['a'] }],
        },
      ],
    });
    const r = await d.execute(open(), { actor: customer });
    expect(r.ticket.tags).toEqual(['b']);
    const tagEvents = (await log(d, r.ticket.id)).filter((e) => e.type === 'TagsChanged');
    expect(tagEvents.map((e) => e.ruleId)).toEqual(['tag-a', 'tag-b', 'untag-a']);
  });

  it('change ops and event conditions: set waiting-on-customer when an agent replies', async () => {
    const { desk: d } = desk({
      triggers: [
        {
          id: 'agent-replied',
          on: ['MessagePosted'],
          when: {
            all: [
              { field: 'event.actor.kind', op: 'is', value: 'agent' },
              { field: 'event.visibility', op: 'is', value: 'public' },
            ],
          },
          then: [{ type: 'setStatus', status: 'pending' }],
        },
        {
          id: 'reopened',
          when: { field: 'status', op: 'changedFrom', value: 'pending' },
          then: [{ type: 'addTags', tags: ['customer-came-back'] }],
        },
      ],
    });
    const { ticket } = await d.execute(open(), { actor: customer });
    const replied = await d.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'Try turning it off', visibility: 'public' },
      { actor: agent },
    );
    expect(replied.ticket.status).toBe('pending');
    const noted = await d.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'internal', visibility: 'internal' },
      { actor: agent },
    );
    expect(noted.ticket.status).toBe('pending');
    const back = await d.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'Still burning', visibility: 'public' },
      { actor: customer },
    );
    expect(back.ticket).toMatchObject({ status: 'open', tags: ['customer-came-back'] });
  });

  it('reply, note and notify render Liquid templates; never answer an automatic message', async () => {
    const sent: Notification[] = [];
    const { desk: d, file } = desk(
      {
        templates: {
          ack: 'Hi {{ requester.name }}, we got request #{{ ticket.number }}: "{{ ticket.subject }}".',
          heads: 'New ticket from {{ requester.email }}',
        },
        triggers: [
          {
            id: 'ack',
            on: ['TicketOpened'],
            then: [
              { type: 'reply', template: 'ack' },
              { type: 'notify', to: 'address', address: 'lead@desk.io', template: 'heads' },
            ],
          },
          {
            id: 'ack-replies',
            on: ['MessagePosted'],
            when: {
              all: [
                { field: 'event.actor.kind', op: 'is', value: 'customer' },
                { field: 'tags', op: 'contains', value: 'follow-up' },
              ],
            },
            then: [{ type: 'reply', template: 'ack' }],
          },
        ],
      },
      { deliver: (n) => void sent.push(n) },
    );
    const r = await d.execute(open(), { actor: customer });
    const bodies = (await d.get(r.ticket.id, { actor: agent })).messages.map((m) => [
      m.visibility,
      m.author.kind,
      m.body,
    ]);
    expect(bodies).toEqual([
      ['public', 'customer', 'Help!'],
      ['public', 'automation', 'Hi Ann, we got request #1: "Printer on fire".'],
      ['internal', 'automation', 'Notified address (lead@desk.io): New ticket from ann@acme.io'],
    ]);
    expect(sent).toEqual([
      {
        ruleId: 'ack',
        ticketId: r.ticket.id,
        to: 'address',
        recipients: ['lead@desk.io'],
        text: 'New ticket from ann@acme.io',
      },
    ]);
    await d.execute({ type: 'tag', ticketId: r.ticket.id, tags: ['follow-up'] }, { actor: agent });
    // An out-of-office from the customer (classified by the email channel) gets no acknowledgement.
    await file(
      {
        type: 'postMessage',
        ticketId: r.ticket.id,
        body: 'I am out of office',
        visibility: 'public',
        automatic: true,
        email: { messageId: '<ooo@x>', classification: 'auto-reply' },
      },
      customer,
    );
    const count = async () => (await d.get(r.ticket.id, { actor: agent })).messages.length;
    expect(await count()).toBe(4);
    await d.execute(
      { type: 'postMessage', ticketId: r.ticket.id, body: 'Any news?', visibility: 'public' },
      { actor: customer },
    );
    expect(await count()).toBe(6);
  });

  it('assign by round-robin and by balanced load, skipping unavailable members; records the strategy', async () => {
    const teams = { support: { members: [{ id: 'a1' }, { id: 'a2', available: false }, { id: 'a3' }] } };
    const rr = desk({
      teams,
      triggers: [
        {
          id: 'rr',
          on: ['TicketOpened'],
          then: [{ type: 'assign', team: 'support', strategy: 'round-robin' }],
        },
      ],
    });
    const picks: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++)
      picks.push((await rr.desk.execute(open(`t${i}`), { actor: customer })).ticket.assignee);
    expect(picks).toEqual(['a1', 'a3', 'a1', 'a3']);
    const assigned = (
      await log(rr.desk, (await rr.desk.execute(open(), { actor: customer })).ticket.id)
    ).find((e) => e.type === 'Assigned');
    expect(assigned?.data).toMatchObject({ team: 'support', strategy: 'round-robin' });

    const bal = desk({
      teams,
      triggers: [
        {
          id: 'bal',
          on: ['TicketOpened'],
          then: [{ type: 'assign', team: 'support', strategy: 'balanced' }],
        },
      ],
    });
    const first = await bal.desk.execute(open('one'), { actor: customer });
    await bal.desk.execute({ type: 'assign', ticketId: first.ticket.id, assignee: 'a1' }, { actor: agent });
    const extra = await bal.desk.execute(open('two'), { actor: customer });
    expect(first.ticket.assignee).toBe('a1');
    expect(extra.ticket.assignee).toBe('a3');
  });
});

describe('automations', () => {
  it('auto-close fires once when due; due is computed, not polled; a late or repeated tick never fires twice', async () => {
    const { desk: d, store, advance } = desk({ automations: [classics.autoCloseSolved({ days: 4 })] });
    const { ticket } = await d.execute(open(), { actor: customer });
    await d.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
    expect((await store.index.get(ticket.id))?.dueAt).toBe('2026-03-06T09:00:00.000Z');
    advance(95);
    expect((await d.tick()).commands).toBe(0);
    advance(30);
    await d.tick();
    await d.tick();
    const events = await log(d, ticket.id);
    expect(events.filter((e) => e.ruleId === 'auto-close-solved').map((e) => e.type)).toEqual([
      'StatusChanged',
    ]);
    expect((await d.get(ticket.id, { actor: agent })).status).toBe('closed');
  });

  it('a reminder fires once per true period and again only after the condition was false', async () => {
    const { desk: d, advance } = desk({
      templates: { nudge: 'Waiting on the customer for a day.' },
      automations: [classics.pendingReminder({ hours: 24, note: 'nudge' })],
    });
    const { ticket } = await d.execute(open(), { actor: customer });
    await d.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    advance(25);
    await d.tick();
    advance(25);
    await d.tick();
    const notes = async () =>
      (await d.get(ticket.id, { actor: agent })).messages.filter((m) => m.body.startsWith('Waiting')).length;
    expect(await notes()).toBe(1);
    await d.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'Back!', visibility: 'public' },
      { actor: customer },
    );
    await d.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    advance(25);
    await d.tick();
    expect(await notes()).toBe(2);
  });

  it('business hours: hoursSince counts a calendar’s working time', async () => {
    const nineToFive = {
      workingTimeBetween: (a: Date, b: Date) => {
        let ms = 0;
        for (let t = a.getTime(); t < b.getTime(); t += 60_000) {
          const h = new Date(t).getUTCHours();
          if (h >= 9 && h < 17) ms += 60_000;
        }
        return ms;
      },
      addWorkingTime: (start: Date, ms: number) => {
        let t = start.getTime();
        let left = ms;
        while (left > 0) {
          const h = new Date(t).getUTCHours();
          if (h >= 9 && h < 17) left -= 60_000;
          t += 60_000;
        }
        return new Date(t);
      },
    };
    const {
      desk: d,
      store,
      advance,
    } = desk({
      calendars: { office: nineToFive },
      automations: [
        {
          id: 'stale',
          when: {
            all: [
              { field: 'category', op: 'in', value: ['new', 'open'] },
              { hoursSince: 'created', gte: 10, calendar: 'office' },
            ],
          },
          then: [{ type: 'addTags', tags: ['stale'] }],
        },
      ],
    });
    const { ticket } = await d.execute(open(), { actor: customer });
    // 10 working hours from Monday 09:00 is Tuesday 11:00.
    expect((await store.index.get(ticket.id))?.dueAt).toBe('2026-03-03T11:00:00.000Z');
    advance(20);
    await d.tick();
    expect((await d.get(ticket.id, { actor: agent })).tags).toEqual([]);
    advance(6);
    await d.tick();
    expect((await d.get(ticket.id, { actor: agent })).tags).toEqual(['stale']);
  });
});

describe('explain and canned responses', () => {
  it('says which condition decided each rule', async () => {
    const defined = defineRules({
      triggers: [
        {
          id: 'outage',
          on: ['TicketOpened'],
          when: {
            all: [
              { field: 'subject', op: 'contains', value: 'outage' },
              { field: 'priority', op: 'isNot', value: 'low' },
            ],
          },
          then: [{ type: 'setPriority', priority: 'urgent' }],
        },
        {
          id: 'vip',
          when: {
            any: [
              { field: 'tags', op: 'contains', value: 'vip' },
              { field: 'organization', op: 'is', value: 'acme' },
            ],
          },
          then: [{ type: 'addTags', tags: ['priority-customer'] }],
        },
      ],
      automations: [classics.autoCloseSolved({ days: 4 })],
      templates: { ack: 'Hi {{ requester.name }}, about #{{ ticket.number }}.' },
    });
    const { desk: d } = desk({});
    const r = await d.execute(open('Printer outage'), { actor: customer });
    const verdicts = explain(defined, r.ticket, r.events[0], new Date('2026-03-02T10:00:00Z'));
    expect(verdicts).toEqual([
      {
        ruleId: 'outage',
        kind: 'trigger',
        matched: true,
        because: 'all of: subject contains "outage"; priority isNot "low"',
      },
      {
        ruleId: 'vip',
        kind: 'trigger',
        matched: false,
        because: 'none of: tags contains "vip"; organization is "acme"',
      },
      {
        ruleId: 'auto-close-solved',
        kind: 'automation',
        matched: false,
        because: 'category is "solved" does not hold (it is "new")',
      },
    ]);
    expect(expandCanned(defined, 'ack', r.ticket)).toBe('Hi Ann, about #1.');
  });
});
