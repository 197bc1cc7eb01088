import type { Predicate } from '@tessera/core';
import type { FastCompiler } from './predicate';

type Rec = Record<string, unknown>;

/** Stands for a `not` over a time condition: it may hold at some instant, whatever the ticket. */
const MAYBE: Rec = Object.freeze({ maybe: true });

/**
 * The condition with what reads the time relaxed: a `not` over a time condition becomes "may hold",
 * a time condition stays (its `custom` predicate says whether its base is set). `timed` says
 * whether any time condition was under the node.
 */
function relax(node: unknown): { node: unknown; timed: boolean } {
  const n = node as Rec;
  if ('all' in n || 'any' in n) {
    const key = 'all' in n ? 'all' : 'any';
    const parts = (n[key] as unknown[]).map(relax);
    return { node: { [key]: parts.map((p) => p.node) }, timed: parts.some((p) => p.timed) };
  }
  if ('not' in n) return relax(n.not).timed ? { node: MAYBE, timed: true } : { node: n, timed: false };
  if ('field' in n) return { node: n, timed: false };
  return { node: n, timed: true };
}

/**
 * Compiles whether a condition can hold at any instant for the ticket as it stands: false only
 * when the parts that do not read the time decide it (`category is solved` on an open ticket), or
 * a time condition's base is unset. It never says false where the condition holds at some
 * instant, so the rules slice may skip a rule's thresholds when it is false — most events of most
 * tickets, for the classic automations.
 *
 * @example
 * const possible = compilePossible(autoClose.when, fastCompiler(RULE_FIELDS), (node) => hoursSinceIsSet(node));
 * possible({ ticket: openTicket }); // → false: not solved, at no instant
 */
export function compilePossible(
  when: unknown,
  fast: FastCompiler,
  timeNode: (node: Rec) => Predicate | undefined,
): Predicate {
  if (when === undefined) return () => true;
  return fast.compile(relax(when).node, (node) => (node === MAYBE ? () => true : timeNode(node)));
}
