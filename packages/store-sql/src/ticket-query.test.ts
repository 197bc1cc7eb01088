import {
  encodeCursor,
  type SortField,
  type TicketFilter,
  type TicketQuery,
  ValidationError,
} from '@tessera/core';
import { sampleSummary } from '@tessera/testing';
import { describe, expect, it } from 'vitest';
import { postgresDialect, sqliteDialect } from './dialects';
import { fromSqlText } from './postgres-text';
import { ticketPage, ticketQuerySql } from './ticket-query';
import { tenantKey, ticketColumns, ticketRow, upsertTicketSql } from './ticket-schema';

/** A filter with every key, lists of none, one and several values, and nesting. */
const filters: TicketFilter[] = [
  {},
  { tenantId: 'acme', status: 'open' },
  { tenantId: null, ids: [], numbers: [1, 2], team: [null, 'a', 'b'], assignee: null, tags: ['x', 'y'] },
  {
    category: ['new', 'open'],
    type: 'incident',
    priority: ['high'],
    channel: ['email', 'api'],
    requesterId: 'c1',
    organization: null,
    text: 'Printer\u0000',
    awaitingAgent: true,
    createdAfter: '2026-01-01',
    createdBefore: '2026-02-01',
    updatedAfter: '2026-01-01',
    updatedBefore: '2026-02-01',
    slaBreached: false,
    slaAtRisk: true,
    slaDeadlineBefore: '2026-03-01',
    dueBefore: '2026-03-01',
  },
  { anyOf: [] },
  { anyOf: [{}, { status: 'open', tags: ['a'] }, { team: ['t', null] }] },
  { text: 'paper "jam x" or toner* -laser', status: 'open', anyOf: [{ text: 'nested' }, { team: 't' }] },
];
const sorts: SortField[] = [
  'number',
  'createdAt',
  'updatedAt',
  'priority',
  'lastCustomerMessageAt',
  'slaNextDeadline',
  'dueAt',
];
const cursors = [
  undefined,
  encodeCursor(undefined, 't1'),
  encodeCursor('2026-01-01', 't\u00002'),
  encodeCursor(3, 't3'),
];
const queries: TicketQuery[] = [
  ...filters.flatMap((filter) =>
    sorts.flatMap((field) =>
      cursors.map((cursor) => ({ filter, sort: { field }, ...(cursor === undefined ? {} : { cursor }) })),
    ),
  ),
  // Relevance pages by a numeric rank, in both scopes.
  ...filters.flatMap((filter) =>
    (['public', 'all'] as const).flatMap((textScope) =>
      [undefined, encodeCursor(1.5, 't\u00003')].map((cursor) => ({
        filter,
        textScope,
        sort: { field: 'relevance' as const },
        ...(cursor === undefined ? {} : { cursor }),
      })),
    ),
  ),
];

describe('ticketQuerySql', () => {
  it('binds one value per SQLite `?`, and numbers PostgreSQL placeholders in the order they appear', () => {
    for (const q of queries) {
      const lite = ticketQuerySql(q, sqliteDialect, 'tickets');
      expect(lite.sql.split('?').length - 1, JSON.stringify(q)).toBe(lite.params.length);
      const pg = ticketQuerySql(q, postgresDialect, '"s".tickets');
      // A search names one value in several places (a term tested on both parts): each number
      // first appears in order.
      const numbers = [...new Set([...pg.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))];
      expect(numbers, JSON.stringify(q)).toEqual(pg.params.map((_, i) => i + 1));
    }
  });

  it('binds the cursor in text order: the sort value before the id', () => {
    const q = ticketQuerySql(
      { sort: { field: 'number' }, cursor: encodeCursor(7, 'T7') },
      sqliteDialect,
      'tickets',
    );
    expect(q.sql).toContain('(number, id) < (?, ?)');
    expect(q.params).toEqual([7, 'T7', 51]);
    const n = ticketQuerySql(
      { sort: { field: 'dueAt', direction: 'asc' }, cursor: encodeCursor('2026-01-01', 'T1') },
      sqliteDialect,
      'tickets',
    );
    expect(n.params).toEqual(['2026-01-01', '2026-01-01', 'T1', 51]);
  });

  it('keeps strings in the dialect form: PostgreSQL escapes U+0000, SQLite keeps it', () => {
    const filter = { ids: ['a\u0000'], tenantId: 'b\u0000' };
    expect(ticketQuerySql({ filter }, sqliteDialect, 'tickets').params.slice(0, 2)).toEqual([
      't:b\u0000',
      'a\u0000',
    ]);
    const pg = ticketQuerySql({ filter }, postgresDialect, 'tickets').params.slice(0, 2) as string[];
    expect(pg.every((p) => !p.includes('\u0000'))).toBe(true);
    expect(pg.map(fromSqlText)).toEqual(['t:b\u0000', 'a\u0000']);
  });

  it('refuses a cursor that is not from a previous page with a ValidationError', () => {
    expect(() => ticketQuerySql({ cursor: 'nonsense' }, sqliteDialect, 'tickets')).toThrow(ValidationError);
  });
});

describe('ticketPage', () => {
  it('returns at most limit rows, and a cursor only when the extra row says there is more', () => {
    const rows = [1, 2, 3].map((n) => JSON.stringify(sampleSummary(n, { id: `T${n}` })));
    expect(ticketPage(rows.slice(0, 2), { field: 'number', limit: 2 })).toEqual({
      items: [JSON.parse(rows[0]!), JSON.parse(rows[1]!)],
    });
    const more = ticketPage(rows, { field: 'number', limit: 2 });
    expect(more.items.map((s) => s.id)).toEqual(['T1', 'T2']);
    expect(more.nextCursor).toBe(encodeCursor(2, 'T2'));
  });
});

describe('the ticket row', () => {
  it('has one value per column, and the upsert one placeholder per value', () => {
    const summary = sampleSummary(1, { tenantId: 'acme', tags: ['a', 'a', 'b'] });
    for (const dialect of [sqliteDialect, postgresDialect]) {
      const row = ticketRow(summary, dialect);
      expect(row).toHaveLength(ticketColumns(dialect).length);
      expect(row[0]).toBe(tenantKey(dialect, 'acme'));
      const sql = upsertTicketSql(dialect, 'tickets');
      const placeholders =
        dialect === sqliteDialect ? sql.split('?').length - 1 : sql.match(/\$\d+/g)!.length;
      expect(placeholders).toBe(row.length);
    }
    const tags = ticketColumns(postgresDialect).findIndex((c) => c.name === 'tags');
    expect(ticketRow(summary, postgresDialect)[tags]).toEqual(['a', 'b']);
    expect(ticketColumns(sqliteDialect).some((c) => c.name === 'tags')).toBe(false);
  });

  it('keeps no tenant and a tenant named "" apart', () => {
    for (const dialect of [sqliteDialect, postgresDialect]) {
      expect(tenantKey(dialect, undefined)).toBe('');
      expect(tenantKey(dialect, null)).toBe('');
      expect(tenantKey(dialect, '')).toBe('t:');
    }
  });
});
