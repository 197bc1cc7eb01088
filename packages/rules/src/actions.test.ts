import { type Actor, createHelpdesk, inMemoryStore, type Ticket } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { type Action, defineRules, type Notification, rules } from './index';

// Given an open ticket, when an agent tags it `go`, then a trigger runs one action: what the ticket
// shows afterwards, and which event the action recorded (as `automation`, with the rule's id).

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io', name: 'Ann' };
const agent: Actor = { kind: 'agent', id: 'a1', teams: ['support'] };

const templates = {
  thanks: 'Thanks {{ requester.name }}, #{{ ticket.number }} is {{ ticket.status }}.',
  fyi: 'FYI: {{ ticket.subject }} ({{ ticket.priority }})',
};
const teams = {
  support: {
    members: [
      { id: 'a1', email: 'a1@desk.io' },
      { id: 'a2', email: 'a2@desk.io' },
    ],
  },
};

async function run(action: Action, setup: { assignee?: string; team?: string; follower?: boolean } = {}) {
  const sent: Notification[] = [];
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date('2026-03-02T09:00:00.000Z') },
    extensions: [
      rules(
        defineRules({
          templates,
          teams,
          triggers: [
            {
              id: 'act',
              on: ['TagsChanged'],
              when: { field: 'tags', op: 'changed' },
              then: [action],
            },
          ],
        }),
        { deliver: (n) => void sent.push(n) },
      ),
    ],
  });
  const { ticket } = await desk.execute(
    {
      type: 'openTicket',
      channel: 'email',
      requester: { id: 'c1', email: 'ann@acme.io', name: 'Ann' },
      subject: 'Invoice twice',
      body: 'I was charged twice.',
      ...(setup.team ? { team: setup.team } : {}),
    },
    { actor: customer },
  );
  await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'open' }, { actor: agent });
  if (setup.assignee)
    await desk.execute({ type: 'assign', ticketId: ticket.id, assignee: setup.assignee }, { actor: agent });
  if (setup.follower)
    await desk.execute(
      { type: 'addFollower', ticketId: ticket.id, follower: { id: 'f1', email: 'boss@acme.io' } },
      { actor: agent },
    );
  const r = await desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['go'] }, { actor: agent });
  const byRule = r.allEvents.filter((e) => e.ruleId === 'act');
  for (const e of byRule) expect(e.actor.kind).toBe('automation');
  return { ticket: r.ticket, events: byRule.map((e) => e.type), sent };
}

const last = (t: Ticket) => t.messages.at(-1)!;

describe('given an open ticket, when a trigger fires, then each action does what it says', () => {
  it('setStatus', async () => {
    const r = await run({ type: 'setStatus', status: 'pending' });
    expect(r.events).toEqual(['StatusChanged']);
    expect(r.ticket.status).toBe('pending');
  });

  it('setPriority', async () => {
    const r = await run({ type: 'setPriority', priority: 'urgent' });
    expect(r.events).toEqual(['PriorityChanged']);
    expect(r.ticket.priority).toBe('urgent');
  });

  it('setType', async () => {
    const r = await run({ type: 'setType', ticketType: 'incident' });
    expect(r.events).toEqual(['TypeChanged']);
    expect(r.ticket.type).toBe('incident');
  });

  it('assign an agent', async () => {
    const r = await run({ type: 'assign', assignee: 'a2' });
    expect(r.events).toEqual(['Assigned']);
    expect(r.ticket.assignee).toBe('a2');
  });

  it('assign a team (manual: the team, nobody in it yet)', async () => {
    const r = await run({ type: 'assign', team: 'support', strategy: 'manual' });
    expect(r.events).toEqual(['Assigned']);
    expect(r.ticket).toMatchObject({ team: 'support' });
    expect(r.ticket.assignee).toBeUndefined();
  });

  it('assign by a strategy', async () => {
    const r = await run({ type: 'assign', team: 'support', strategy: 'round-robin' });
    expect(r.ticket).toMatchObject({ team: 'support', assignee: 'a1' });
  });

  it('unassign', async () => {
    const r = await run({ type: 'unassign' }, { assignee: 'a2' });
    expect(r.events).toEqual(['Unassigned']);
    expect(r.ticket.assignee).toBeUndefined();
  });

  it('addTags', async () => {
    const r = await run({ type: 'addTags', tags: ['billing', 'refund'] });
    expect(r.events).toEqual(['TagsChanged']);
    expect(r.ticket.tags).toEqual(expect.arrayContaining(['go', 'billing', 'refund']));
  });

  it('removeTags', async () => {
    const r = await run({ type: 'removeTags', tags: ['go'] });
    expect(r.events).toEqual(['TagsChanged']);
    expect(r.ticket.tags).toEqual([]);
  });

  it('setFields', async () => {
    const r = await run({ type: 'setFields', fields: { plan: 'pro', seats: 12 } });
    expect(r.events).toEqual(['FieldsChanged']);
    expect(r.ticket.fields).toEqual({ plan: 'pro', seats: 12 });
  });

  it('addFollower', async () => {
    const r = await run({ type: 'addFollower', follower: { id: 'f2', email: 'cfo@acme.io' } });
    expect(r.events).toEqual(['FollowerAdded']);
    expect(r.ticket.followers).toEqual([{ id: 'f2', email: 'cfo@acme.io' }]);
  });

  it('reply: a public message from the template', async () => {
    const r = await run({ type: 'reply', template: 'thanks' });
    expect(r.events).toEqual(['MessagePosted']);
    expect(last(r.ticket)).toMatchObject({
      visibility: 'public',
      body: 'Thanks Ann, #1 is open.',
      author: { kind: 'automation' },
    });
  });

  it('note: an internal message from the template', async () => {
    const r = await run({ type: 'note', template: 'fyi' });
    expect(r.events).toEqual(['MessagePosted']);
    expect(last(r.ticket)).toMatchObject({ visibility: 'internal', body: 'FYI: Invoice twice (normal)' });
  });

  it.each([
    ['requester', {}, ['ann@acme.io']],
    ['assignee', { assignee: 'a2' }, ['a2@desk.io']],
    ['followers', { follower: true }, ['boss@acme.io']],
    ['team', { team: 'support' }, ['a1@desk.io', 'a2@desk.io']],
    ['address', {}, ['finance@desk.io']],
  ] as const)('notify %s: delivered, and recorded as an internal note', async (to, setup, recipients) => {
    const r = await run(
      { type: 'notify', to, template: 'fyi', ...(to === 'address' ? { address: 'finance@desk.io' } : {}) },
      setup,
    );
    expect(r.sent).toEqual([
      { ruleId: 'act', ticketId: r.ticket.id, to, recipients, text: 'FYI: Invoice twice (normal)' },
    ]);
    expect(r.events).toEqual(['MessagePosted']);
    expect(last(r.ticket)).toMatchObject({ visibility: 'internal' });
    expect(last(r.ticket).body).toContain('FYI: Invoice twice (normal)');
  });

  it('notify nobody (no assignee): nothing delivered, nothing recorded', async () => {
    const r = await run({ type: 'notify', to: 'assignee', template: 'fyi' });
    expect(r.sent).toEqual([]);
    expect(r.events).toEqual([]);
  });
});

describe('round-robin, given a desk that restarts', () => {
  it('when the next ticket comes in, then it goes to the member after the last one chosen before the restart', async () => {
    const store = inMemoryStore();
    const make = () =>
      createHelpdesk({
        store,
        clock: { now: () => new Date('2026-03-02T09:00:00.000Z') },
        extensions: [
          rules(
            defineRules({
              teams: {
                support: { members: [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }], strategy: 'round-robin' },
              },
              triggers: [{ id: 'rr', on: ['TicketOpened'], then: [{ type: 'assign', team: 'support' }] }],
            }),
          ),
        ],
      });
    const open = (subject: string) =>
      ({ type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject, body: 'b' }) as const;
    const before = make();
    const picks = [];
    for (const s of ['one', 'two'])
      picks.push((await before.execute(open(s), { actor: customer })).ticket.assignee);
    const after = make();
    for (const s of ['three', 'four'])
      picks.push((await after.execute(open(s), { actor: customer })).ticket.assignee);
    expect(picks).toEqual(['a1', 'a2', 'a3', 'a1']);
  });
});
