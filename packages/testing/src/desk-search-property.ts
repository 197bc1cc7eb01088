// The search property over random histories, written once and run on every store: core runs it
// on the memory store (desk-search.prop.test.ts); a store adapter's tests may run it on theirs.

import { type Actor, createHelpdesk, type Store } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Each word as typed, and as every engine compares it (case and diacritics folded).
const VOCABULARY: [typed: string, folded: string][] = [
  ['alpha', 'alpha'],
  ['Bravo', 'bravo'],
  ['charlie', 'charlie'],
  ['delta', 'delta'],
  ['Résumé', 'resume'],
  ['принтер', 'принтер'],
  ['Drucker', 'drucker'],
  ['echo', 'echo'],
];
const customers: Actor[] = ['c1', 'c2', 'c3'].map((id) => ({ kind: 'customer', id }));
const agent: Actor = { kind: 'agent', id: 'a1' };

type Step = { kind: number; who: number; ticket: number; words: number[] };
const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.integer({ min: 0, max: 3 }),
  who: fc.integer({ min: 0, max: customers.length - 1 }),
  ticket: fc.nat(),
  words: fc.array(fc.integer({ min: 0, max: VOCABULARY.length - 1 }), { minLength: 1, maxLength: 4 }),
});
type Search = { form: number; a: number; b: number; typed: boolean; who: number };
const searchArb: fc.Arbitrary<Search> = fc.record({
  form: fc.integer({ min: 0, max: 3 }),
  a: fc.integer({ min: 0, max: VOCABULARY.length - 1 }),
  b: fc.integer({ min: 0, max: VOCABULARY.length - 1 }),
  typed: fc.boolean(),
  who: fc.integer({ min: 0, max: customers.length - 1 }),
});

/** What the model knows of a ticket: its requester and the folded words of each part. */
interface Model {
  id: string;
  requester: string;
  public: Set<string>;
  internal: Set<string>;
}

/** A search as text, and the model's answer to it over a set of words. */
function search(s: Search): { text: string; matches: (words: Set<string>) => boolean } {
  const word = (i: number) => VOCABULARY[i]![s.typed ? 0 : 1];
  const folded = (i: number) => VOCABULARY[i]![1];
  const [a, b] = [folded(s.a), folded(s.b)];
  switch (s.form) {
    case 0:
      return { text: word(s.a), matches: (w) => w.has(a) };
    case 1:
      return { text: `${word(s.a)} or ${word(s.b)}`, matches: (w) => w.has(a) || w.has(b) };
    case 2:
      return { text: `${word(s.a)} -${word(s.b)}`, matches: (w) => w.has(a) && !w.has(b) };
    default: {
      const prefix = a.slice(0, 2);
      return { text: `${word(s.a).slice(0, 2)}*`, matches: (w) => [...w].some((x) => x.startsWith(prefix)) };
    }
  }
}

const union = (x: Set<string>, y: Set<string>) => new Set([...x, ...y]);

/**
 * The property, on a fresh store from `makeStore` for each run (closed after it): a customer's
 * search is exactly their tickets that match through public text, and an agent's matches internal
 * notes too.
 *
 * @example
 * deskSearchProperty('sqlite', () => sqliteStore({ filename: ':memory:' }), 40);
 */
export function deskSearchProperty(
  name: string,
  makeStore: () => Store | Promise<Store>,
  numRuns: number,
): void {
  describe(`search over random histories (${name})`, () => {
    it('a customer matches only their tickets, only through public text; an agent matches internal notes too', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 1, maxLength: 25 }),
          fc.array(searchArb, { minLength: 1, maxLength: 8 }),
          async (steps, searches) => {
            const store = await makeStore();
            const desk = createHelpdesk({ store });
            const tickets: Model[] = [];
            for (const step of steps) {
              const typed = step.words.map((i) => VOCABULARY[i]![0]).join(' ');
              const folded = step.words.map((i) => VOCABULARY[i]![1]);
              const target = tickets[step.ticket % Math.max(tickets.length, 1)];
              if (step.kind === 0 || target === undefined) {
                const requester = customers[step.who]!;
                const { ticket } = await desk.execute(
                  {
                    type: 'openTicket',
                    channel: 'portal',
                    requester: { id: requester.id },
                    subject: typed,
                    body: typed,
                  },
                  { actor: requester },
                );
                tickets.push({
                  id: ticket.id,
                  requester: requester.id,
                  public: new Set([...folded, String(ticket.number)]),
                  internal: new Set(),
                });
                continue;
              }
              const internal = step.kind === 1;
              const actor = step.kind === 3 ? { kind: 'customer' as const, id: target.requester } : agent;
              await desk.execute(
                {
                  type: 'postMessage',
                  ticketId: target.id,
                  body: typed,
                  visibility: internal ? 'internal' : 'public',
                },
                { actor },
              );
              for (const w of folded) (internal ? target.internal : target.public).add(w);
            }

            for (const s of searches) {
              const { text, matches } = search(s);
              const customer = customers[s.who]!;
              const theirs = tickets.filter((t) => t.requester === customer.id);
              const got = await desk.query({ text }, { actor: customer, limit: 500, textScope: 'all' });
              const ids = got.items.map((i) => i.id).sort();
              // Exactly their tickets that match through public text: none outside their scope, none
              // found (or left out) through an internal note.
              expect(ids).toEqual(
                theirs
                  .filter((t) => matches(t.public))
                  .map((t) => t.id)
                  .sort(),
              );
              for (const item of got.items) {
                const model = tickets.find((t) => t.id === item.id)!;
                const shown = item.snippet?.text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '') ?? '';
                for (const w of model.internal) {
                  if (!model.public.has(w)) expect(shown).not.toContain(w);
                }
              }
              const staff = await desk.query({ text }, { actor: agent, limit: 500 });
              expect(staff.items.map((i) => i.id).sort()).toEqual(
                tickets
                  .filter((t) => matches(union(t.public, t.internal)))
                  .map((t) => t.id)
                  .sort(),
              );
            }
            await store.close?.();
          },
        ),
        { numRuns },
      );
    }, 120_000);
  });
}
