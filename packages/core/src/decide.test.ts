import { describe, expect, it } from 'vitest';
import { fold } from './apply';
import type { Command } from './commands';
import { type DecideContext, decide, workflowSet } from './decide';
import type { TesseraErrorCode } from './errors';
import type { DomainEvent, NewEvent } from './events';
import type { Actor, Ticket } from './model';
import { defaultPolicy } from './policy';
import { defaultWorkflow, defineWorkflow } from './workflow';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'c1@example.com', organizationId: 'acme' };
const stranger: Actor = { kind: 'customer', id: 'c2' };
const agent: Actor = { kind: 'agent', id: 'a1', teams: ['billing'] };
const outsider: Actor = { kind: 'agent', id: 'a2', teams: ['sales'] };
const admin: Actor = { kind: 'admin', id: 'boss' };
const _system: Actor = { kind: 'system', id: 'sys' };

const suggestions = defineWorkflow({
  id: 'suggestions',
  statuses: [
    { id: 'proposed', category: 'new' },
    { id: 'reviewing', category: 'open' },
    { id: 'planned', category: 'on_hold' },
    { id: 'done', category: 'closed' },
  ],
});
const workflows = workflowSet([defaultWorkflow, suggestions], {
  incident: 'default',
  suggestion: 'suggestions',
});

let counter = 0;
function ctx(actor: Actor, extra: Partial<DecideContext> = {}): DecideContext {
  return {
    actor,
    now: '2026-01-01T10:00:00.000Z',
    ids: { next: () => `id-${++counter}` },
    workflows,
    policy: defaultPolicy({ customersMayClose: true }),
    ticketId: 'T1',
    number: 1,
    ...extra,
  };
}

const open: Command = {
  type: 'openTicket',
  channel: 'email',
  requester: { id: 'c1', email: 'c1@example.com', organizationId: 'acme' },
  subject: 'Cannot log in',
  body: 'It says wrong password',
  ticketType: 'incident',
};

/** Given these commands (by these actors) have happened, the ticket is the fold of their events. */
function given(...steps: [Command, Actor][]): Ticket {
  const events: NewEvent[] = [];
  let state: Ticket | undefined;
  for (const [command, actor] of steps) {
    const decided = decide(state, command, ctx(actor));
    for (const e of decided) {
      events.push({
        ...e,
        eventId: `e${events.length}`,
        occurredAt: '2026-01-01T10:00:00.000Z',
        actor,
        schemaVersion: 1,
      } as NewEvent);
    }
    state = fold(events.map((e, i) => ({ ...e, version: i + 1 })));
  }
  return state!;
}

function when(state: Ticket | undefined, command: Command, actor: Actor): DomainEvent[] {
  return decide(state, command, ctx(actor));
}

function expectError(fn: () => unknown, code: TesseraErrorCode, message?: RegExp) {
  try {
    fn();
  } catch (error) {
    expect((error as { code: string }).code).toBe(code);
    if (message) expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected a ${code} error`);
}

const types = (events: DomainEvent[]) => events.map((e) => e.type);

describe('openTicket', () => {
  it('opens in the initial status of the workflow for its type, with the first message', () => {
    const events = when(undefined, open, customer);
    expect(types(events)).toEqual(['TicketOpened', 'MessagePosted']);
    expect(events[0]).toMatchObject({
      data: {
        ticketId: 'T1',
        number: 1,
        status: 'new',
        category: 'new',
        workflowId: 'default',
        priority: 'normal',
        type: 'incident',
      },
    });
    expect(events[1]).toMatchObject({ data: { visibility: 'public', author: customer, channel: 'email' } });
    const suggestion = when(undefined, { ...open, ticketType: 'suggestion' }, customer);
    expect(suggestion[0]).toMatchObject({ data: { status: 'proposed', workflowId: 'suggestions' } });
  });

  it('refuses bad input naming each field, an unknown type, and a customer opening for someone else', () => {
    expectError(
      () => when(undefined, { ...open, subject: ' ', channel: 'fax' as never }, customer),
      'validation',
      /subject.*channel|channel.*subject/,
    );
    expectError(
      () => when(undefined, { ...open, body: 'x'.repeat(200_001) }, customer),
      'validation',
      /body: must be at most/,
    );
    expectError(
      () => when(undefined, { ...open, ticketType: 'rant' }, customer),
      'validation',
      /unknown ticket type "rant"/,
    );
    expectError(() => when(undefined, open, stranger), 'forbidden');
    // The same answer whether or not the actor may see the ticket that holds the id.
    expectError(() => when(given([open, customer]), open, customer), 'validation', /cannot be used/);
    expectError(() => when(given([open, customer]), open, agent), 'validation', /cannot be used/);
  });

  it('lets an agent open a ticket for a customer (phone)', () => {
    expect(types(when(undefined, { ...open, channel: 'phone' }, agent))).toEqual([
      'TicketOpened',
      'MessagePosted',
    ]);
  });
});

describe('postMessage', () => {
  it('an agent public reply takes a new ticket to open; an internal note moves nothing', () => {
    const t = given([open, customer]);
    expect(
      when(t, { type: 'postMessage', ticketId: 'T1', body: 'note', visibility: 'internal' }, agent),
    ).toHaveLength(1);
    const reply = when(
      t,
      { type: 'postMessage', ticketId: 'T1', body: 'Try again', visibility: 'public' },
      agent,
    );
    expect(reply[1]).toMatchObject({
      type: 'StatusChanged',
      data: { from: 'new', to: 'open', reason: 'agent-reply' },
    });
  });

  it('a customer reply moves pending and solved tickets to onCustomerReply, but not on-hold ones', () => {
    for (const status of ['pending', 'solved']) {
      const t = given([open, customer], [{ type: 'changeStatus', ticketId: 'T1', status }, agent]);
      const events = when(
        t,
        { type: 'postMessage', ticketId: 'T1', body: 'Still broken', visibility: 'public' },
        customer,
      );
      expect(events[1]).toMatchObject({
        type: 'StatusChanged',
        data: { to: 'open', reason: 'customer-reply' },
      });
    }
    const held = given(
      [open, customer],
      [{ type: 'changeStatus', ticketId: 'T1', status: 'on_hold' }, agent],
    );
    expect(
      types(
        when(held, { type: 'postMessage', ticketId: 'T1', body: 'any news', visibility: 'public' }, customer),
      ),
    ).toEqual(['MessagePosted']);
  });

  it('an automatic message (an auto-reply) never moves the status', () => {
    const t = given([open, customer], [{ type: 'changeStatus', ticketId: 'T1', status: 'pending' }, agent]);
    const events = when(
      t,
      { type: 'postMessage', ticketId: 'T1', body: 'Out of office', visibility: 'public', automatic: true },
      customer,
    );
    expect(types(events)).toEqual(['MessagePosted']);
  });

  it('moves to onAgentPublicReply when the workflow names one', () => {
    const wf = defineWorkflow({ ...defaultWorkflow.definition, id: 'w2', onAgentPublicReply: 'pending' });
    const t = given([open, customer]);
    const events = decide(
      { ...t, workflowId: 'w2' },
      { type: 'postMessage', ticketId: 'T1', body: 'Done?', visibility: 'public' },
      {
        ...ctx(agent),
        workflows: workflowSet([wf]),
      },
    );
    expect(events[1]).toMatchObject({ data: { to: 'pending', reason: 'agent-reply' } });
  });

  it('refuses internal notes from customers, other customers, unknown and closed tickets', () => {
    const t = given([open, customer]);
    expectError(
      () => when(t, { type: 'postMessage', ticketId: 'T1', body: 'x', visibility: 'internal' }, customer),
      'forbidden',
    );
    expectError(
      () => when(t, { type: 'postMessage', ticketId: 'T1', body: 'x', visibility: 'public' }, stranger),
      'not_found',
    );
    expectError(
      () => when(undefined, { type: 'postMessage', ticketId: 'T9', body: 'x', visibility: 'public' }, agent),
      'not_found',
    );
    const closed = given(
      [open, customer],
      [{ type: 'changeStatus', ticketId: 'T1', status: 'closed' }, agent],
    );
    expectError(
      () => when(closed, { type: 'postMessage', ticketId: 'T1', body: 'x', visibility: 'public' }, customer),
      'closed',
    );
  });
});

describe('followers and copied addresses', () => {
  it('may post public messages, but not rate or close', () => {
    const follower: Actor = { kind: 'customer', id: 'c9', email: 'c9@example.com' };
    const copied: Actor = { kind: 'customer', id: 'c8', email: 'Boss@Example.com' };
    const t = given(
      [open, customer],
      [{ type: 'addFollower', ticketId: 'T1', follower: { id: 'c9' } }, agent],
    );
    const withCc = { ...t, cc: ['boss@example.com'] };
    expect(
      types(when(t, { type: 'postMessage', ticketId: 'T1', body: 'me too', visibility: 'public' }, follower)),
    ).toEqual(['MessagePosted']);
    expect(
      types(
        when(
          withCc,
          { type: 'postMessage', ticketId: 'T1', body: 'any news?', visibility: 'public' },
          copied,
        ),
      ),
    ).toEqual(['MessagePosted']);
    expectError(
      () => when(t, { type: 'postMessage', ticketId: 'T1', body: 'x', visibility: 'public' }, stranger),
      'not_found',
    );
    expectError(
      () => when(t, { type: 'changeStatus', ticketId: 'T1', status: 'closed' }, follower),
      'forbidden',
    );
  });
});

describe('changeStatus', () => {
  it('follows the workflow and names the allowed moves when it refuses', () => {
    const t = given([open, customer]);
    expect(when(t, { type: 'changeStatus', ticketId: 'T1', status: 'solved' }, agent)[0]).toMatchObject({
      type: 'StatusChanged',
      data: { from: 'new', to: 'solved', category: 'solved', reason: 'manual' },
    });
    expect(when(t, { type: 'changeStatus', ticketId: 'T1', status: 'new' }, agent)).toEqual([]);
    const open2 = given([open, customer], [{ type: 'changeStatus', ticketId: 'T1', status: 'open' }, agent]);
    expectError(
      () => when(open2, { type: 'changeStatus', ticketId: 'T1', status: 'new' }, agent),
      'invalid_transition',
      /allowed: pending/,
    );
    expectError(
      () => when(t, { type: 'changeStatus', ticketId: 'T1', status: 'archived' }, agent),
      'validation',
      /unknown status "archived"/,
    );
    expectError(
      () => when(t, { type: 'changeStatus', ticketId: 'T1', status: 'merged' }, agent),
      'invalid_transition',
    );
  });

  it('solved goes on only to closed or back to work; reopening is recorded as such', () => {
    const solved = given(
      [open, customer],
      [{ type: 'changeStatus', ticketId: 'T1', status: 'solved' }, agent],
    );
    expect(when(solved, { type: 'changeStatus', ticketId: 'T1', status: 'open' }, agent)[0]).toMatchObject({
      data: { reason: 'reopen' },
    });
    expect(when(solved, { type: 'changeStatus', ticketId: 'T1', status: 'closed' }, agent)[0]).toMatchObject({
      data: { category: 'closed' },
    });
  });

  it('customers may only solve or close their own, and only when the policy allows it', () => {
    const t = given([open, customer]);
    expectError(
      () => when(t, { type: 'changeStatus', ticketId: 'T1', status: 'pending' }, customer),
      'forbidden',
    );
    expect(types(when(t, { type: 'changeStatus', ticketId: 'T1', status: 'closed' }, customer))).toEqual([
      'StatusChanged',
    ]);
    expectError(
      () =>
        decide(
          t,
          { type: 'changeStatus', ticketId: 'T1', status: 'closed' },
          { ...ctx(customer), policy: defaultPolicy() },
        ),
      'forbidden',
    );
  });

  it('a closed ticket accepts nothing', () => {
    const closed = given(
      [open, customer],
      [{ type: 'changeStatus', ticketId: 'T1', status: 'closed' }, agent],
    );
    expectError(
      () => when(closed, { type: 'changeStatus', ticketId: 'T1', status: 'open' }, admin),
      'closed',
    );
    expectError(() => when(closed, { type: 'tag', ticketId: 'T1', tags: ['x'] }, admin), 'closed');
  });
});

describe('assignment, priority, type, tags, fields, followers', () => {
  const t = () => given([open, customer]);
  it('assign and unassign record what changed, and nothing when nothing does', () => {
    const assigned = when(t(), { type: 'assign', ticketId: 'T1', assignee: 'a1', team: 'billing' }, agent);
    expect(assigned).toEqual([
      { type: 'Assigned', data: { assignee: 'a1', team: 'billing', strategy: 'manual' } },
    ]);
    const withA = given(
      [open, customer],
      [{ type: 'assign', ticketId: 'T1', assignee: 'a1', team: 'billing' }, agent],
    );
    expect(when(withA, { type: 'assign', ticketId: 'T1', assignee: 'a1' }, agent)).toEqual([]);
    expect(when(withA, { type: 'unassign', ticketId: 'T1' }, agent)).toEqual([
      { type: 'Unassigned', data: { team: false, previousAssignee: 'a1', previousTeam: 'billing' } },
    ]);
    expect(when(t(), { type: 'unassign', ticketId: 'T1' }, agent)).toEqual([]);
    expectError(() => when(t(), { type: 'assign', ticketId: 'T1' }, agent), 'validation', /assignee, a team/);
    expectError(() => when(t(), { type: 'assign', ticketId: 'T1', assignee: 'a1' }, customer), 'forbidden');
    // An agent out of the ticket's team is told what a missing ticket tells.
    expectError(
      () => when(withA, { type: 'setPriority', ticketId: 'T1', priority: 'high' }, outsider),
      'not_found',
    );
  });

  it('priority and type', () => {
    expect(when(t(), { type: 'setPriority', ticketId: 'T1', priority: 'urgent' }, agent)).toEqual([
      { type: 'PriorityChanged', data: { from: 'normal', to: 'urgent' } },
    ]);
    expectError(
      () => when(t(), { type: 'setPriority', ticketId: 'T1', priority: 'meh' as never }, agent),
      'validation',
      /priority/,
    );
    expectError(
      () => when(t(), { type: 'setPriority', ticketId: 'T1', priority: 'low' }, customer),
      'forbidden',
    );
    // Changing the type to one with another workflow maps the status by category.
    const opened = given([open, customer], [{ type: 'changeStatus', ticketId: 'T1', status: 'open' }, agent]);
    expect(when(opened, { type: 'setType', ticketId: 'T1', ticketType: 'suggestion' }, agent)).toEqual([
      {
        type: 'TypeChanged',
        data: { from: 'incident', to: 'suggestion', fromWorkflow: 'default', workflowId: 'suggestions' },
      },
      {
        type: 'StatusChanged',
        data: {
          from: 'open',
          to: 'reviewing',
          fromCategory: 'open',
          category: 'open',
          reason: 'type-change',
        },
      },
    ]);
    expectError(
      () => when(opened, { type: 'setType', ticketId: 'T1', ticketType: 'rant' }, agent),
      'validation',
    );
  });

  it('tags are normalised and only real changes are recorded', () => {
    expect(when(t(), { type: 'tag', ticketId: 'T1', tags: ['VIP ', 'vip', 'billing'] }, agent)).toEqual([
      { type: 'TagsChanged', data: { added: ['vip', 'billing'], removed: [] } },
    ]);
    const tagged = given([open, customer], [{ type: 'tag', ticketId: 'T1', tags: ['vip'] }, agent]);
    expect(when(tagged, { type: 'tag', ticketId: 'T1', tags: ['vip'] }, agent)).toEqual([]);
    expect(when(tagged, { type: 'untag', ticketId: 'T1', tags: ['vip', 'nope'] }, agent)).toEqual([
      { type: 'TagsChanged', data: { added: [], removed: ['vip'] } },
    ]);
    expectError(
      () => when(t(), { type: 'tag', ticketId: 'T1', tags: [] }, agent),
      'validation',
      /tags: must not be empty/,
    );
  });

  it('fields record the changes and previous values; null removes', () => {
    const withField = given(
      [open, customer],
      [{ type: 'setFields', ticketId: 'T1', fields: { plan: 'pro', seats: 3 } }, agent],
    );
    expect(withField.fields).toEqual({ plan: 'pro', seats: 3 });
    expect(
      when(withField, { type: 'setFields', ticketId: 'T1', fields: { plan: null, seats: 3 } }, agent),
    ).toEqual([{ type: 'FieldsChanged', data: { changes: { plan: null }, previous: { plan: 'pro' } } }]);
    expectError(
      () => when(t(), { type: 'setFields', ticketId: 'T1', fields: [] as never }, agent),
      'validation',
      /fields/,
    );
  });

  it('followers', () => {
    const follower = { id: 'c3', email: 'c3@example.com', organizationId: 'acme' };
    expect(when(t(), { type: 'addFollower', ticketId: 'T1', follower }, agent)).toEqual([
      { type: 'FollowerAdded', data: { follower } },
    ]);
    // A follower sees the ticket: a customer may add only themself, not a colleague nor anyone else.
    expectError(() => when(t(), { type: 'addFollower', ticketId: 'T1', follower }, customer), 'forbidden');
    expectError(
      () =>
        when(
          t(),
          { type: 'addFollower', ticketId: 'T1', follower: { id: 'x', organizationId: 'evil' } },
          customer,
        ),
      'forbidden',
    );
    expect(when(t(), { type: 'addFollower', ticketId: 'T1', follower: { id: 'c1' } }, customer)).toHaveLength(
      1,
    );
    const followed = given([open, customer], [{ type: 'addFollower', ticketId: 'T1', follower }, agent]);
    expect(when(followed, { type: 'addFollower', ticketId: 'T1', follower }, agent)).toEqual([]);
    expect(when(followed, { type: 'removeFollower', ticketId: 'T1', followerId: 'c3' }, agent)).toEqual([
      { type: 'FollowerRemoved', data: { followerId: 'c3' } },
    ]);
    expect(when(followed, { type: 'removeFollower', ticketId: 'T1', followerId: 'nobody' }, agent)).toEqual(
      [],
    );
  });
});

describe('time, ratings, merge, link', () => {
  it('logTime takes whole positive minutes from staff', () => {
    const t = given([open, customer]);
    expect(when(t, { type: 'logTime', ticketId: 'T1', minutes: 15, billable: true }, agent)).toEqual([
      { type: 'TimeLogged', data: { minutes: 15, agentId: 'a1', billable: true } },
    ]);
    expectError(
      () => when(t, { type: 'logTime', ticketId: 'T1', minutes: 0 }, agent),
      'validation',
      /minutes/,
    );
    expectError(() => when(t, { type: 'logTime', ticketId: 'T1', minutes: 5 }, customer), 'forbidden');
  });

  it('a rating is requested on solved tickets and given by the requester', () => {
    const t = given([open, customer]);
    expectError(() => when(t, { type: 'requestRating', ticketId: 'T1' }, agent), 'invalid_transition');
    expectError(() => when(t, { type: 'rate', ticketId: 'T1', score: 5 }, customer), 'invalid_transition');
    const solved = given(
      [open, customer],
      [{ type: 'changeStatus', ticketId: 'T1', status: 'solved' }, agent],
    );
    expect(types(when(solved, { type: 'requestRating', ticketId: 'T1' }, agent))).toEqual([
      'RatingRequested',
    ]);
    expect(when(solved, { type: 'rate', ticketId: 'T1', score: 4, comment: 'quick' }, customer)).toEqual([
      { type: 'RatingReceived', data: { score: 4, comment: 'quick' } },
    ]);
    expectError(
      () => when(solved, { type: 'rate', ticketId: 'T1', score: 9 }, customer),
      'validation',
      /score/,
    );
    expectError(() => when(solved, { type: 'rate', ticketId: 'T1', score: 3 }, stranger), 'not_found');
  });

  it('merge ends the ticket in the merged status; merging into itself is refused', () => {
    const t = given([open, customer]);
    expect(when(t, { type: 'merge', ticketId: 'T1', into: 'T2' }, agent)).toEqual([
      { type: 'TicketMerged', data: { into: 'T2' } },
      {
        type: 'StatusChanged',
        data: { from: 'new', to: 'merged', fromCategory: 'new', category: 'merged', reason: 'merge' },
      },
    ]);
    expectError(() => when(t, { type: 'merge', ticketId: 'T1', into: 'T1' }, agent), 'validation');
    const merged = given([open, customer], [{ type: 'merge', ticketId: 'T1', into: 'T2' }, agent]);
    expectError(
      () => when(merged, { type: 'tag', ticketId: 'T1', tags: ['x'] }, agent),
      'closed',
      /merged into T2/,
    );
  });

  it('link records a relation once', () => {
    const t = given([open, customer]);
    expect(when(t, { type: 'link', ticketId: 'T1', to: 'T2', relation: 'related' }, agent)).toEqual([
      { type: 'TicketLinked', data: { to: 'T2', relation: 'related' } },
    ]);
    const linked = given(
      [open, customer],
      [{ type: 'link', ticketId: 'T1', to: 'T2', relation: 'related' }, agent],
    );
    expect(when(linked, { type: 'link', ticketId: 'T1', to: 'T2', relation: 'related' }, agent)).toEqual([]);
    expectError(
      () => when(t, { type: 'link', ticketId: 'T1', to: 'T2', relation: 'loves' }, agent),
      'validation',
      /relation/,
    );
  });
});

describe('unknown commands', () => {
  it('are refused with the list of known ones', () => {
    expectError(
      () => when(undefined, { type: 'explode' } as never, admin),
      'validation',
      /unknown command "explode"/,
    );
    expectError(
      () => when(undefined, { ...open, colour: 'red' } as never, admin),
      'validation',
      /colour: unknown property/,
    );
  });

  it('are refused when named like an Object.prototype member, as type or as property', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expectError(() => when(undefined, { type } as never, admin), 'validation', /unknown command/);
    }
    expectError(
      () => when(undefined, { ...open, constructor: 'x', toString: 'y' } as never, admin),
      'validation',
      /constructor: unknown property.*toString: unknown property/,
    );
  });
});
