import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, evolve, evolveAll, fold, foldEach } from './apply';
import { ConfigError } from './errors';
import { isExtensionEvent, type StoredEvent } from './events';
import type { Extension } from './extension';
import type { Actor, Ticket } from './model';
import { moduleSet } from './modules';
import { openedT1 } from './opened.fixture';

const system: Actor = { kind: 'system', id: 'sys' };

/** A slice's record of what it was called for: the event ids, and whether it follows every event. */
interface Watch {
  seen: readonly string[];
  following: boolean;
}

/** How a watcher's slice starts: following every event or not, shared and frozen or each ticket's own. */
interface Start {
  following: boolean;
  shared: boolean;
}

/** The events a step of the random stream may be (besides the opening). */
type Step =
  | { kind: 'status'; to: 'open' | 'pending' | 'solved'; rule: boolean }
  | { kind: 'tag'; rule: boolean }
  | { kind: 'ping'; follow: boolean; rule: boolean }
  | { kind: 'stranger'; rule: boolean };

const CATEGORY = { open: 'open', pending: 'pending', solved: 'solved' } as const;

/**
 * A conditional slice, written immutably on a frozen initial state (shared by every ticket): it
 * lists `StatusChanged` and its own `Ping`, asks for the events a rule caused, and follows every
 * event after a `Ping` that says so, until one that does not.
 */
function watcher(
  name: string,
  calls: string[],
  start: Start = { following: false, shared: true },
): Extension<Watch> {
  const initial: Watch = Object.freeze({
    seen: Object.freeze([]) as readonly string[],
    following: start.following,
  });
  return {
    name,
    events: [`${name}.Ping`],
    state: {
      // Shared and frozen, or a new (unfrozen) copy for each ticket.
      initial: () => (start.shared ? initial : { seen: [], following: start.following }),
      on: ['StatusChanged', `${name}.Ping`],
      onRule: true,
      followAll: (state) => state.following,
      apply(state, event) {
        calls.push(`${name}:${event.eventId}`);
        const following = isExtensionEvent<{ follow: boolean }>(event, `${name}.Ping`)
          ? event.data.follow
          : state.following;
        return { seen: [...state.seen, event.eventId], following };
      },
    },
  };
}

/** A slice with no `on`, changed in place: called for every event of an installed owner. */
function plain(calls: string[]): Extension<{ seen: string[] }> {
  return {
    name: 'plain',
    state: {
      initial: () => ({ seen: [] }),
      apply(draft, event) {
        calls.push(`plain:${event.eventId}`);
        draft.seen.push(event.eventId);
      },
    },
  };
}

function streamOf(steps: readonly Step[], pinged: readonly string[]): StoredEvent[] {
  const events: Record<string, unknown>[] = [{ type: 'TicketOpened', data: openedT1() }];
  let status = 'new';
  steps.forEach((step, i) => {
    const rule = step.rule ? { ruleId: `r${i % 3}` } : {};
    if (step.kind === 'status') {
      events.push({
        type: 'StatusChanged',
        data: {
          from: status,
          to: step.to,
          fromCategory: status,
          category: CATEGORY[step.to],
          reason: 'manual',
        },
        ...rule,
      });
      status = step.to;
    } else if (step.kind === 'tag') {
      events.push({ type: 'TagsChanged', data: { added: [`t${i}`], removed: [] }, ...rule });
    } else if (step.kind === 'ping') {
      // Each ping goes to one of the watchers, in turn.
      events.push({ type: `${pinged[i % pinged.length]}.Ping`, data: { follow: step.follow }, ...rule });
    } else {
      // An event of no installed owner: skipped by every slice, counted by the version.
      events.push({ type: 'Stranger', data: {}, ...rule });
    }
  });
  return events.map((e, i) => ({
    ...e,
    eventId: `e${i}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    actor: system,
    schemaVersion: 1,
    streamId: 'ticket-T1',
    version: i + 1,
    position: String(i + 1).padStart(8, '0'),
  })) as unknown as StoredEvent[];
}

/** What the contract says each slice is called for, worked out event by event, in installation order. */
function expectedCalls(
  stream: readonly StoredEvent[],
  order: readonly string[],
  starts: Readonly<Record<string, Start>>,
): string[] {
  const following = new Map(order.map((name) => [name, starts[name]?.following ?? false]));
  const calls: string[] = [];
  for (const event of stream) {
    if ((event.type as string) === 'Stranger') continue;
    for (const name of order) {
      if (name === 'plain') {
        calls.push(`plain:${event.eventId}`);
        continue;
      }
      const listed = event.type === 'StatusChanged' || event.type === `${name}.Ping`;
      if (!(following.get(name) || event.ruleId !== undefined || listed)) continue;
      calls.push(`${name}:${event.eventId}`);
      if (event.type === `${name}.Ping`) following.set(name, (event.data as { follow: boolean }).follow);
    }
  }
  return calls;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('status' as const),
    to: fc.constantFrom('open', 'pending', 'solved'),
    rule: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('tag' as const), rule: fc.boolean() }),
  fc.record({ kind: fc.constant('ping' as const), follow: fc.boolean(), rule: fc.boolean() }),
  fc.record({ kind: fc.constant('stranger' as const), rule: fc.boolean() }),
);

describe('slices called only when they ask (state.on, onRule, followAll)', () => {
  it('fold, foldEach, evolveAll in batches and evolve one by one call each slice for exactly the events the contract says, in installation order', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.record({ following: fc.boolean(), shared: fc.boolean() }),
        fc.record({ following: fc.boolean(), shared: fc.boolean() }),
        (steps, cuts, w1, w2) => {
          const calls: string[] = [];
          const order = ['w1', 'plain', 'w2'];
          const modules = moduleSet([watcher('w1', calls, w1), plain(calls), watcher('w2', calls, w2)]);
          const stream = streamOf(steps, ['w1', 'w2']);
          const expected = expectedCalls(stream, order, { w1, w2 });

          const folded = fold(stream, modules)!;
          expect(calls).toEqual(expected);
          for (const name of ['w1', 'w2'])
            expect((folded.ext[name] as Watch).seen).toEqual(
              expected.filter((c) => c.startsWith(`${name}:`)).map((c) => c.slice(name.length + 1)),
            );
          expect(folded.version).toBe(stream.length);

          calls.length = 0;
          let visited = 0;
          expect(foldEach(stream, modules, () => visited++)).toEqual(folded);
          expect(visited).toBe(stream.length);
          expect(calls).toEqual(expected);

          // The desk's path: batches cut anywhere, each from the frozen ticket of the one before.
          calls.length = 0;
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          let ticket: Ticket | undefined;
          let from = 0;
          for (const to of [...points, stream.length]) {
            ticket = evolveAll(ticket, stream.slice(from, to), modules);
            from = Math.max(from, to);
          }
          expect(ticket).toEqual(folded);
          expect(calls).toEqual(expected);

          calls.length = 0;
          let one: Ticket | undefined;
          for (const event of stream) one = evolve(one, event, modules);
          expect(one).toEqual(folded);
          expect(calls).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('apply on its own reads from the slice whether it follows every event', () => {
    const calls: string[] = [];
    const modules = moduleSet([watcher('w1', calls)]);
    const stream = streamOf(
      [
        { kind: 'ping', follow: true, rule: false },
        { kind: 'tag', rule: false },
      ],
      ['w1'],
    );
    const ticket = fold(stream.slice(0, 2), modules)!;
    const draft = structuredClone(ticket);
    apply(draft, stream[2]!, modules);
    expect((draft.ext.w1 as Watch).seen).toEqual(['e1', 'e2']);
  });
});

describe('initial slices', () => {
  it('a frozen initial state is shared by every ticket and never changed; another is made for each ticket', () => {
    let fresh = 0;
    const frozen = Object.freeze({ n: 0 });
    const shared: Extension<{ n: number }> = {
      name: 'shared',
      state: { initial: () => frozen, on: ['TagsChanged'], apply: (s) => ({ n: s.n + 1 }) },
    };
    const own: Extension<{ n: number }> = {
      name: 'own',
      state: {
        initial: () => {
          fresh++;
          return { n: 0 };
        },
        on: ['TagsChanged'],
        apply(draft) {
          draft.n++;
        },
      },
    };
    const modules = moduleSet([shared, own] as Extension[]);
    const calledAtInstall = fresh;
    const a = fold(streamOf([{ kind: 'tag', rule: false }], ['x']), modules)!;
    const b = fold(streamOf([], ['x']), modules)!;
    expect(fresh - calledAtInstall).toBe(2);
    expect(a.ext).toEqual({ shared: { n: 1 }, own: { n: 1 } });
    expect(b.ext.shared).toBe(frozen);
    expect(b.ext.own).not.toBe(a.ext.own);
    expect(frozen).toEqual({ n: 0 });
  });

  it('moduleSet refuses an onRule that is not a boolean and a followAll that is not a function', () => {
    const bad = (state: Record<string, unknown>) => () =>
      moduleSet([{ name: 'x', state: { initial: () => 0, apply: () => 0, on: [], ...state } } as Extension]);
    expect(bad({ onRule: 'yes' })).toThrow(ConfigError);
    expect(bad({ onRule: 'yes' })).toThrow(/state\.onRule/);
    expect(bad({ followAll: true })).toThrow(/state\.followAll/);
  });
});
