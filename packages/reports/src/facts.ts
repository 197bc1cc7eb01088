import type { ExtensionState, StatusCategory, StoredEvent, TicketSummary } from '@tessera/core';

/**
 * Where a ticket stands for a report: `l` live (new, open, pending, on hold — in the backlog),
 * `d` done (solved or closed), `m` merged into another ticket (gone, neither solved nor live).
 */
export type Standing = 'l' | 'd' | 'm';

/**
 * What the reports module keeps of one ticket: the few facts every figure of a report is computed
 * from, folded from the log in core's one pass and written with the ticket's index row (at
 * `summary.ext.reports`), so a report reads index rows and never the log. Times are ISO strings.
 */
export interface ReportFacts {
  /** When the ticket was opened: the message it was opened with (at that instant) is no reply. */
  opened?: string;
  /**
   * Each change of standing, oldest first: when, to what, and who made it when it was staff (an
   * agent or admin: the per-agent table credits solves to them). Solved → closed is no change.
   */
  moves: [at: string, to: Standing, by?: string][];
  /**
   * The first public message by an agent or admin after the opening one (not automation, the
   * system or a note).
   */
  firstReply?: [at: string, by: string];
  /** The latest rating (a later one replaces it), and who the ticket was assigned to then. */
  rating?: [at: string, score: number, assignee?: string];
  /** Who the ticket is assigned to, as folded so far: what a rating records. */
  assignee?: string;
  /** Each `TimeLogged`: when, minutes, by whom. */
  time: [at: string, minutes: number, agentId: string][];
  /** The first breach recorded by `@tessera/sla` per metric: metric and the instant it was breached. */
  breaches: [metric: string, at: string][];
}

/** The event types the facts are folded from: the fold calls the slice for these alone. */
export const FACT_EVENTS = [
  'TicketOpened',
  'StatusChanged',
  'MessagePosted',
  'RatingReceived',
  'TimeLogged',
  'Assigned',
  'Unassigned',
  'SlaBreached',
] as const;

/**
 * A category's standing.
 *
 * @example
 * standing('pending'); // → 'l'
 * standing('closed');  // → 'd'
 */
export function standing(category: StatusCategory): Standing {
  return category === 'solved' || category === 'closed' ? 'd' : category === 'merged' ? 'm' : 'l';
}

const staff = (kind: string | undefined) => kind === 'agent' || kind === 'admin';

type Data = Record<string, unknown>;

/**
 * The facts of one ticket after one more of its events: what the extension's slice does, and what
 * a from-scratch computation over the log does too (it is a plain function of the event).
 *
 * @example
 * const facts = emptyFacts();
 * for (const e of events) applyFact(facts, e); // a ticket's events, oldest first
 */
export function applyFact(facts: ReportFacts, event: StoredEvent): void {
  const data = event.data as Data;
  const at = event.occurredAt;
  switch (event.type as string) {
    case 'TicketOpened': {
      // A workflow's initial status is live; should one ever not be, the move keeps the backlog right.
      facts.opened = at;
      const to = standing(data.category as StatusCategory);
      if (to !== 'l') facts.moves.push([at, to]);
      return;
    }
    case 'StatusChanged': {
      const from = standing(data.fromCategory as StatusCategory);
      const to = standing(data.category as StatusCategory);
      if (from === to || from === 'm') return;
      const by = staff(event.actor.kind) ? event.actor.id : undefined;
      facts.moves.push(by === undefined ? [at, to] : [at, to, by]);
      return;
    }
    case 'MessagePosted': {
      // The message a ticket is opened with is no reply, even when an agent opened it (a phone
      // call): as the SLA clock counts it, the first reply is the next public staff message.
      if (facts.firstReply !== undefined || data.visibility !== 'public' || at === facts.opened) return;
      const author = data.author as { kind?: string; id?: string } | undefined;
      if (staff(author?.kind) && typeof author?.id === 'string') facts.firstReply = [at, author.id];
      return;
    }
    case 'RatingReceived':
      if (typeof data.score === 'number')
        facts.rating = facts.assignee === undefined ? [at, data.score] : [at, data.score, facts.assignee];
      return;
    case 'Assigned':
      if (typeof data.assignee === 'string') facts.assignee = data.assignee;
      return;
    case 'Unassigned':
      delete facts.assignee;
      return;
    case 'TimeLogged':
      if (typeof data.minutes === 'number' && typeof data.agentId === 'string')
        facts.time.push([at, data.minutes, data.agentId]);
      return;
    case 'SlaBreached': {
      const metric = data.metric;
      if (typeof metric !== 'string' || facts.breaches.some(([m]) => m === metric)) return;
      // SLA records the instant the budget ran out as the breach's `deadline`; a tick that came late
      // appends it later, but the breach happened then.
      const when =
        typeof data.deadline === 'string' && !Number.isNaN(Date.parse(data.deadline)) ? data.deadline : at;
      facts.breaches.push([metric, when]);
      return;
    }
  }
}

/**
 * The facts of a ticket with no events yet.
 *
 * @example
 * emptyFacts(); // → { moves: [], time: [], breaches: [] }
 */
export function emptyFacts(): ReportFacts {
  return { moves: [], time: [], breaches: [] };
}

/** The reports module's slice: its facts, folded in core's one pass from the events it needs. */
export const factsState: ExtensionState<ReportFacts> = {
  initial: emptyFacts,
  on: FACT_EVENTS,
  apply(draft, event) {
    applyFact(draft, event as StoredEvent);
  },
};

/**
 * The facts a ticket's index row carries (`summary.ext.reports`); empty ones for a row written
 * before the module was installed (`desk.rebuild()` fills them in).
 *
 * @example
 * const solves = rowFacts(summary).moves.filter(([, to]) => to === 'd').length;
 */
export function rowFacts(summary: Pick<TicketSummary, 'ext'>): ReportFacts {
  return (summary.ext?.reports as ReportFacts | undefined) ?? emptyFacts();
}
