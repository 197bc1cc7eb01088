import { type Actor, createHelpdesk, defineWorkflow, type Extension, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { classics, defineRules, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const system: Actor = { kind: 'system', id: 'sla' };
const open = {
  type: 'openTicket',
  channel: 'api',
  requester: { id: 'c1' },
  subject: 's',
  body: 'b',
} as const;

type RecordSla = {
  type: 'recordSla';
  ticketId: string;
  kind: string;
  metric: string;
  policyId: string;
  deadline: string;
};
/**
 * The SLA extension's events and its recordSla command, in brief (rules must not depend on
 * @tessera/sla): what rules read of SLA is these events.
 */
const slaEvents: Extension = {
  name: 'sla-events',
  events: ['SlaWarning', 'SlaBreached'],
  commands: {
    recordSla: {
      validate: (input) => input as RecordSla,
      decide: (_ticket, _state, command) => {
        const { kind, metric, policyId, deadline } = command as RecordSla;
        return [
          { type: kind === 'breach' ? 'SlaBreached' : 'SlaWarning', data: { metric, policyId, deadline } },
        ];
      },
    },
  },
};

describe('classics', () => {
  it('escalateOnBreach: given an SLA breach, then urgent, tagged escalated, and handed to the team', async () => {
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
      extensions: [
        rules(defineRules({ triggers: [classics.escalateOnBreach({ team: 'tier-2' })] })),
        slaEvents,
      ],
    });
    const { ticket } = await desk.execute(open, { actor: customer });
    const r = await desk.execute(
      {
        type: 'recordSla',
        ticketId: ticket.id,
        kind: 'breach',
        metric: 'firstReply',
        policyId: 'p1',
        deadline: '2026-03-02T09:00:00Z',
      },
      { actor: system },
    );
    expect(r.ticket).toMatchObject({ priority: 'urgent', tags: ['escalated'], team: 'tier-2' });
    expect(r.allEvents.filter((e) => e.ruleId === 'escalate-on-breach').map((e) => e.type)).toEqual([
      'PriorityChanged',
      'TagsChanged',
      'Assigned',
    ]);
  });

  it('escalateOnBreach: a warning is not a breach', async () => {
    const desk = createHelpdesk({
      store: inMemoryStore(),
      extensions: [rules(defineRules({ triggers: [classics.escalateOnBreach()] })), slaEvents],
    });
    const { ticket } = await desk.execute(open, { actor: customer });
    const r = await desk.execute(
      {
        type: 'recordSla',
        ticketId: ticket.id,
        kind: 'warning',
        metric: 'firstReply',
        policyId: 'p1',
        deadline: '2026-03-02T09:00:00Z',
      },
      { actor: system },
    );
    expect(r.ticket.priority).toBe('normal');
  });

  it('autoCloseSolved: only from the chosen statuses, after N days in solved', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const workflow = defineWorkflow({
      id: 'confirm',
      statuses: [
        { id: 'new', category: 'new' },
        { id: 'open', category: 'open' },
        { id: 'solved', category: 'solved' },
        { id: 'awaiting-confirmation', category: 'solved' },
        { id: 'closed', category: 'closed' },
      ],
    });
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      workflows: [workflow],
      extensions: [
        rules(
          defineRules({
            workflows: [workflow],
            automations: [classics.autoCloseSolved({ days: 2, statuses: ['solved'] })],
          }),
        ),
      ],
    });
    const a = (await desk.execute(open, { actor: customer })).ticket;
    const b = (await desk.execute(open, { actor: customer })).ticket;
    await desk.execute({ type: 'changeStatus', ticketId: a.id, status: 'solved' }, { actor: agent });
    await desk.execute(
      { type: 'changeStatus', ticketId: b.id, status: 'awaiting-confirmation' },
      { actor: agent },
    );
    now += 47 * 3_600_000;
    await desk.tick();
    expect((await desk.get(a.id, { actor: agent })).status).toBe('solved');
    now += 2 * 3_600_000;
    await desk.tick();
    expect((await desk.get(a.id, { actor: agent })).status).toBe('closed');
    expect((await desk.get(b.id, { actor: agent })).status).toBe('awaiting-confirmation');
    // The log says an automation closed it, and which rule: not a person's 'manual' change.
    const { events } = await desk.history(a.id, { actor: agent });
    const changes = events.filter((e) => e.type === 'StatusChanged');
    expect(changes.map((e) => [e.data.reason, e.actor.kind, e.ruleId])).toEqual([
      ['manual', 'agent', undefined],
      ['automation', 'automation', 'auto-close-solved'],
    ]);
  });

  it('pendingReminder: a note, and a reply to the customer when a template is given', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      extensions: [
        rules(
          defineRules({
            templates: { nudge: 'Still waiting on {{ requester.id }}.', ask: 'Did that help?' },
            automations: [classics.pendingReminder({ hours: 48, note: 'nudge', reply: 'ask' })],
          }),
        ),
      ],
    });
    const { ticket } = await desk.execute(open, { actor: customer });
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    now += 49 * 3_600_000;
    await desk.tick();
    const t = await desk.get(ticket.id, { actor: agent });
    expect(t.messages.slice(1).map((m) => [m.visibility, m.body])).toEqual([
      ['internal', 'Still waiting on c1.'],
      ['public', 'Did that help?'],
    ]);
    // The automation's own public reply does not take the ticket out of pending.
    expect(t.status).toBe('pending');
  });
});

describe('classics, used twice', () => {
  it('take their own ids, so one rule set can hold two', () => {
    const defined = defineRules({
      automations: [
        classics.autoCloseSolved({ days: 4 }),
        classics.autoCloseSolved({ days: 14, statuses: ['solved'], id: 'auto-close-slow' }),
      ],
    });
    expect(defined.automations.map((a) => a.id)).toEqual(['auto-close-solved', 'auto-close-slow']);
  });
});

describe('conditions on sla.*', () => {
  // Rules keep their own view of the SLA events, so it is right whichever extension folds first.
  it.each([
    ['rules first', 'rules-first'],
    ['the SLA extension first', 'sla-first'],
  ])(
    'given SLA records on the ticket (%s), then sla.breached, sla.atRisk and sla.policyId read them',
    async (_, order) => {
      const rulesExtension = rules(
        defineRules({
          triggers: [
            {
              id: 'at-risk',
              when: {
                all: [
                  { field: 'sla.atRisk', op: 'is', value: true },
                  { field: 'sla.policyId', op: 'is', value: 'gold' },
                ],
              },
              then: [{ type: 'addTags', tags: ['at-risk'] }],
            },
            {
              id: 'breached',
              when: { field: 'sla.breached', op: 'changedTo', value: true },
              then: [{ type: 'setPriority', priority: 'urgent' }],
            },
          ],
          automations: [
            {
              id: 'breached-for-an-hour',
              when: {
                all: [
                  { field: 'sla.breached', op: 'is', value: true },
                  { hoursSince: 'updated', gte: 1 },
                ],
              },
              then: [{ type: 'addTags', tags: ['still-breached'] }],
            },
          ],
        }),
      );
      let now = Date.parse('2026-03-02T09:00:00Z');
      const desk = createHelpdesk({
        store: inMemoryStore(),
        clock: { now: () => new Date(now) },
        extensions: order === 'rules-first' ? [rulesExtension, slaEvents] : [slaEvents, rulesExtension],
      });
      const { ticket } = await desk.execute(open, { actor: customer });
      const record = (kind: 'warning' | 'breach') =>
        desk.execute(
          {
            type: 'recordSla',
            ticketId: ticket.id,
            kind,
            metric: 'firstReply',
            policyId: 'gold',
            deadline: '2026-03-02T10:00:00Z',
          },
          { actor: system },
        );
      const warned = await record('warning');
      expect(warned.ticket).toMatchObject({ tags: ['at-risk'], priority: 'normal' });
      const breached = await record('breach');
      expect(breached.ticket.priority).toBe('urgent');
      now += 2 * 3_600_000;
      await desk.tick();
      const later = await desk.get(ticket.id, { actor: agent });
      expect(later.tags).toEqual(['at-risk', 'still-breached']);
      // Its episode, named in the firing's key, is the first true period: the breach was seen at once.
      const { events } = await desk.history(ticket.id, { actor: agent });
      const firing = events.filter((e) => e.ruleId === 'breached-for-an-hour');
      expect(firing.map((e) => e.idempotencyKey)).toEqual([
        `rules:breached-for-an-hour:${ticket.id}@2026-03-02T10:00:00.000Z/1#0`,
      ]);
    },
  );
});
