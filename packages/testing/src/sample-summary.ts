// What the index suites share: the sample rows they write and a reader of every page of a query.
import type { TicketIndex, TicketQuery, TicketSummary } from '@tessera/core';

const BASE = Date.parse('2026-01-01T00:00:00.000Z');
/** The instant `minutes` after the samples' base (2026-01-01), as ISO text. */
export const iso = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/**
 * A summary for index conformance runs: ticket `n`, its status, priority, tags and times spread
 * by `n` so queries have something to sort and filter, and `overrides` on top.
 *
 * @example
 * await store.index.upsert(sampleSummary(1, { tags: ['vip'] }));
 */
export function sampleSummary(n: number, overrides: Partial<TicketSummary> = {}): TicketSummary {
  const priorities = ['low', 'normal', 'high', 'urgent'] as const;
  const summary: TicketSummary = {
    id: `t${String(n).padStart(4, '0')}`,
    number: n,
    subject: `Ticket ${n} ${n % 3 === 0 ? 'Printer' : 'Login'} problem`,
    status: n % 4 === 0 ? 'pending' : 'open',
    category: n % 4 === 0 ? 'pending' : 'open',
    priority: priorities[n % 4]!,
    tags: n % 2 === 0 ? ['vip', 'billing'] : ['billing'],
    requester: { id: `c${n % 5}`, email: `c${n % 5}@example.com` },
    channel: n % 3 === 0 ? 'email' : 'portal',
    createdAt: iso(n),
    updatedAt: iso(1000 - n * 7),
    awaitingAgent: n % 2 === 1,
    version: 1,
    ...overrides,
  };
  if (n % 3 !== 0 && !('team' in overrides)) summary.team = n % 3 === 1 ? 'support' : 'sales';
  if (n % 5 === 0 && !('assignee' in overrides)) summary.assignee = 'a1';
  if (n % 2 === 0 && !('organization' in overrides)) summary.organization = 'acme';
  if (n % 4 === 1 && !('sla' in overrides))
    summary.sla = { policyId: 'p', nextDeadline: iso(2000 + n), breached: n % 8 === 1, atRisk: true };
  if (n % 6 === 0 && !('dueAt' in overrides)) summary.dueAt = iso(500 + n);
  if (n % 2 === 1 && !('lastCustomerMessageAt' in overrides)) summary.lastCustomerMessageAt = iso(n * 2);
  if (n % 7 === 0 && !('type' in overrides)) summary.type = 'incident';
  return summary;
}

/** Every row of a query, page by page through its cursors (a suite failure if paging never ends). */
export async function allPages(
  index: TicketIndex,
  query: Omit<TicketQuery, 'cursor'>,
): Promise<TicketSummary[]> {
  const out: TicketSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await index.query({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...result.items);
    if (!result.nextCursor) return out;
    cursor = result.nextCursor;
  }
  throw new Error('paging did not end');
}
