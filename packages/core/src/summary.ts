import type { Ticket } from './model';
import { PRIORITY_RANK } from './model';
import type { SearchDocument, SortField, TicketFilter, TicketQuery, TicketSummary } from './ports';
import { matchesSearch, summaryDocument } from './search-match';

/**
 * The index row of a ticket, before extensions add their parts.
 *
 * @example
 * await store.index.upsert(toSummary(ticket));
 */
export function toSummary(ticket: Ticket): TicketSummary {
  // The last public message of a person: an acknowledgement or reminder by automation or the
  // system answers no one, so it must not take a ticket out of "waiting on agent".
  let lastPublic: Ticket['messages'][number] | undefined;
  for (let i = ticket.messages.length - 1; i >= 0; i--) {
    const m = ticket.messages[i]!;
    if (m.visibility === 'public' && m.author.kind !== 'automation' && m.author.kind !== 'system') {
      lastPublic = m;
      break;
    }
  }
  const live = ticket.category !== 'solved' && ticket.category !== 'closed' && ticket.category !== 'merged';
  const summary: TicketSummary = {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    status: ticket.status,
    category: ticket.category,
    priority: ticket.priority,
    tags: [...ticket.tags],
    requester: { ...ticket.requester },
    channel: ticket.channel,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    awaitingAgent: live && ticket.category !== 'pending' && lastPublic?.author.kind === 'customer',
    version: ticket.version,
  };
  if (ticket.tenantId !== undefined) summary.tenantId = ticket.tenantId;
  if (ticket.type !== undefined) summary.type = ticket.type;
  if (ticket.team !== undefined) summary.team = ticket.team;
  if (ticket.assignee !== undefined) summary.assignee = ticket.assignee;
  if (ticket.requester.organizationId !== undefined) summary.organization = ticket.requester.organizationId;
  if (ticket.lastUpdatedBy !== undefined)
    summary.lastUpdatedBy = { id: ticket.lastUpdatedBy.id, kind: ticket.lastUpdatedBy.kind };
  if (ticket.lastCustomerMessageAt !== undefined)
    summary.lastCustomerMessageAt = ticket.lastCustomerMessageAt;
  if (ticket.lastAgentReplyAt !== undefined) summary.lastAgentReplyAt = ticket.lastAgentReplyAt;
  return summary;
}

const many = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function oneOf(value: string | undefined, wanted: string | null | (string | null)[]): boolean {
  return many(wanted).some((w) => (w === null ? value === undefined : value === w));
}

/**
 * Whether a summary matches a filter, by the semantics every `TicketIndex` implements: every key
 * given must hold; an array means "one of"; `null` means "has none"; `tags` means "has all"; `text`
 * is a search (`matchesSearch`) of the row's search document in the part `textScope` allows — the
 * number, subject and requester only when no document is given, as for a row upserted without one.
 *
 * @example
 * matchesTicketFilter(summary, { category: ['open', 'pending'], assignee: null });
 * matchesTicketFilter(summary, { text: 'printer' }, { document: searchDocument(ticket), textScope: 'all' });
 */
export function matchesTicketFilter(
  s: TicketSummary,
  f: TicketFilter,
  search: { document?: SearchDocument; textScope?: TicketQuery['textScope'] } = {},
): boolean {
  if (f.tenantId !== undefined && (s.tenantId ?? null) !== f.tenantId) return false;
  if (f.ids !== undefined && !f.ids.includes(s.id)) return false;
  if (f.numbers !== undefined && !f.numbers.includes(s.number)) return false;
  if (f.status !== undefined && !oneOf(s.status, f.status)) return false;
  if (f.category !== undefined && !oneOf(s.category, f.category)) return false;
  if (f.type !== undefined && !oneOf(s.type, f.type)) return false;
  if (f.team !== undefined && !oneOf(s.team, f.team)) return false;
  if (f.assignee !== undefined && !oneOf(s.assignee, f.assignee)) return false;
  if (f.priority !== undefined && !oneOf(s.priority, f.priority)) return false;
  if (f.channel !== undefined && !oneOf(s.channel, f.channel)) return false;
  if (f.tags !== undefined && !f.tags.every((t) => s.tags.includes(t))) return false;
  if (f.requesterId !== undefined && !oneOf(s.requester.id, f.requesterId)) return false;
  if (f.organization !== undefined && !oneOf(s.organization, f.organization)) return false;
  if (
    f.text !== undefined &&
    !matchesSearch(search.document ?? summaryDocument(s), f.text, search.textScope ?? 'public')
  ) {
    return false;
  }
  if (f.awaitingAgent !== undefined && s.awaitingAgent !== f.awaitingAgent) return false;
  if (f.createdAfter !== undefined && !(s.createdAt > f.createdAfter)) return false;
  if (f.createdBefore !== undefined && !(s.createdAt < f.createdBefore)) return false;
  if (f.updatedAfter !== undefined && !(s.updatedAt > f.updatedAfter)) return false;
  if (f.updatedBefore !== undefined && !(s.updatedAt < f.updatedBefore)) return false;
  if (f.slaBreached !== undefined && (s.sla?.breached ?? false) !== f.slaBreached) return false;
  if (f.slaAtRisk !== undefined && (s.sla?.atRisk ?? false) !== f.slaAtRisk) return false;
  if (
    f.slaDeadlineBefore !== undefined &&
    !(s.sla?.nextDeadline !== undefined && s.sla.nextDeadline <= f.slaDeadlineBefore)
  ) {
    return false;
  }
  if (f.dueBefore !== undefined && !(s.dueAt !== undefined && s.dueAt <= f.dueBefore)) return false;
  if (f.anyOf !== undefined && !f.anyOf.some((sub) => matchesTicketFilter(s, sub, search))) return false;
  return true;
}

/**
 * The value a summary sorts by (numbers for number and priority, ISO strings for times).
 *
 * @example
 * sortValue(summary, 'priority'); // the priority's rank: low < normal < high < urgent
 * sortValue(summary, 'dueAt'); // an ISO string, or undefined when it has none
 */
export function sortValue(s: TicketSummary, field: SortField): string | number | undefined {
  switch (field) {
    case 'number':
      return s.number;
    case 'priority':
      return PRIORITY_RANK[s.priority];
    case 'slaNextDeadline':
      return s.sla?.nextDeadline;
    case 'dueAt':
      return s.dueAt;
    case 'relevance':
      // A rank is the engine's, per query: the row holds none.
      return undefined;
    default:
      return s[field];
  }
}

/**
 * Orders summaries for a query: by the sort field (missing values last, whatever the direction),
 * then by id in the same direction, so every order is total, a keyset cursor is exact, and an SQL
 * index on (field, id) serves the order in either direction.
 *
 * @example
 * const { field, direction } = querySort({ sort: { field: 'number' } });
 * const key = (s: TicketSummary) => ({ value: sortValue(s, field), id: s.id });
 * const sorted = [summary].sort((a, b) => compareSummaries(key(a), key(b), direction));
 */
export function compareSummaries(
  a: { value: string | number | undefined; id: string },
  b: { value: string | number | undefined; id: string },
  direction: 'asc' | 'desc',
): number {
  if (a.value !== b.value) {
    if (a.value === undefined) return 1;
    if (b.value === undefined) return -1;
    const c = a.value < b.value ? -1 : 1;
    return direction === 'asc' ? c : -c;
  }
  const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return direction === 'asc' ? byId : -byId;
}

/**
 * The sort of a query with its defaults filled in.
 *
 * @example
 * querySort({}); // { field: 'updatedAt', direction: 'desc' }
 * querySort({ sort: { field: 'number' } }); // { field: 'number', direction: 'desc' }
 */
export function querySort(q: TicketQuery): { field: SortField; direction: 'asc' | 'desc' } {
  return { field: q.sort?.field ?? 'updatedAt', direction: q.sort?.direction ?? 'desc' };
}

/**
 * The page size of a query: default 50, at most 500.
 *
 * @example
 * queryLimit({}); // 50
 * queryLimit({ limit: 10_000 }); // 500
 */
export function queryLimit(q: TicketQuery): number {
  return Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 500);
}

const toBase64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const fromBase64 = (b64: string) =>
  new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

/**
 * A keyset cursor: the last row's sort value and id, opaque to callers.
 *
 * @example
 * const nextCursor = encodeCursor(sortValue(summary, 'updatedAt'), summary.id);
 */
export function encodeCursor(value: string | number | undefined, id: string): string {
  return toBase64(JSON.stringify([value ?? null, id]));
}

/**
 * Reads a cursor written by `encodeCursor`; `undefined` for a malformed one.
 *
 * @example
 * decodeCursor(encodeCursor(42, 'T1')); // { value: 42, id: 'T1' }
 * decodeCursor('not a cursor'); // undefined
 */
export function decodeCursor(cursor: string): { value: string | number | undefined; id: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(fromBase64(cursor));
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string') return undefined;
    const value = parsed[0];
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') return undefined;
    return { value: value ?? undefined, id: parsed[1] };
  } catch {
    return undefined;
  }
}
