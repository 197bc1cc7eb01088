import { describe, expect, it } from 'vitest';
import { createHelpdesk } from './desk';
import { inMemoryStore } from './memory';
import type { Actor } from './model';
import type { TicketQuery } from './ports';
import { andFilters } from './query-scope';

const customer: Actor = { kind: 'customer', id: 'c1' };

describe('andFilters', () => {
  it('intersects same keys, and says null — not a sentinel value — when they contradict', () => {
    expect(andFilters([{ category: ['open', 'pending'] }, { category: 'open' }])).toEqual({
      category: ['open'],
    });
    expect(andFilters([{ requesterId: 'c1' }, { requesterId: 'c2' }])).toBeNull();
    expect(andFilters([{ tenantId: 'a' }, { tenantId: null }])).toBeNull();
    expect(andFilters([{ awaitingAgent: true }, { awaitingAgent: false }])).toBeNull();
    // Two searches AND into one asking for both; a repeated word is asked for once.
    expect(andFilters([{ text: 'Printer on fire' }, { text: 'fire' }])).toEqual({
      text: '"Printer" "on" "fire"',
    });
    expect(andFilters([{ text: 'printer or fax' }, { text: '-laser "paper jam"' }])).toEqual({
      text: '"printer" or "fax" "paper jam" -"laser"',
    });
    expect(andFilters([{ text: 'same words' }, { text: 'same words' }])).toEqual({ text: 'same words' });
    expect(andFilters([{ team: ['t1', null] }, { team: 't2' }])).toBeNull();
    // anyOf: a conjunct that contradicts drops out; when all do, nothing matches.
    expect(
      andFilters([
        { anyOf: [{ requesterId: 'c1' }, { organization: 'o1' }] },
        { anyOf: [{ requesterId: 'c1' }] },
      ]),
    ).toEqual({ anyOf: [{ requesterId: ['c1'] }, { organization: 'o1', requesterId: 'c1' }] });
    expect(andFilters([{ anyOf: [{ requesterId: 'c1' }] }, { anyOf: [{ requesterId: 'c2' }] }])).toBeNull();
    expect(JSON.stringify(andFilters([{ status: 'a' }, { status: 'b' }]))).not.toContain('\u0000');
  });
});

/** An in-memory store that records every query the desk asks its index. */
function recordingStore() {
  const store = inMemoryStore();
  const asked: TicketQuery[] = [];
  const query = store.index.query.bind(store.index);
  store.index.query = (q) => {
    asked.push(q);
    return query(q);
  };
  return { store, asked };
}

describe('the desk and an empty scope', () => {
  it('answers an empty page without asking the index when the filter contradicts the scope', async () => {
    const { store, asked } = recordingStore();
    const desk = createHelpdesk({ store });
    await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 'nul \u0000 here', body: 'b' },
      { actor: customer },
    );
    asked.length = 0;
    expect(await desk.query({ requesterId: 'c2' }, { actor: customer })).toEqual({ items: [] });
    expect(asked).toEqual([]);
    // U+0000 is no word: a search of no words matches every ticket. The tenant is always named.
    const hit = await desk.query({ text: '\u0000' }, { actor: customer });
    expect(hit.items).toHaveLength(1);
    expect(asked.map((q) => q.filter?.tenantId)).toEqual([null]);
  });
});

describe('what the desk asks the index for a search', () => {
  it('sets textScope from the actor whatever the caller passed, and sorts a search by relevance', async () => {
    const { store, asked } = recordingStore();
    const desk = createHelpdesk({ store });
    const all = { textScope: 'all' } as const;
    await desk.query({ text: 'printer' }, { actor: customer, ...all });
    await desk.query({ text: 'printer' }, { actor: { kind: 'agent', id: 'a1' }, textScope: 'public' });
    await desk.query({ text: 'printer' }, { actor: customer, sort: { field: 'number' } });
    await desk.query({ text: '  ' }, { actor: customer });
    await desk.query({}, { actor: customer });
    expect(asked.map((q) => [q.textScope, q.sort?.field])).toEqual([
      ['public', 'relevance'],
      ['all', 'relevance'],
      ['public', 'number'],
      ['public', undefined],
      ['public', undefined],
    ]);
  });
});
