import { type ConditionSubject, compileCondition, type StoredEvent, type Ticket } from '@tessera/core';
import { conditionView } from './firing';
import { compileHoursSince } from './hours-since';
import type { CompiledRule, DefinedRules } from './rule-model';
import { readsSla } from './sla-view';
import { RULE_FIELDS } from './vocabulary';

export interface Verdict {
  ruleId: string;
  kind: 'trigger' | 'automation';
  matched: boolean;
  /** The condition that decided it, in words. */
  because: string;
}

function describe(node: unknown): string {
  const n = node as Record<string, unknown>;
  if ('hoursSince' in n) {
    const parts = [n.gte !== undefined ? `≥ ${n.gte} h` : '', n.lt !== undefined ? `< ${n.lt} h` : '']
      .filter(Boolean)
      .join(' and ');
    return `hours since ${n.hoursSince} ${parts}${n.calendar ? ` (${n.calendar} hours)` : ''}`;
  }
  return `${n.field} ${n.op}${n.value === undefined ? '' : ` ${JSON.stringify(n.value)}`}`;
}

function readField(field: string, s: ConditionSubject): unknown {
  const root: Record<string, unknown> = field.startsWith('event.')
    ? (s.event as unknown as Record<string, unknown>)
    : (s.ticket as Record<string, unknown>);
  let v: unknown = root;
  for (const part of (field.startsWith('event.') ? field.slice(6) : field).split('.'))
    v = (v as Record<string, unknown> | undefined)?.[part];
  return v;
}

/** Walks a condition as written, and says which part decided the outcome. */
function trace(
  node: unknown,
  s: ConditionSubject,
  leaf: (n: unknown) => boolean,
): { ok: boolean; because: string } {
  const n = node as Record<string, unknown>;
  if (Array.isArray(n.all)) {
    for (const child of n.all) {
      const r = trace(child, s, leaf);
      if (!r.ok) return r;
    }
    return {
      ok: true,
      because: n.all.length ? `all of: ${n.all.map(describe).join('; ')}` : 'no conditions',
    };
  }
  if (Array.isArray(n.any)) {
    for (const child of n.any) {
      const r = trace(child, s, leaf);
      if (r.ok) return r;
    }
    return { ok: false, because: `none of: ${n.any.map(describe).join('; ')}` };
  }
  if ('not' in n) {
    const r = trace(n.not, s, leaf);
    return { ok: !r.ok, because: `not (${r.because})` };
  }
  const ok = leaf(n);
  const actual =
    'field' in n ? ` (it is ${JSON.stringify(readField(n.field as string, s)) ?? 'absent'})` : '';
  return { ok, because: `${describe(n)} ${ok ? 'holds' : 'does not hold'}${actual}` };
}

/** When to judge time conditions (default: the ticket's last update), and the ticket before the command, for change ops. */
export interface ExplainOptions {
  now?: Date;
  /** The ticket before the command; without it `changed`, `changedTo` and `changedFrom` never hold. */
  previous?: Ticket;
}

/**
 * Says, for every rule, whether it matches this ticket (and event) and which condition decided it.
 *
 * @example
 * const defined = defineRules({
 *   triggers: [{ id: 'outage', on: ['TicketOpened'], when: { field: 'subject', op: 'contains', value: 'outage' },
 *                then: [{ type: 'setPriority', priority: 'urgent' }] }],
 * });
 * explain(defined, ticket, event);
 * // → [{ ruleId: 'outage', kind: 'trigger', matched: true, because: 'subject contains "outage" holds (it is "outage in EU")' }]
 * const before = ticket;
 * const result = await desk.execute({ type: 'setPriority', ticketId: ticket.id, priority: 'high' }, { actor: agent });
 * explain(defined, result.ticket, result.events[0], { previous: before }); // change ops judged too
 * // → [{ ruleId: 'outage', kind: 'trigger', matched: false, because: 'runs on TicketOpened, not on PriorityChanged' }]
 */
export function explain(
  defined: DefinedRules,
  ticket: Ticket,
  event?: StoredEvent,
  at: Date | ExplainOptions = {},
): Verdict[] {
  const options = at instanceof Date ? { now: at } : at;
  const now = options.now ?? new Date(ticket.updatedAt);
  const view = conditionView(readsSla([...defined.triggers, ...defined.automations]));
  const subject: ConditionSubject = {
    ticket: view(ticket),
    now,
    ...(event ? { event } : {}),
    ...(options.previous ? { previous: view(options.previous) } : {}),
  };
  const leafCache = new Map<unknown, (s: ConditionSubject) => boolean>();
  const leaf = (_rule: CompiledRule) => (node: unknown) => {
    let test = leafCache.get(node);
    if (!test) {
      // A leaf is checked alone by wrapping it as the rule's whole condition would be compiled.
      test =
        'hoursSince' in (node as object)
          ? compileHoursSince(node as Record<string, unknown>, 'when', [], defined.calendars)
          : compileCondition(node, { fields: RULE_FIELDS });
      leafCache.set(node, test);
    }
    return test(subject);
  };
  return [...defined.triggers, ...defined.automations].map((rule) => {
    if (rule.kind === 'trigger' && rule.on && (!event || !rule.on.has(event.type))) {
      return {
        ruleId: rule.id,
        kind: rule.kind,
        matched: false,
        because: `runs on ${[...rule.on].join(', ')}, not on ${event?.type ?? 'no event'}`,
      };
    }
    if (rule.when === undefined)
      return { ruleId: rule.id, kind: rule.kind, matched: true, because: 'no conditions' };
    const matched = rule.test(subject);
    const traced = trace(rule.when, subject, leaf(rule));
    return { ruleId: rule.id, kind: rule.kind, matched, because: traced.because };
  });
}
