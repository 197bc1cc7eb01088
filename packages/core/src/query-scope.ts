import { ValidationError } from './errors';
import type { Actor } from './model';
import type { TicketFilter, TicketQuery } from './ports';
import { seesEverything } from './redact';
import { formatSearch, parseSearch, type SearchTerm } from './search-query';

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
 * The AND of several filters, written as one: same keys intersect, `anyOf`s combine, two searches
 * (`text`) become one that asks for both (a `ValidationError` if either does not parse). `null` when
 * they contradict each other (say, a caller's `requesterId` outside the actor's scope): no ticket
 * can match, and the desk answers an empty page without asking the index. A sentinel value in the
 * filter instead would be a real value to the index (PostgreSQL refused the old U+0000 one).
 *
 * @example
 * andFilters([{ category: ['open', 'pending'] }, { category: 'open' }]); // → { category: ['open'] }
 * andFilters([{ requesterId: 'c1' }, { requesterId: 'c2' }]);            // → null
 * andFilters([{ text: 'printer' }, { text: 'jam or toner' }]);           // → { text: '"printer" "jam" or "toner"' }
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
    case 'text':
      return andSearches(a as string, b as string);
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

const sameTerm = (x: SearchTerm, y: SearchTerm) =>
  x.prefix === y.prefix && x.words.length === y.words.length && x.words.every((w, i) => w === y.words[i]);

/** One search asking for what both ask: their clauses and exclusions together, repeats dropped. */
function andSearches(a: string, b: string): string {
  if (a === b) return a;
  const [x, y] = [parseSearch(a), parseSearch(b)];
  const sameClause = (c: { any: SearchTerm[] }, d: { any: SearchTerm[] }) =>
    c.any.length === d.any.length && c.any.every((t, i) => sameTerm(t, d.any[i]!));
  return formatSearch({
    all: [...x.all, ...y.all.filter((c) => !x.all.some((d) => sameClause(c, d)))],
    none: [...x.none, ...y.none.filter((t) => !x.none.some((u) => sameTerm(t, u)))],
  });
}

/**
 * Which part of the search documents an actor's `filter.text` matches: staff and the desk's own
 * actors (`seesEverything`) and the system (no actor) match internal notes too; a customer, and any
 * actor kind the desk does not know, the public part only. Set by the desk, never by the caller.
 *
 * @example
 * textScopeOf({ kind: 'agent', id: 'a1' });    // → 'all'
 * textScopeOf({ kind: 'customer', id: 'c1' }); // → 'public'
 */
export function textScopeOf(actor: Actor | undefined): NonNullable<TicketQuery['textScope']> {
  return actor === undefined || seesEverything(actor) ? 'all' : 'public';
}

/**
 * The index query of a desk query: the caller's filter ANDed with the desk's tenant and the actor's
 * scope (`actorScope`: `undefined` for the system, `null` when the actor may see nothing), the
 * `textScope` the actor is allowed (whatever the caller passed), and relevance as the sort of a
 * search that names none. Every `text` is parsed here, so a bad one is a `ValidationError` before
 * the index is asked anything. `null` when nothing can match.
 */
export function scopedTicketQuery(
  filter: TicketFilter,
  query: Omit<TicketQuery, 'filter'>,
  scope: { tenantId: string | null; actor: Actor | undefined; actorScope: TicketFilter | null | undefined },
): TicketQuery | null {
  for (const f of [filter, ...(filter.anyOf ?? [])]) if (f.text !== undefined) parseSearch(f.text);
  if (scope.actorScope === null) return null;
  const scoped: TicketFilter[] = [filter, { tenantId: scope.tenantId }];
  if (scope.actorScope) scoped.push(scope.actorScope);
  const combined = andFilters(scoped);
  if (combined === null) return null;
  const { textScope: _asked, ...rest } = query;
  const searching = combined.text !== undefined && parseSearch(combined.text).all.length > 0;
  return {
    ...rest,
    ...(rest.sort === undefined && searching ? { sort: { field: 'relevance', direction: 'desc' } } : {}),
    filter: combined,
    textScope: textScopeOf(scope.actor),
  };
}
