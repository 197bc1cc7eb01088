import type { CalendarOf, FactRow } from './compute';
import type { Standing } from './facts';
import { type Csat, csat, type DurationSamples, type Durations, durations } from './figures';
import type { Period } from './periods';

/** One agent's line of the per-agent table for a period. */
export interface AgentRow {
  agentId: string;
  /** Solves (live → solved or closed) whose event that agent's own. */
  solved: number;
  /** First replies of tickets that were that agent's (creation → their reply). */
  firstReply: Durations;
  /** The latest ratings given in the period of tickets assigned to that agent when they were rated. */
  csat: Csat;
  /** Minutes that agent logged in the period. */
  timeLoggedMinutes: number;
}

interface AgentAcc {
  solved: number;
  firstReply: DurationSamples;
  ratings: number;
  positive: number;
  minutes: number;
}

/**
 * The per-agent table: every agent who solved, first-replied, was assigned a ticket when it was
 * rated, or logged time in the period, by id. Pure, like `computeReport`.
 *
 * @example
 * const period = checkSpec({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', timeZone: 'UTC' });
 * computeAgents([{ summary, facts: rowFacts(summary) }], period, (row) => (row.team === 'billing' ? office : undefined), true);
 * // → [{ agentId: 'ana', solved: 3, firstReply: { count: 2, … }, csat: { … }, timeLoggedMinutes: 45 }, …]
 */
export function computeAgents(
  tickets: Iterable<FactRow>,
  period: Period,
  calendarOf: CalendarOf,
  business: boolean,
): AgentRow[] {
  const byAgent = new Map<string, AgentAcc>();
  const of = (id: string): AgentAcc => {
    let a = byAgent.get(id);
    if (!a) {
      a = { solved: 0, firstReply: { calendar: [], business: [] }, ratings: 0, positive: 0, minutes: 0 };
      byAgent.set(id, a);
    }
    return a;
  };
  const inPeriod = (at: string) => {
    const t = Date.parse(at);
    return t >= period.from && t < period.to;
  };
  for (const { summary, facts } of tickets) {
    const created = Date.parse(summary.createdAt);
    if (!(created < period.to)) continue;
    let now: Standing = 'l';
    for (const [at, to, by] of facts.moves) {
      if (to === now) continue;
      if (now === 'l' && to === 'd' && by !== undefined && inPeriod(at)) of(by).solved += 1;
      now = to;
    }
    if (facts.firstReply && inPeriod(facts.firstReply[0])) {
      const [at, by] = facts.firstReply;
      const end = Date.parse(at);
      const samples = of(by).firstReply;
      samples.calendar.push(end - created);
      const calendar = calendarOf(summary);
      if (calendar) samples.business.push(calendar.workingTimeBetween(new Date(created), new Date(end)));
    }
    const ratedAssignee = facts.rating?.[2];
    if (facts.rating && ratedAssignee !== undefined && inPeriod(facts.rating[0])) {
      const a = of(ratedAssignee);
      a.ratings += 1;
      if (facts.rating[1] >= 4) a.positive += 1;
    }
    for (const [at, minutes, agentId] of facts.time) if (inPeriod(at)) of(agentId).minutes += minutes;
  }
  return [...byAgent.keys()].sort().map((agentId) => {
    const a = byAgent.get(agentId)!;
    return {
      agentId,
      solved: a.solved,
      firstReply: durations(a.firstReply, business),
      csat: csat(a.ratings, a.positive),
      timeLoggedMinutes: a.minutes,
    };
  });
}
