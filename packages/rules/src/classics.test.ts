import { type Actor, createHelpdesk, defineWorkflow, inMemoryStore } from '@tessera/core';
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

describe('classics', () => {
  it('escalateOnBreach: given an SLA breach, then urgent, tagged escalated, and handed to the team', async () => {
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
      extensions: [rules(defineRules({ triggers: [classics.escalateOnBreach({ team: 'tier-2' })] }))],
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
      extensions: [rules(defineRules({ triggers: [classics.escalateOnBreach()] }))],
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
  it('given SLA records on the ticket, then sla.breached, sla.atRisk and sla.policyId read them', async () => {
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
      extensions: [
        rules(
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
          }),
        ),
      ],
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
  });
});
