import { fold, type StoredEvent, type Ticket } from '@tessera/core';
import {
  type CompiledPolicy,
  definePolicies,
  type SlaMetricName,
  type SlaPolicy,
  type WorkingTimeCalendar,
} from './policy';

export type SlaMetricStatus = 'active' | 'paused' | 'achieved' | 'breached';

/** One measured clock. Cycle metrics (next reply, periodic update) report their latest cycle. */
export interface SlaMetric {
  /** `nextReply`, or `nextReply:2`, `nextReply:3`… for later cycles. */
  metric: string;
  kind: SlaMetricName;
  /** Minutes of working time. */
  target: number;
  start: string;
  /** When the budget is spent; undefined while paused or once achieved within it. */
  deadline?: string;
  warnAt?: string;
  /** Working time used so far, in ms (pauses excluded). */
  usedMs: number;
  status: SlaMetricStatus;
  achievedAt?: string;
  breachedAt?: string;
}

export interface SlaEvaluation {
  policyId?: string;
  /** Every cycle of every metric, in order. */
  metrics: SlaMetric[];
  /** The earliest deadline of a running metric. */
  nextDeadline?: string;
  breached: boolean;
  /** A running metric is past its warning instant. */
  atRisk: boolean;
}

type Segment = [start: number, end: number | undefined];
const FINAL = new Set(['solved', 'closed', 'merged']);

/**
 * "The agent replied": a public message by an agent or an admin (an admin answering a customer is
 * staff answering). One by automation or the system — an acknowledgement, an auto-reply, a
 * reminder — answers no one and stops no reply clock.
 */
function isAgentReply(m: Ticket['messages'][number]): boolean {
  return m.visibility === 'public' && (m.author.kind === 'agent' || m.author.kind === 'admin');
}
function isCustomerMessage(m: Ticket['messages'][number]): boolean {
  return m.visibility === 'public' && m.author.kind === 'customer';
}

/** Stretches of time in which a predicate on the status holds, from the ticket's status history. */
function stretches(
  ticket: Ticket,
  holds: (status: string, category: string) => boolean,
): [number, number | undefined][] {
  const out: [number, number | undefined][] = [];
  const h = ticket.statusHistory;
  for (let i = 0; i < h.length; i++) {
    if (!holds(h[i]!.status, h[i]!.category)) continue;
    const from = Date.parse(h[i]!.at);
    const to = i + 1 < h.length ? Date.parse(h[i + 1]!.at) : undefined;
    if (to === undefined || to > from) out.push([from, to]);
  }
  return out;
}

/** [start, stop) minus the pauses; the last segment is open (undefined end) when running into now. */
function segments(
  start: number,
  stop: number | undefined,
  pauses: [number, number | undefined][],
): Segment[] {
  let parts: Segment[] = [[start, stop]];
  for (const [ps, pe] of pauses) {
    const next: Segment[] = [];
    for (const [a, b] of parts) {
      const bEnd = b ?? Number.POSITIVE_INFINITY;
      const pEnd = pe ?? Number.POSITIVE_INFINITY;
      if (pEnd <= a || ps >= bEnd) {
        next.push([a, b]);
        continue;
      }
      if (ps > a) next.push([a, ps]);
      if (pEnd < bEnd) next.push([pEnd, b]);
    }
    parts = next;
  }
  return parts;
}

/** The instant the budget is spent over the segments (strictly: at the first ms past it), if it is. */
function spend(cal: WorkingTimeCalendar, parts: Segment[], budget: number): number | undefined {
  let left = budget;
  for (const [a, b] of parts) {
    if (b === undefined) return cal.addWorkingTime(new Date(a), left).getTime();
    const used = cal.workingTimeBetween(new Date(a), new Date(b));
    if (used > left) return cal.addWorkingTime(new Date(a), left).getTime();
    left -= used;
  }
  return undefined;
}

function measure(
  cal: WorkingTimeCalendar,
  metric: string,
  kind: SlaMetricName,
  targetMinutes: number,
  warnBefore: number | undefined,
  start: number,
  stop: number | undefined,
  pauses: [number, number | undefined][],
  now: number,
): SlaMetric {
  const end = stop ?? now;
  const parts = segments(start, stop === undefined ? undefined : stop, pauses).filter(([a]) => a <= end);
  const budget = targetMinutes * 60_000;
  let used = 0;
  for (const [a, b] of parts) used += cal.workingTimeBetween(new Date(a), new Date(Math.min(b ?? end, end)));
  const runningNow = stop === undefined && parts.some(([, b]) => b === undefined);
  const deadline = spend(cal, parts, budget);
  const warnAt =
    warnBefore !== undefined && warnBefore < targetMinutes
      ? spend(cal, parts, budget - warnBefore * 60_000)
      : undefined;
  const result: SlaMetric = {
    metric,
    kind,
    target: targetMinutes,
    start: new Date(start).toISOString(),
    usedMs: used,
    status: 'active',
  };
  // Breached once the working time used exceeds the target: the first instant after the deadline.
  if (deadline !== undefined && deadline < end) {
    result.status = 'breached';
    result.breachedAt = new Date(deadline).toISOString();
    result.deadline = result.breachedAt;
    if (stop !== undefined) result.achievedAt = new Date(stop).toISOString();
    return result;
  }
  if (stop !== undefined) {
    result.status = 'achieved';
    result.achievedAt = new Date(stop).toISOString();
    return result;
  }
  if (!runningNow) {
    result.status = 'paused';
    return result;
  }
  if (deadline !== undefined) result.deadline = new Date(deadline).toISOString();
  if (warnAt !== undefined) result.warnAt = new Date(warnAt).toISOString();
  return result;
}

/**
 * Measures a ticket against the first policy that matches it now. Pure: the same ticket, policies
 * and `now` give the same answer.
 *
 * @example
 * const policies = definePolicies([{ id: 'standard', calendar: 'office', targets: { firstReply: 120 } }], { office });
 * const result = evaluateTicketSla(ticket, policies, { office }, new Date('2026-03-02T12:00:00Z'));
 * result.nextDeadline; // the earliest running deadline (ISO), or undefined
 */
export function evaluateTicketSla(
  ticket: Ticket,
  policies: readonly CompiledPolicy[],
  calendars: Readonly<Record<string, WorkingTimeCalendar>>,
  now: Date,
): SlaEvaluation {
  const policy = policies.find((p) => p.matches({ ticket, now }));
  if (!policy) return { metrics: [], breached: false, atRisk: false };
  const cal = calendars[policy.calendar]!;
  const at = now.getTime();
  const pauseIn = new Set(policy.pauseIn ?? []);
  const pauses = stretches(ticket, (status, category) => pauseIn.has(status) || pauseIn.has(category));
  const opened = Date.parse(ticket.createdAt);
  const messages = ticket.messages.filter((m) => Date.parse(m.at) <= at);
  const metrics: SlaMetric[] = [];
  const t = policy.targets;
  const add = (
    metric: string,
    kind: SlaMetricName,
    target: number,
    start: number,
    stop: number | undefined,
    extraPauses = pauses,
  ) => metrics.push(measure(cal, metric, kind, target, policy.warnBefore, start, stop, extraPauses, at));
  const ended = stretches(ticket, (_, category) => FINAL.has(category));
  const endedAt = (from: number) => ended.find(([a]) => a >= from)?.[0];

  if (t.firstReply !== undefined) {
    // The message a ticket is opened with is no reply, even when an agent opened it (a phone
    // call): as in Zendesk, the clock runs to the agent's next public comment.
    const reply = messages.find((m, i) => isAgentReply(m) && !(i === 0 && m.at === ticket.createdAt));
    add('firstReply', 'firstReply', t.firstReply, opened, reply ? Date.parse(reply.at) : endedAt(opened));
  }
  if (t.nextReply !== undefined) {
    // A cycle starts at the oldest customer message not yet answered and ends at the next public agent reply.
    let cycle = 0;
    let waitingSince: number | undefined;
    for (const m of messages) {
      if (isCustomerMessage(m) && waitingSince === undefined) waitingSince = Date.parse(m.at);
      else if (isAgentReply(m) && waitingSince !== undefined) {
        cycle++;
        add(
          cycle === 1 ? 'nextReply' : `nextReply:${cycle}`,
          'nextReply',
          t.nextReply,
          waitingSince,
          Date.parse(m.at),
        );
        waitingSince = undefined;
      }
    }
    if (waitingSince !== undefined) {
      cycle++;
      add(
        cycle === 1 ? 'nextReply' : `nextReply:${cycle}`,
        'nextReply',
        t.nextReply,
        waitingSince,
        endedAt(waitingSince),
      );
    }
  }
  if (t.periodicUpdate !== undefined) {
    // After each public agent reply, the next one is due within the target, until the ticket is solved.
    const replies = messages.filter(isAgentReply).map((m) => Date.parse(m.at));
    replies.forEach((from, i) => {
      const next = replies[i + 1];
      const solved = endedAt(from);
      const stop = next !== undefined && (solved === undefined || next < solved) ? next : solved;
      add(
        i === 0 ? 'periodicUpdate' : `periodicUpdate:${i + 1}`,
        'periodicUpdate',
        t.periodicUpdate!,
        from,
        stop,
      );
    });
  }
  if (t.resolution !== undefined) {
    // Solved time does not count; a reopened ticket resumes the same clock. The clock stops when
    // the ticket entered its current run of final statuses (solved, then closed: when solved).
    const h = ticket.statusHistory;
    let last = h.length;
    while (last > 0 && Date.parse(h[last - 1]!.at) > at) last--;
    let first = last;
    while (first > 0 && FINAL.has(h[first - 1]!.category)) first--;
    const stop = first < last ? Date.parse(h[first]!.at) : undefined;
    add('resolution', 'resolution', t.resolution, opened, stop, [
      ...pauses,
      ...ended.filter(([a]) => stop === undefined || a < stop),
    ]);
  }
  if (t.reachStatus !== undefined) {
    const { status, within, orLater = [] } = t.reachStatus;
    const reached = ticket.statusHistory.find(
      (h) =>
        Date.parse(h.at) <= at &&
        (h.status === status || orLater.includes(h.status) || FINAL.has(h.category)),
    );
    add('reachStatus', 'reachStatus', within, opened, reached ? Date.parse(reached.at) : undefined);
  }

  const running = metrics.filter((m) => m.status === 'active' && m.deadline !== undefined);
  const nextDeadline = running.map((m) => m.deadline!).sort()[0];
  const result: SlaEvaluation = {
    policyId: policy.id,
    metrics,
    breached: metrics.some((m) => m.status === 'breached'),
    atRisk: running.some((m) => m.warnAt !== undefined && m.warnAt <= now.toISOString()),
  };
  if (nextDeadline !== undefined) result.nextDeadline = nextDeadline;
  return result;
}

/**
 * Measures any ticket history — live, or last quarter's for a backtest — against SLA policies.
 * The first policy matching the ticket as it is at `now` applies, and every metric is measured
 * from its original start under it. Pure.
 *
 * @example
 * const { events } = await desk.history(ticket.id, { actor: agent });
 * const policy: SlaPolicy = { id: 'standard', calendar: 'office', targets: { firstReply: 120 } };
 * const { metrics, breached } = evaluateSla(events, [policy], { office }, new Date('2026-03-02T12:00:00Z'));
 */
export function evaluateSla(
  events: readonly StoredEvent[],
  policies: readonly (SlaPolicy | CompiledPolicy)[],
  calendars: Readonly<Record<string, WorkingTimeCalendar>>,
  now: Date,
): SlaEvaluation {
  const cut = now.toISOString();
  const ticket = fold(events.filter((e) => e.occurredAt <= cut));
  if (!ticket) return { metrics: [], breached: false, atRisk: false };
  const compiled = policies.every((p) => 'matches' in p)
    ? (policies as CompiledPolicy[])
    : definePolicies(policies, calendars);
  return evaluateTicketSla(ticket, compiled, calendars, now);
}

export interface BacktestReport {
  tickets: number;
  /** Tickets the policy applied to. */
  matched: number;
  /** Tickets with at least one breached metric. */
  breached: number;
  /** Breached cycles per metric kind. */
  byMetric: Partial<Record<SlaMetricName, { measured: number; breached: number }>>;
}

/**
 * Runs a proposed policy over past ticket histories and reports how many would have breached.
 *
 * @example
 * const proposed: SlaPolicy = { id: 'faster', calendar: 'office', targets: { firstReply: 60 } };
 * const lastQuarter = [events]; // one event list per past ticket, e.g. from desk.history
 * const report = backtestSla(lastQuarter, proposed, { office }, new Date('2026-04-01T00:00:00Z'));
 * report.breached; // how many of them would have breached
 */
export function backtestSla(
  histories: readonly (readonly StoredEvent[])[],
  policy: SlaPolicy | readonly SlaPolicy[],
  calendars: Readonly<Record<string, WorkingTimeCalendar>>,
  now: Date,
): BacktestReport {
  const compiled = definePolicies(Array.isArray(policy) ? policy : [policy as SlaPolicy], calendars);
  const report: BacktestReport = { tickets: 0, matched: 0, breached: 0, byMetric: {} };
  for (const events of histories) {
    report.tickets++;
    const result = evaluateSla(events, compiled, calendars, now);
    if (result.policyId === undefined) continue;
    report.matched++;
    if (result.breached) report.breached++;
    for (const m of result.metrics) {
      const row = report.byMetric[m.kind] ?? { measured: 0, breached: 0 };
      report.byMetric[m.kind] = row;
      row.measured++;
      if (m.status === 'breached') row.breached++;
    }
  }
  return report;
}
