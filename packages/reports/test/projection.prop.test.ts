// The projection is the log: over random command sequences, the report read from the live index
// rows equals the report after `desk.rebuild()`, and both equal a report computed here straight
// from the raw log (`store.events.readAll`) by a separate, deliberately plain implementation.
import {
  type Actor,
  createHelpdesk,
  inMemoryStore,
  isTesseraError,
  type StoredEvent,
  type WorkingTimeCalendar,
} from '@tessera/core';
import { type SlaPolicy, sla } from '@tessera/sla';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReportRow, reports } from '../src/index';
import { office } from './month';

const agentA: Actor = { kind: 'agent', id: 'ana', teams: ['a'] };
const agentB: Actor = { kind: 'agent', id: 'bo', teams: ['b'] };
const admin: Actor = { kind: 'admin', id: 'boss' };
const customer: Actor = { kind: 'customer', id: 'c1' };
const bot: Actor = { kind: 'automation', id: 'bot' };
const policies: SlaPolicy[] = [
  {
    id: 'std',
    when: { field: 'team', op: 'is', value: 'a' },
    calendar: 'office',
    targets: { firstReply: 120, resolution: 600 },
  },
];
const FROM = Date.parse('2026-03-20T00:00:00Z');
const TO = Date.parse('2026-04-05T00:00:00Z');

type Step =
  | { op: 'open'; team: 'a' | 'b' | null }
  | { op: 'tick' }
  | {
      op: 'reply' | 'note' | 'customer' | 'bot' | 'solve' | 'close' | 'reopen' | 'pending' | 'log' | 'assign';
      t: number;
      who: 0 | 1;
    }
  | { op: 'rate'; t: number; score: number }
  | { op: 'merge'; t: number; into: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('open' as const), team: fc.constantFrom('a' as const, 'b' as const, null) }),
  fc.record({ op: fc.constant('tick' as const) }),
  fc.record({
    op: fc.constantFrom(
      'reply' as const,
      'note' as const,
      'customer' as const,
      'bot' as const,
      'solve' as const,
      'close' as const,
      'reopen' as const,
      'pending' as const,
      'log' as const,
      'assign' as const,
    ),
    t: fc.nat(7),
    who: fc.constantFrom(0 as const, 1 as const),
  }),
  fc.record({ op: fc.constant('rate' as const), t: fc.nat(7), score: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('merge' as const), t: fc.nat(7), into: fc.nat(7) }),
);

// ---- the reference: from the raw log, by local dates, without the module's code ----

const localDate = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    ms,
  );
const rank = (values: number[], p: number) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
};
const LIVE = new Set(['new', 'open', 'pending', 'on_hold']);
const DONE = new Set(['solved', 'closed']);

interface RefRow {
  opened: number;
  solved: number;
  reopened: number;
  merged: number;
  backlogStart: number;
  backlog: number;
  fr: number[];
  frB: number[];
  res: number[];
  resB: number[];
  ratings: number;
  positive: number;
  minutes: number;
  sla: Map<string, { achieved: number; breached: number }>;
}

/** Rows by local date (`day`), by the team a ticket was opened in (`team`, `'null'` for none), or one `total`. */
function reference(
  events: StoredEvent[],
  timeZone: string,
  keys: string[],
  calendars: Record<string, WorkingTimeCalendar>,
  group: 'day' | 'team' | 'total' = 'day',
) {
  const rows = new Map<string, RefRow>(
    keys.map((k) => [
      k,
      {
        opened: 0,
        solved: 0,
        reopened: 0,
        merged: 0,
        backlogStart: 0,
        backlog: 0,
        fr: [],
        frB: [],
        res: [],
        resB: [],
        ratings: 0,
        positive: 0,
        minutes: 0,
        sla: new Map(),
      },
    ]),
  );
  const byStream = new Map<string, StoredEvent[]>();
  for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
  for (const stream of byStream.values()) {
    const opened = stream[0]!;
    const createdAt = Date.parse(opened.occurredAt);
    const team = (opened.data as { team?: string }).team;
    const cal = team === undefined ? undefined : calendars[team];
    const teamKey = group === 'total' ? 'total' : (team ?? 'null');
    const row = (ms: number) => rows.get(group === 'day' ? localDate(ms, timeZone) : teamKey)!;
    row(createdAt).opened += 1;
    const durationTo = (ms: number, into: number[], intoB: number[]) => {
      into.push(ms - createdAt);
      if (cal) intoB.push(cal.workingTimeBetween(new Date(createdAt), new Date(ms)));
    };
    let replied: number | undefined;
    let firstSolve: number | undefined;
    const breaches = new Map<string, number>();
    let latestRating: StoredEvent | undefined;
    // Category after each event, to replay the backlog by date.
    const categories: [date: string, category: string][] = [[localDate(createdAt, timeZone), 'new']];
    for (const e of stream) {
      const ms = Date.parse(e.occurredAt);
      const d = e.data as Record<string, unknown>;
      if (e.type === 'StatusChanged') {
        const from = d.fromCategory as string;
        const to = d.category as string;
        categories.push([localDate(ms, timeZone), to]);
        if (LIVE.has(from) && DONE.has(to)) {
          row(ms).solved += 1;
          durationTo(ms, row(ms).res, row(ms).resB);
          firstSolve ??= ms;
        }
        if (DONE.has(from) && LIVE.has(to)) row(ms).reopened += 1;
        if (LIVE.has(from) && to === 'merged') row(ms).merged += 1;
      }
      if (e.type === 'MessagePosted' && replied === undefined && e.occurredAt !== opened.occurredAt) {
        const author = d.author as Actor;
        if (d.visibility === 'public' && (author.kind === 'agent' || author.kind === 'admin')) {
          replied = ms;
          durationTo(ms, row(ms).fr, row(ms).frB);
        }
      }
      if (e.type === 'RatingReceived') latestRating = e;
      if (e.type === 'TimeLogged') row(ms).minutes += d.minutes as number;
      if ((e.type as string) === 'SlaBreached' && !breaches.has(d.metric as string))
        breaches.set(d.metric as string, Date.parse(d.deadline as string));
    }
    const sla = (r: RefRow, metric: string) => {
      if (!r.sla.has(metric)) r.sla.set(metric, { achieved: 0, breached: 0 });
      return r.sla.get(metric)!;
    };
    for (const [metric, ms] of breaches) sla(row(ms), metric).breached += 1;
    // The policy (team a) targets both; a met target is one reached with no breach recorded.
    if (team === 'a' && replied !== undefined && !breaches.has('firstReply'))
      sla(row(replied), 'firstReply').achieved += 1;
    if (team === 'a' && firstSolve !== undefined && !breaches.has('resolution'))
      sla(row(firstSolve), 'resolution').achieved += 1;
    if (latestRating) {
      const r = row(Date.parse(latestRating.occurredAt));
      r.ratings += 1;
      if ((latestRating.data as { score: number }).score >= 4) r.positive += 1;
    }
    if (group !== 'day') {
      // Every ticket here was opened inside the period: none is in the backlog at its start.
      if (LIVE.has(categories[categories.length - 1]![1])) rows.get(teamKey)!.backlog += 1;
    }
    for (const k of group === 'day' ? keys : []) {
      const at = (before: (date: string) => boolean) => {
        if (!before(categories[0]![0])) return false;
        let cat = 'new';
        for (const [date, c] of categories) if (before(date)) cat = c;
        return LIVE.has(cat);
      };
      if (at((date) => date < k)) rows.get(k)!.backlogStart += 1;
      if (at((date) => date <= k)) rows.get(k)!.backlog += 1;
    }
  }
  return keys.map((k) => {
    const r = rows.get(k)!;
    return {
      key: k,
      opened: r.opened,
      solved: r.solved,
      reopened: r.reopened,
      merged: r.merged,
      backlogStart: r.backlogStart,
      backlog: r.backlog,
      firstReply: {
        count: r.fr.length,
        medianMs: rank(r.fr, 0.5),
        p90Ms: rank(r.fr, 0.9),
        businessMedianMs: rank(r.frB, 0.5),
        businessP90Ms: rank(r.frB, 0.9),
      },
      resolution: {
        count: r.res.length,
        medianMs: rank(r.res, 0.5),
        p90Ms: rank(r.res, 0.9),
        businessMedianMs: rank(r.resB, 0.5),
        businessP90Ms: rank(r.resB, 0.9),
      },
      sla: Object.fromEntries([...r.sla].sort(([x], [y]) => (x < y ? -1 : 1))),
      csat: {
        ratings: r.ratings,
        positive: r.positive,
        percent: r.ratings === 0 ? null : Math.round((r.positive / r.ratings) * 1000) / 10,
      },
      timeLoggedMinutes: r.minutes,
    } satisfies ReportRow;
  });
}

/** The per-agent table from the raw log. */
function referenceAgents(events: StoredEvent[], calendars: Record<string, WorkingTimeCalendar>) {
  const agents = new Map<
    string,
    { solved: number; fr: number[]; frB: number[]; minutes: number; ratings: number; positive: number }
  >();
  const assignee = new Map<string, string | undefined>();
  const rated = new Map<string, [score: number, by: string | undefined]>();
  const of = (id: string) => {
    if (!agents.has(id)) agents.set(id, { solved: 0, fr: [], frB: [], minutes: 0, ratings: 0, positive: 0 });
    return agents.get(id)!;
  };
  const opened = new Map<string, StoredEvent>();
  const replied = new Set<string>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'TicketOpened') opened.set(e.streamId, e);
    const first = opened.get(e.streamId)!;
    const staff = e.actor.kind === 'agent' || e.actor.kind === 'admin';
    if (
      e.type === 'StatusChanged' &&
      staff &&
      LIVE.has(d.fromCategory as string) &&
      DONE.has(d.category as string)
    )
      of(e.actor.id).solved += 1;
    if (e.type === 'TimeLogged') of(d.agentId as string).minutes += d.minutes as number;
    if (e.type === 'Assigned' && d.assignee !== undefined) assignee.set(e.streamId, d.assignee as string);
    if (e.type === 'Unassigned') assignee.delete(e.streamId);
    if (e.type === 'RatingReceived') rated.set(e.streamId, [d.score as number, assignee.get(e.streamId)]);
    const author = d.author as Actor | undefined;
    if (
      e.type === 'MessagePosted' &&
      !replied.has(e.streamId) &&
      e.occurredAt !== first.occurredAt &&
      d.visibility === 'public' &&
      (author?.kind === 'agent' || author?.kind === 'admin')
    ) {
      replied.add(e.streamId);
      const created = Date.parse(first.occurredAt);
      const cal = calendars[(first.data as { team?: string }).team ?? ''];
      of(author.id).fr.push(Date.parse(e.occurredAt) - created);
      if (cal) of(author.id).frB.push(cal.workingTimeBetween(new Date(created), new Date(e.occurredAt)));
    }
  }
  // Each ticket's latest rating, for whoever had the ticket then.
  for (const [score, by] of rated.values()) {
    if (by === undefined) continue;
    of(by).ratings += 1;
    if (score >= 4) of(by).positive += 1;
  }
  return [...agents.keys()].sort().map((agentId) => {
    const a = agents.get(agentId)!;
    return {
      agentId,
      solved: a.solved,
      firstReply: {
        count: a.fr.length,
        medianMs: rank(a.fr, 0.5),
        p90Ms: rank(a.fr, 0.9),
        businessMedianMs: rank(a.frB, 0.5),
        businessP90Ms: rank(a.frB, 0.9),
      },
      csat: {
        ratings: a.ratings,
        positive: a.positive,
        percent: a.ratings === 0 ? null : Math.round((a.positive / a.ratings) * 1000) / 10,
      },
      timeLoggedMinutes: a.minutes,
    };
  });
}

// ---- the property ----

describe('the incremental projection', () => {
  it('equals the report after a rebuild and a from-scratch computation over the raw log', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Minutes between steps; whole hours and days often, so changes land exactly on a local midnight.
        fc.array(
          fc.tuple(step, fc.oneof(fc.integer({ min: 0, max: 20 * 60 }), fc.constantFrom(0, 60, 1380, 1440))),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Tokyo'),
        async (steps, timeZone) => {
          const store = inMemoryStore();
          let now = FROM; // a UTC midnight: days there start on the dot
          const calendars = { a: office };
          const rep = reports({ calendars, slaPolicies: policies });
          const desk = createHelpdesk({
            store,
            clock: { now: () => new Date(now) },
            extensions: [sla({ policies, calendars: { office } }), rep],
            // A tick's refusal on a merged ticket is reported here and the tick goes on.
            onError: () => {},
          });
          const ids: string[] = [];
          for (const [s, minutes] of steps) {
            now = Math.min(now + minutes * 60_000, TO - 60_000);
            const id = 't' in s ? ids[s.t % Math.max(1, ids.length)] : undefined;
            const staff = 'who' in s && s.who === 1 ? agentB : agentA;
            try {
              if (s.op === 'tick') {
                await desk.tick();
                continue;
              }
              if (s.op === 'open') {
                const { ticket } = await desk.execute(
                  {
                    type: 'openTicket',
                    channel: 'email',
                    requester: { id: 'c1' },
                    subject: 's',
                    body: 'b',
                    ...(s.team ? { team: s.team } : {}),
                  },
                  { actor: s.team === null ? customer : admin },
                );
                ids.push(ticket.id);
                continue;
              }
              if (id === undefined) continue;
              switch (s.op) {
                case 'reply':
                case 'note':
                  await desk.execute(
                    {
                      type: 'postMessage',
                      ticketId: id,
                      body: 'x',
                      visibility: s.op === 'reply' ? 'public' : 'internal',
                    },
                    { actor: staff },
                  );
                  break;
                case 'customer':
                  await desk.execute(
                    { type: 'postMessage', ticketId: id, body: 'x', visibility: 'public' },
                    { actor: customer },
                  );
                  break;
                case 'bot':
                  await desk.execute(
                    { type: 'postMessage', ticketId: id, body: 'x', visibility: 'public' },
                    { actor: bot },
                  );
                  break;
                case 'solve':
                case 'close':
                case 'reopen':
                case 'pending': {
                  const status = { solve: 'solved', close: 'closed', reopen: 'open', pending: 'pending' }[
                    s.op
                  ];
                  await desk.execute({ type: 'changeStatus', ticketId: id, status }, { actor: admin });
                  break;
                }
                case 'assign':
                  await desk.execute({ type: 'assign', ticketId: id, assignee: staff.id }, { actor: admin });
                  break;
                case 'log':
                  await desk.execute(
                    { type: 'logTime', ticketId: id, minutes: 5 + s.who * 10 },
                    { actor: staff },
                  );
                  break;
                case 'rate':
                  await desk.execute({ type: 'rate', ticketId: id, score: s.score }, { actor: customer });
                  break;
                case 'merge': {
                  const into = ids[s.into % ids.length]!;
                  await desk.execute({ type: 'merge', ticketId: id, into }, { actor: admin });
                  break;
                }
              }
            } catch (error) {
              // A refused command (an invalid move, a closed ticket, not seen by that agent) appends nothing.
              if (!isTesseraError(error)) throw error;
            }
          }
          const spec = { from: new Date(FROM), to: new Date(TO), timeZone, groupBy: 'day' } as const;
          const live = await rep.report(spec, { actor: admin });
          await desk.rebuild();
          const rebuilt = await rep.report(spec, { actor: admin });
          expect(rebuilt).toEqual(live);
          // Every local date the period touches, found hour by hour.
          const keys = [
            ...new Set(
              Array.from({ length: (TO - FROM) / 3_600_000 }, (_, h) =>
                localDate(FROM + h * 3_600_000, timeZone),
              ),
            ),
          ];
          expect(live.rows.map((r) => r.key)).toEqual(keys);
          const log = await store.events.readAll();
          expect(live.rows).toEqual(reference(log, timeZone, keys, calendars));
          expect(live.total).toEqual(reference(log, timeZone, ['total'], calendars, 'total')[0]);
          expect(await rep.agents({ from: spec.from, to: spec.to, timeZone }, { actor: admin })).toEqual(
            referenceAgents(log, calendars),
          );
          // By team: the team each was opened in (nothing here moves a ticket to another team).
          const byTeam = await rep.report({ ...spec, groupBy: 'team' }, { actor: admin });
          const teams = [
            ...new Set(
              log
                .filter((e) => e.type === 'TicketOpened')
                .map((e) => (e.data as { team?: string }).team ?? 'null'),
            ),
          ].sort((x, y) => (x === 'null' ? 1 : y === 'null' ? -1 : x < y ? -1 : 1));
          expect(byTeam.rows).toEqual(
            reference(log, timeZone, teams, calendars, 'team').map((r) => ({
              ...r,
              key: r.key === 'null' ? null : r.key,
            })),
          );
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
