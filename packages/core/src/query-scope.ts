import { ValidationError } from './errors';
import type { Actor } from './model';
import type { TicketFilter } from './ports';

export type SavedQueue = 'unassigned' | 'mine' | 'waiting-on-agent' | 'waiting-on-customer' | 'sla-at-risk';

/**
 * The index filter of a saved queue, for the actor who opens it (`mine` is theirs).
 *
 * @example
 * queueFilter('waiting-on-agent', agent); // → { awaitingAgent: true, category: ['new', 'open', 'on_hold'] }
 */
export function queueFilter(queue: SavedQueue, actor: Actor): TicketFilter {
  const live: TicketFilter['category'] = ['new', 'open', 'pending', 'on_hold'];
  switch (queue) {
    case 'unassigned':
      return { assignee: null, category: ['new', 'open', 'on_hold'] };
    case 'mine':
      return { assignee: actor.id, category: live };
    case 'waiting-on-agent':
      return { awaitingAgent: true, category: ['new', 'open', 'on_hold'] };
    case 'waiting-on-customer':
      return { category: 'pending' };
    case 'sla-at-risk':
      return { category: live, anyOf: [{ slaAtRisk: true }, { slaBreached: true }] };
    default:
      throw new ValidationError([
        {
          path: 'queue',
          message: `unknown queue ${JSON.stringify(queue)}; use unassigned, mine, waiting-on-agent, waiting-on-customer or sla-at-risk`,
        },
      ]);
  }
}

/**
 * The AND of several filters, written as one: same keys intersect, `anyOf`s combine. `null` when
 * they contradict each other (say, a caller's `requesterId` outside the actor's scope): no ticket
 * can match, and the desk answers an empty page without asking the index. A sentinel value in the
 * filter instead would be a real value to the index (PostgreSQL refused the old U+0000 one).
 *
 * @example
 * andFilters([{ category: ['open', 'pending'] }, { category: 'open' }]); // → { category: ['open'] }
 * andFilters([{ requesterId: 'c1' }, { requesterId: 'c2' }]);            // → null
 */
export function andFilters(filters: readonly TicketFilter[]): TicketFilter | null {
  const out: Record<string, unknown> = {};
  const anyOfs: NonNullable<TicketFilter['anyOf']>[] = [];
  for (const f of filters) {
    for (const [key, value] of Object.entries(f) as [keyof TicketFilter, unknown][]) {
      if (value === undefined) continue;
      if (key === 'anyOf') {
        anyOfs.push(value as NonNullable<TicketFilter['anyOf']>);
        continue;
      }
      if (!(key in out)) {
        out[key] = value;
        continue;
      }
      const both = intersect(key, out[key], value);
      if (both === CONTRADICTION) return null;
      out[key] = both;
    }
  }
  if (anyOfs.length === 1) out.anyOf = anyOfs[0];
  else if (anyOfs.length > 1) {
    // (a1 ∨ a2) ∧ (b1 ∨ b2) = (a1∧b1) ∨ (a1∧b2) ∨ …; a contradicting conjunct drops out.
    let combined: TicketFilter[] = [{}];
    for (const list of anyOfs) {
      combined = combined.flatMap((c) =>
        list.map((item) => andFilters([c, item])).filter((f): f is TicketFilter => f !== null),
      );
    }
    if (combined.length === 0) return null;
    out.anyOf = combined;
  }
  return out as TicketFilter;
}

const CONTRADICTION: unique symbol = Symbol('contradiction');

function intersect(key: string, a: unknown, b: unknown): unknown {
  switch (key) {
    case 'tags':
      return [...new Set([...(a as string[]), ...(b as string[])])];
    case 'createdAfter':
    case 'updatedAfter':
      return (a as string) > (b as string) ? a : b;
    case 'createdBefore':
    case 'updatedBefore':
    case 'dueBefore':
    case 'slaDeadlineBefore':
      return (a as string) < (b as string) ? a : b;
    case 'text': {
      // Substrings: the one that contains the other implies it. The desk's own scopes carry no
      // text, so two unrelated texts only meet when a caller ANDs them (one key cannot say both).
      const [x, y] = [(a as string).toLowerCase(), (b as string).toLowerCase()];
      return x.includes(y) ? a : y.includes(x) ? b : CONTRADICTION;
    }
    case 'awaitingAgent':
    case 'slaBreached':
    case 'slaAtRisk':
    case 'tenantId':
      return a === b ? a : CONTRADICTION;
    default: {
      const la = Array.isArray(a) ? a : [a];
      const lb = Array.isArray(b) ? b : [b];
      const both = la.filter((x) => lb.includes(x));
      return both.length > 0 ? both : CONTRADICTION;
    }
  }
}
