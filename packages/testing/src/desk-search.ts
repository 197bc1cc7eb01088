// Desk-level search cases, written once and run on every store: this package runs them on the
// memory store (memory.conformance.test.ts), the SQL stores on theirs; a user's adapter may too.
// Only what every engine shares is asserted here (no stemming: memory has none).

import {
  type Actor,
  type Command,
  createHelpdesk,
  type ExtensionContext,
  type HelpdeskOptions,
  type Store,
  type TicketQuery,
  ValidationError,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';

const customer: Actor = { kind: 'customer', id: 'c1', name: 'Ann Smith', email: 'ann@acme.io' };
const other: Actor = { kind: 'customer', id: 'c2', name: 'Bob Jones', email: 'bob@beta.io' };
const agent: Actor = { kind: 'agent', id: 'a1' };

type Open = Extract<Command, { type: 'openTicket' }>;

/**
 * Desk-level search cases for a store adapter, on a fresh store from `makeStore` for each test
 * (closed after it): what every engine shares (subject, bodies, attachment names, requester,
 * `#number`, phrases, `-word`, `or`, prefixes, diacritics, other scripts, relevance and its cursor,
 * snippets from visible text, scopes, tenants). Call it from a vitest file.
 *
 * @example
 * deskSearchCases('sqlite', () => sqliteStore({ filename: ':memory:' }));
 */
export function deskSearchCases(name: string, makeStore: () => Store | Promise<Store>): void {
  async function setup(options: HelpdeskOptions = {}) {
    const store = await makeStore();
    let now = Date.parse('2026-03-02T09:00:00.000Z');
    let n = 0;
    let ctx: ExtensionContext | undefined;
    const desk = createHelpdesk({
      store,
      // Every reading a second later, so each change is the newest.
      clock: {
        now: () => {
          now += 1000;
          return new Date(now);
        },
      },
      ids: { next: () => `t${String(++n).padStart(3, '0')}` },
      extensions: [
        {
          name: 'probe',
          init: (c) => {
            ctx = c;
          },
        },
      ],
      ...options,
    });
    const open = async (over: Partial<Open> = {}, actor: Actor = customer) => {
      const requester = {
        id: actor.id,
        ...(actor.name ? { name: actor.name } : {}),
        ...(actor.email ? { email: actor.email } : {}),
      };
      const cmd: Open = {
        type: 'openTicket',
        channel: 'portal',
        requester,
        subject: 'Hello',
        body: 'Some text',
        ...over,
      };
      return (await desk.execute(cmd, { actor })).ticket;
    };
    const note = (ticketId: string, body: string, visibility: 'public' | 'internal' = 'internal') =>
      desk.execute({ type: 'postMessage', ticketId, body, visibility }, { actor: agent });
    const ids = async (text: string, actor: Actor = agent, q: Omit<TicketQuery, 'filter'> = {}) =>
      (await desk.query({ text }, { actor, ...q })).items.map((s) => s.id);
    return { store, desk, open, note, ids, context: () => ctx! };
  }

  describe(`desk search (${name})`, () => {
    it('matches the subject, every message, attachment names, the requester and the number', async () => {
      const { store, open, note, ids } = await setup();
      const a = await open({ subject: 'Printer on fire', body: 'It smokes' });
      const b = await open({
        subject: 'Question',
        body: 'See the file',
        attachments: [{ filename: 'quarterly-report.pdf', contentType: 'application/pdf', size: 10 }],
      });
      const c = await open({ subject: 'Another' }, other);
      await note(c.id, 'We replied about the warranty', 'public');
      expect(await ids('printer')).toEqual([a.id]);
      expect(await ids('smokes')).toEqual([a.id]);
      expect(await ids('quarterly')).toEqual([b.id]);
      expect(await ids('warranty')).toEqual([c.id]);
      expect(await ids('jones')).toEqual([c.id]);
      expect(await ids('bob@beta.io')).toEqual([c.id]);
      expect(await ids(`#${b.number}`)).toEqual([b.id]);
      expect(await ids(String(b.number))).toEqual([b.id]);
      await store.close?.();
    });

    it('reads phrases, exclusions, or and prefixes', async () => {
      const { store, open, ids } = await setup();
      const a = await open({ subject: 'Paper jam in tray', body: 'the paper is stuck' });
      const b = await open({ subject: 'Jam of paper', body: 'toner low' });
      const c = await open({ subject: 'Invoice missing', body: 'need the invoices' });
      expect(await ids('"paper jam"')).toEqual([a.id]);
      expect((await ids('paper jam')).sort()).toEqual([a.id, b.id]);
      expect(await ids('paper -toner')).toEqual([a.id]);
      expect(await ids('paper -"jam of"')).toEqual([a.id]);
      expect((await ids('toner or invoice')).sort()).toEqual([b.id, c.id]);
      expect(await ids('invo*')).toEqual([c.id]);
      expect(await ids('tr*')).toEqual([a.id]);
      expect(await ids('nothing-like-it')).toEqual([]);
      await store.close?.();
    });

    it('folds diacritics and finds Russian, Hebrew and German texts by their own words and prefixes', async () => {
      const { store, open, ids } = await setup();
      const cv = await open({ subject: 'My résumé', body: 'Attached' });
      const ru = await open({ subject: 'Принтер не печатает', body: 'Помогите пожалуйста' });
      const he = await open({ subject: 'המדפסת לא עובדת', body: 'בבקשה לעזור' });
      const de = await open({ subject: 'Der Drucker druckt nicht', body: 'Bitte um Rückruf' });
      expect(await ids('resume')).toEqual([cv.id]);
      expect(await ids('RÉSUMÉ')).toEqual([cv.id]);
      expect(await ids('принтер')).toEqual([ru.id]);
      expect(await ids('помог*')).toEqual([ru.id]);
      expect(await ids('המדפסת')).toEqual([he.id]);
      expect(await ids('לעזור')).toEqual([he.id]);
      expect(await ids('drucker')).toEqual([de.id]);
      expect(await ids('rückruf')).toEqual([de.id]);
      expect(await ids('rück*')).toEqual([de.id]);
      await store.close?.();
    });

    it('ranks by relevance when no sort is given, and keeps any other sort asked for', async () => {
      const { store, desk, open, ids } = await setup();
      const once = await open({
        subject: 'A question',
        body: 'the printer, and much more text about other things entirely',
      });
      const much = await open({ subject: 'Printer printer', body: 'printer toner printer' });
      expect(await ids('printer')).toEqual([much.id, once.id]);
      expect(await ids('printer', agent, { sort: { field: 'relevance' } })).toEqual([much.id, once.id]);
      expect(await ids('printer', agent, { sort: { field: 'number', direction: 'asc' } })).toEqual([
        once.id,
        much.id,
      ]);
      // Relevance without words sorts as the default, newest update first.
      const all = await desk.query({}, { actor: agent, sort: { field: 'relevance' } });
      expect(all.items.map((s) => s.id)).toEqual([much.id, once.id]);
      await store.close?.();
    });

    it('pages a relevance order by cursor with no duplicate and no gap', async () => {
      const { store, desk, open } = await setup();
      for (let i = 0; i < 9; i++) {
        await open({ subject: `Printer ${'toner '.repeat(i % 3)}`, body: `printer ${'jam '.repeat(i)}` });
      }
      await open({ subject: 'Unrelated', body: 'nothing' });
      const whole = await desk.query({ text: 'printer or jam or toner' }, { actor: agent, limit: 50 });
      expect(whole.items).toHaveLength(9);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await desk.query(
          { text: 'printer or jam or toner' },
          { actor: agent, limit: 2, ...(cursor ? { cursor } : {}) },
        );
        paged.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(whole.items.map((s) => s.id));
      await store.close?.();
    });

    it('combines a search with other filters and a saved queue', async () => {
      const { store, desk, open } = await setup();
      const high = await open({ subject: 'Refund please', priority: 'high' });
      const low = await open({ subject: 'Refund too', priority: 'low' });
      await open({ subject: 'Other', priority: 'high' });
      await desk.execute({ type: 'assign', ticketId: low.id, assignee: 'a1' }, { actor: agent });
      const q = (filter: Parameters<typeof desk.query>[0]) =>
        desk.query(filter, { actor: agent }).then((p) => p.items.map((s) => s.id));
      expect(await q({ text: 'refund', priority: 'high' })).toEqual([high.id]);
      expect(await q({ queue: 'unassigned', text: 'refund' })).toEqual([high.id]);
      expect(await q({ queue: 'mine', text: 'refund' })).toEqual([low.id]);
      expect(await q({ queue: 'mine', text: 'other' })).toEqual([]);
      await store.close?.();
    });

    it('marks snippets, drawn only from text the actor may see', async () => {
      const { store, desk, open, note } = await setup();
      const t = await open({ subject: 'Printer on fire', body: 'It smokes a lot' });
      await note(t.id, 'secret printer warranty note');
      const mine = await desk.query({ text: 'printer' }, { actor: customer });
      const snippet = mine.items[0]?.snippet;
      expect(snippet).toBeDefined();
      expect(snippet!.text).not.toContain('secret');
      const marked = snippet!.marks.map(([a, b]) => snippet!.text.slice(a, b).toLowerCase());
      expect(marked.length).toBeGreaterThan(0);
      expect(marked.every((m) => m === 'printer')).toBe(true);
      const staff = await desk.query({ text: 'warranty' }, { actor: agent });
      expect(staff.items[0]?.snippet?.text).toContain('warranty');
      expect((await desk.query({}, { actor: agent })).items[0]?.snippet).toBeUndefined();
      await store.close?.();
    });

    it('never lets a customer match internal text, whatever textScope they pass', async () => {
      const { store, desk, open, note, context } = await setup();
      const t = await open({ subject: 'Login broken', body: 'cannot log in' });
      await note(t.id, 'confidential escalation');
      const asked = { textScope: 'all' } as const;
      expect((await desk.query({ text: 'confidential' }, { actor: customer, ...asked })).items).toEqual([]);
      expect((await desk.query({ text: 'confidential' }, { actor: agent })).items.map((s) => s.id)).toEqual([
        t.id,
      ]);
      // Excluding an internal word changes nothing for a customer either: it is not theirs to match.
      expect((await desk.query({ text: 'login -confidential' }, { actor: customer })).items).toHaveLength(1);
      expect((await desk.query({ text: 'login -confidential' }, { actor: agent })).items).toEqual([]);
      const ctx = context();
      expect(
        (await ctx.query({ filter: { text: 'confidential' }, ...asked }, { actor: customer })).items,
      ).toEqual([]);
      expect((await ctx.query({ filter: { text: 'confidential' } })).items).toHaveLength(1);
      expect(await ctx.count({ text: 'confidential' }, { actor: customer })).toBe(0);
      expect(await ctx.count({ text: 'confidential' }, { actor: agent })).toBe(1);
      expect(await ctx.count({ text: 'confidential' })).toBe(1);
      await store.close?.();
    });

    it('refuses a bad search with a ValidationError before asking the index', async () => {
      const { store, desk, open } = await setup();
      await open();
      const asked: TicketQuery[] = [];
      const query = store.index.query.bind(store.index);
      store.index.query = (q) => {
        asked.push(q);
        return query(q);
      };
      await expect(desk.query({ text: '-only' }, { actor: agent })).rejects.toBeInstanceOf(ValidationError);
      await expect(desk.query({ text: 'x'.repeat(1001) }, { actor: agent })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(desk.query({ anyOf: [{ text: '-only' }] }, { actor: agent })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(asked).toEqual([]);
      await store.close?.();
    });

    it('finds existing tickets by their messages after a rebuild', async () => {
      const { store, desk, open, note } = await setup();
      const t = await open({ subject: 'Plain', body: 'the gizmo rattles' });
      await note(t.id, 'the sprocket is loose');
      await desk.rebuild();
      expect((await desk.query({ text: 'gizmo' }, { actor: customer })).items.map((s) => s.id)).toEqual([
        t.id,
      ]);
      expect((await desk.query({ text: 'sprocket' }, { actor: agent })).items.map((s) => s.id)).toEqual([
        t.id,
      ]);
      await store.close?.();
    });

    it('keeps two tenants on one store apart: neither matches the other’s words', async () => {
      const store = await makeStore();
      const desks = ['acme', 'beta'].map((tenantId) => createHelpdesk({ store, tenantId }));
      const [acme, beta] = desks as [ReturnType<typeof createHelpdesk>, ReturnType<typeof createHelpdesk>];
      const open = (desk: typeof acme, subject: string) =>
        desk.execute(
          { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject, body: 'shared words' },
          { actor: customer },
        );
      await open(acme, 'acme-only zebra');
      await open(beta, 'beta-only yak');
      expect((await acme.query({ text: 'yak' }, { actor: agent })).items).toEqual([]);
      expect((await beta.query({ text: 'zebra' }, { actor: agent })).items).toEqual([]);
      expect((await acme.query({ text: 'shared' }, { actor: agent })).items.map((s) => s.tenantId)).toEqual([
        'acme',
      ]);
      expect((await beta.query({ text: 'shared' }, { actor: agent })).items.map((s) => s.tenantId)).toEqual([
        'beta',
      ]);
      await store.close?.();
    });
  });
}
