import fc from 'fast-check';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { apply, deepFreeze, evolveAll, fold } from './apply';
import type { EventDataMap, EventType, StoredEvent } from './events';
import type { Ticket } from './model';

const agent = { kind: 'agent', id: 'a1' } as const;
const customer = { kind: 'customer', id: 'c1' } as const;

/** One event of every type in the catalogue; a new type does not compile until it has one. */
const SAMPLES: { [K in EventType]: EventDataMap[K] } = {
  TicketOpened: {
    ticketId: 'T1',
    number: 1,
    subject: 'Printer on fire',
    channel: 'email',
    requester: { id: 'c1', email: 'c1@example.com' },
    workflowId: 'default',
    status: 'new',
    category: 'new',
    priority: 'normal',
    tags: ['printer'],
    fields: { model: 'LX-1' },
    cc: ['boss@example.com'],
  },
  MessagePosted: {
    messageId: 'm1',
    author: customer,
    visibility: 'public',
    body: 'Still burning',
    channel: 'email',
    attachments: [],
    email: {
      messageId: '<x@example.com>',
      cc: ['new-cc@example.com'],
    } as EventDataMap['MessagePosted']['email'] & object,
  },
  StatusChanged: { from: 'new', to: 'open', fromCategory: 'new', category: 'open', reason: 'manual' },
  Assigned: { assignee: 'a1', team: 'support', strategy: 'manual' },
  Unassigned: { previousAssignee: 'a1', team: true },
  PriorityChanged: { from: 'normal', to: 'urgent' },
  TypeChanged: { to: 'incident', fromWorkflow: 'default', workflowId: 'default' },
  TagsChanged: { added: ['fire'], removed: ['printer'] },
  FieldsChanged: { changes: { model: null, floor: 3 }, previous: { model: 'LX-1' } },
  FollowerAdded: { follower: { id: 'a2' } },
  FollowerRemoved: { followerId: 'a2' },
  TimeLogged: { minutes: 15, agentId: 'a1' },
  RatingRequested: {},
  RatingReceived: { score: 5, comment: 'Thanks' },
  TicketMerged: { into: 'T9' },
  TicketReceivedMerge: { from: 'T8' },
  TicketLinked: { to: 'T7', relation: 'related' },
};
const TYPES = Object.keys(SAMPLES) as EventType[];

let seq = 0;
function event(type: EventType, version: number, ruleId?: string): StoredEvent {
  const e = {
    type,
    data: structuredClone(SAMPLES[type]),
    eventId: `e${++seq}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, version)).toISOString(),
    actor: type === 'MessagePosted' ? customer : agent,
    schemaVersion: 1,
    streamId: 'ticket-T1',
    version,
    position: String(version).padStart(16, '0'),
  } as StoredEvent;
  if (ruleId !== undefined) e.ruleId = ruleId;
  return e;
}

/** The reference: the same handlers under immer's produce, one event at a time. */
function byImmer(state: Ticket, events: StoredEvent[]): Ticket {
  return events.reduce((t, e) => produce(t, (draft) => void apply(draft, e)), state);
}

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('evolveAll', () => {
  it('applies every event type to a frozen ticket without touching it, as immer would', () => {
    const base = deepFreeze(
      fold([event('TicketOpened', 1), event('MessagePosted', 2), event('FollowerAdded', 3)])!,
    );
    const snapshot = structuredClone(base);
    for (const type of TYPES.filter((t) => t !== 'TicketOpened')) {
      for (const ruleId of [undefined, 'r1']) {
        const next = [event(type, 4, ruleId)];
        const result = evolveAll(base, next)!;
        expect(result, type).toStrictEqual(byImmer(base, next));
        expect(isDeepFrozen(result), type).toBe(true);
        expect(base, type).toStrictEqual(snapshot);
      }
    }
  });

  it('equals the fold and immer over any sequence of events, in batches of any size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...TYPES.filter((t) => t !== 'TicketOpened')), fc.boolean()), {
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 30, maxLength: 30 }),
        (steps, sizes) => {
          const events = [
            event('TicketOpened', 1),
            ...steps.map(([type, rule], i) => event(type, i + 2, rule ? 'r' : undefined)),
          ];
          let state: Ticket | undefined;
          for (let i = 0, b = 0; i < events.length; i += sizes[b++]!) {
            const batch = events.slice(i, i + sizes[b]!);
            const previous = state;
            const copy = structuredClone(previous);
            state = evolveAll(previous, batch);
            expect(previous).toStrictEqual(copy);
          }
          expect(state).toStrictEqual(fold(events));
          expect(state).toStrictEqual(byImmer(fold(events.slice(0, 1))!, events.slice(1)));
          expect(isDeepFrozen(state)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('leaves earlier results unchanged as later batches are applied', () => {
    const first = evolveAll(undefined, [event('TicketOpened', 1)])!;
    const copy = structuredClone(first);
    const second = evolveAll(
      first,
      TYPES.slice(1).map((t, i) => event(t, i + 2, 'r')),
    )!;
    expect(first).toStrictEqual(copy);
    expect(second.messages).toHaveLength(1);
    expect(first.messages).toHaveLength(0);
  });
});
