import { type Actor, createHelpdesk, type Helpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type Notification, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io' };
const agent: Actor = { kind: 'agent', id: 'a1' };

describe('notify, given a deliver hook', () => {
  it('when a trigger or an automation notifies, then delivery happens once, after the note is in the log', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const seen: { n: Notification; noted: boolean }[] = [];
    let desk: Helpdesk;
    const deliver = async (n: Notification) => {
      const { events } = await desk.history(n.ticketId, { actor: { kind: 'admin', id: 'admin' } });
      const noted = events.some(
        (e) => e.type === 'MessagePosted' && e.ruleId === n.ruleId && e.data.body.endsWith(n.text),
      );
      seen.push({ n, noted });
    };
    desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      extensions: [
        rules(
          defineRules({
            templates: {
              opened: 'Opened: {{ ticket.subject }}',
              stale: 'Still pending: {{ ticket.subject }}',
            },
            triggers: [
              {
                id: 'heads-up',
                on: ['TicketOpened'],
                then: [{ type: 'notify', to: 'requester', template: 'opened' }],
              },
            ],
            automations: [
              {
                id: 'stale',
                when: {
                  all: [
                    { field: 'category', op: 'is', value: 'pending' },
                    { hoursSince: 'statusChanged', gte: 24 },
                  ],
                },
                then: [{ type: 'notify', to: 'address', address: 'lead@desk.io', template: 'stale' }],
              },
            ],
          }),
          { deliver },
        ),
      ],
    });
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'email',
        requester: { id: 'c1', email: 'ann@acme.io' },
        subject: 'Printer',
        body: 'b',
      },
      { actor: customer },
    );
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    now += 25 * 3_600_000;
    await desk.tick();
    await desk.tick();
    expect(seen).toEqual([
      {
        n: {
          ruleId: 'heads-up',
          ticketId: ticket.id,
          to: 'requester',
          recipients: ['ann@acme.io'],
          text: 'Opened: Printer',
        },
        noted: true,
      },
      {
        n: {
          ruleId: 'stale',
          ticketId: ticket.id,
          to: 'address',
          recipients: ['lead@desk.io'],
          text: 'Still pending: Printer',
        },
        noted: true,
      },
    ]);
  });

  it('when the hook throws, then the command that triggered the rule still succeeds, the rule’s other actions run, and onError hears of it', async () => {
    const errors: [string, string][] = [];
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
      extensions: [
        rules(
          defineRules({
            templates: { opened: 'Opened: {{ ticket.subject }}' },
            triggers: [
              {
                id: 'heads-up',
                on: ['TicketOpened'],
                then: [
                  { type: 'notify', to: 'address', address: 'lead@desk.io', template: 'opened' },
                  { type: 'addTags', tags: ['announced'] },
                ],
              },
            ],
          }),
          {
            deliver: () => {
              throw new Error('chat webhook is down');
            },
            onError: (error, ruleId) => void errors.push([ruleId, (error as Error).message]),
          },
        ),
      ],
    });
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'portal',
        requester: { id: 'c1', email: 'ann@acme.io' },
        subject: 'Printer',
        body: 'b',
      },
      { actor: customer },
    );
    expect(errors).toEqual([['heads-up', 'chat webhook is down']]);
    const now = await desk.get(ticket.id, { actor: agent });
    expect(now.tags).toContain('announced');
    // The note records the notification, with what the email channel needs to mail it.
    expect(now.messages.at(-1)).toMatchObject({
      visibility: 'internal',
      notify: { to: ['lead@desk.io'], text: 'Opened: Printer' },
    });
  });
});

describe('notify, given two desks on one store', () => {
  it('when both tick the same firing, then only the one whose append it was delivers', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const store = inMemoryStore();
    const delivered: string[] = [];
    const deskOf = (name: string) =>
      createHelpdesk({
        store,
        clock: { now: () => new Date(now) },
        extensions: [
          rules(
            defineRules({
              templates: { stale: 'Still pending' },
              automations: [
                {
                  id: 'stale',
                  when: {
                    all: [
                      { field: 'category', op: 'is', value: 'pending' },
                      { hoursSince: 'statusChanged', gte: 24 },
                    ],
                  },
                  then: [{ type: 'notify', to: 'address', address: 'lead@desk.io', template: 'stale' }],
                },
              ],
            }),
            { deliver: async (n) => void delivered.push(`${name}:${n.ticketId}`) },
          ),
        ],
      });
    const [a, b] = [deskOf('a'), deskOf('b')];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { ticket } = await a.execute(
        { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: `s${i}`, body: 'b' },
        { actor: customer },
      );
      await a.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
      ids.push(ticket.id);
    }
    now += 25 * 3_600_000;
    // b has already seen every ticket, so both decide on the same versions at once.
    for (const id of ids) await b.get(id, { actor: agent });
    await Promise.all([a.tick(), b.tick()]);
    for (const id of ids) {
      const { events } = await a.history(id, { actor: { kind: 'admin', id: 'admin' } });
      expect(events.filter((e) => e.type === 'MessagePosted' && e.ruleId === 'stale')).toHaveLength(1);
      expect(delivered.filter((d) => d.endsWith(`:${id}`))).toHaveLength(1);
    }
  });
});
