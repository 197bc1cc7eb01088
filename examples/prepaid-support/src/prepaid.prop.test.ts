import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  EXHAUSTED_TAG,
  grantIncidents,
  type Ledger,
  ledgerId,
  openLedger,
  prepaidSupport,
  UNCOVERED_TAG,
} from './prepaid';

const admin: Actor = { kind: 'admin', id: 'root' };
const agent: Actor = { kind: 'agent', id: 'ann' };
const ORGS = ['acme', 'globex'] as const;

type Step =
  | { kind: 'grant'; org: number; incidents: number }
  | { kind: 'open'; org: number }
  | { kind: 'solve'; ticket: number }
  | { kind: 'reopen'; ticket: number }
  // Two tickets solved at the same moment through two desks on one store: the ledger's
  // expected-version append is what keeps the last credit from being spent twice.
  | { kind: 'solveBoth'; tickets: [number, number] };

// Weighted so that credits are scarce: most runs reach an organization that has run out.
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      org: fc.nat(1),
      incidents: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('open' as const), org: fc.nat(1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('solve' as const), ticket: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reopen' as const), ticket: fc.nat(99) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('solveBoth' as const),
      tickets: fc.tuple(fc.nat(99), fc.nat(99)),
    }),
  },
);

it('credits never go negative, and every solved ticket consumed exactly one while credits lasted', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 8, maxLength: 30, size: 'max' }), async (steps) => {
      const store = inMemoryStore();
      const desk = createHelpdesk({ store, extensions: [prepaidSupport()] });
      const other = createHelpdesk({ store, extensions: [prepaidSupport()] });
      for (const org of ORGS) await desk.execute(openLedger(org), { actor: admin });
      const tickets: { id: string; org: number }[] = [];
      // The model: credits left per organization and the tickets that have paid.
      const left = [0, 0];
      const paid = new Set<string>();
      const solved = new Set<string>();
      const ledger = async (org: number) =>
        (await desk.get(ledgerId(ORGS[org] as string), { actor: agent })).ext.prepaid as Ledger;
      const solve = (d: typeof desk, id: string) => {
        solved.add(id);
        return d.execute({ type: 'changeStatus', ticketId: id, status: 'solved' }, { actor: agent });
      };
      // A step names the i-th ticket of those in a category, so most steps act on a real ticket.
      const nth = async (i: number, solvedOnes: boolean) => {
        const some = [];
        for (const t of tickets)
          if (((await desk.get(t.id, { actor: agent })).category === 'solved') === solvedOnes) some.push(t);
        return some[i % Math.max(1, some.length)];
      };
      const solvable = (i: number) => nth(i, false);
      for (const s of steps) {
        if (s.kind === 'grant') {
          await desk.execute(grantIncidents(ORGS[s.org] as string, s.incidents), { actor: admin });
          left[s.org] = (left[s.org] ?? 0) + s.incidents;
        } else if (s.kind === 'open') {
          const customer: Actor = {
            kind: 'customer',
            id: `c${tickets.length}`,
            organizationId: ORGS[s.org] as string,
          };
          const { ticket } = await desk.execute(
            {
              type: 'openTicket',
              channel: 'portal',
              requester: { id: customer.id },
              subject: 's',
              body: 'b',
            },
            { actor: customer },
          );
          tickets.push({ id: ticket.id, org: s.org });
        } else if (s.kind === 'solve') {
          const t = await solvable(s.ticket);
          if (!t) continue;
          await solve(desk, t.id);
          if (!paid.has(t.id) && (left[t.org] ?? 0) > 0) {
            paid.add(t.id);
            left[t.org] = (left[t.org] ?? 0) - 1;
          }
        } else if (s.kind === 'reopen') {
          // Reopen one of the solved tickets (the case "solved again" must not pay twice).
          const t = await nth(s.ticket, true);
          if (t)
            await desk.execute({ type: 'changeStatus', ticketId: t.id, status: 'open' }, { actor: agent });
        } else {
          const [a, b] = [await solvable(s.tickets[0]), await solvable(s.tickets[1])];
          if (!a || !b || a === b) continue;
          await Promise.all([solve(desk, a.id), solve(other, b.id)]);
          // Which of the two took a credit is a race; how many took one is not.
          for (const org of new Set([a.org, b.org])) {
            const unpaid = [a, b].filter((t) => t.org === org && !paid.has(t.id));
            const taken = Math.min(left[org] ?? 0, unpaid.length);
            const now = await ledger(org);
            const newly = unpaid.filter((t) => now?.consumedBy.includes(t.id));
            expect(newly.length).toBe(taken);
            for (const t of newly) paid.add(t.id);
            left[org] = (left[org] ?? 0) - taken;
          }
        }
        for (const org of [0, 1]) {
          const l = await ledger(org);
          const leftNow = l?.left ?? 0;
          expect(leftNow).toBeGreaterThanOrEqual(0);
          expect(leftNow).toBe(left[org]);
          if (l) {
            expect(l.left).toBe(l.granted - l.consumedBy.length);
            expect(new Set(l.consumedBy).size).toBe(l.consumedBy.length);
          }
        }
      }
      // Every ticket solved while its organization had credits paid exactly once; the others solved are tagged.
      for (const t of tickets) {
        const l = await ledger(t.org);
        expect(l?.consumedBy.includes(t.id) ?? false).toBe(paid.has(t.id));
        const tags = (await desk.get(t.id, { actor: agent })).tags;
        if (solved.has(t.id) && !paid.has(t.id)) expect(tags).toContain(UNCOVERED_TAG);
        if (tags.includes(EXHAUSTED_TAG)) expect(paid.has(t.id)).toBe(true);
      }
    }),
    { numRuns: 80 },
  );
}, 60_000);
