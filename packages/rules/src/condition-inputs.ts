import type { Ticket } from '@tessera/core';
import type { CompiledRule } from './definition';

/** The ticket fields each time base of `hoursSince` reads. */
const BASE_FIELDS: Record<string, string[]> = {
  created: ['createdAt'],
  updated: ['updatedAt'],
  solved: ['category', 'solvedAt'],
  statusChanged: ['statusChangedAt'],
  lastCustomerMessage: ['lastCustomerMessageAt'],
  lastAgentReply: ['lastAgentReplyAt'],
};

/**
 * Readers of the ticket's scalar fields, each its own function: the fold calls them at every event,
 * and a named property read is cheaper than a lookup by a key held in a variable.
 */
const SCALARS: Readonly<Record<string, (t: Ticket) => unknown>> = {
  id: (t) => t.id,
  number: (t) => t.number,
  subject: (t) => t.subject,
  status: (t) => t.status,
  category: (t) => t.category,
  type: (t) => t.type,
  team: (t) => t.team,
  assignee: (t) => t.assignee,
  priority: (t) => t.priority,
  channel: (t) => t.channel,
  workflowId: (t) => t.workflowId,
  createdAt: (t) => t.createdAt,
  updatedAt: (t) => t.updatedAt,
  statusChangedAt: (t) => t.statusChangedAt,
  solvedAt: (t) => t.solvedAt,
  closedAt: (t) => t.closedAt,
  lastCustomerMessageAt: (t) => t.lastCustomerMessageAt,
  lastAgentReplyAt: (t) => t.lastAgentReplyAt,
};

/** The ticket fields a condition reads (`sla.*` come from SLA events; an automation has no event). */
function fieldsOf(node: unknown, out: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Record<string, unknown>;
  for (const key of ['all', 'any'])
    if (Array.isArray(n[key])) for (const child of n[key] as unknown[]) fieldsOf(child, out);
  if ('not' in n) fieldsOf(n.not, out);
  if (typeof n.hoursSince === 'string') for (const f of BASE_FIELDS[n.hoursSince] ?? []) out.add(f);
  if (typeof n.field !== 'string' || n.field.startsWith('event.') || n.field.startsWith('sla.')) return;
  if (n.field === 'organization') out.add('requester.organizationId');
  out.add(n.field);
}

/**
 * Whether a condition reads `sla.*` (the rules slice then judges it again at each SLA event).
 *
 * @example
 * readsSlaField({ field: 'sla.breached', op: 'is', value: true }); // → true
 */
export function readsSlaField(when: unknown): boolean {
  return JSON.stringify(when ?? null).includes('"sla.');
}

/**
 * Reads, in one go, every ticket field the automations' conditions name (lists and objects as
 * JSON, so an in-place change is seen), and which of them each automation uses.
 *
 * @example
 * const { readers, uses } = conditionInputs(defined.automations);
 * readers.map((read) => read(ticket)); // → e.g. ['solved', '2026-03-02T09:00:00.000Z']; uses[0] → [0, 1]
 */
export function conditionInputs(automations: readonly CompiledRule[]): {
  readers: ((ticket: Ticket) => unknown)[];
  uses: number[][];
} {
  const index = new Map<string, number>();
  const uses = automations.map((rule) => {
    const fields = new Set<string>();
    fieldsOf(rule.when, fields);
    return [...fields].map((f) => {
      if (!index.has(f)) index.set(f, index.size);
      return index.get(f)!;
    });
  });
  const readers = [...index.keys()].map((field) => {
    if (Object.hasOwn(SCALARS, field)) return SCALARS[field]!;
    const parts = field.split('.');
    if (parts.length === 1) {
      const [key] = parts as [string];
      return (ticket: Ticket) => {
        const v = (ticket as unknown as Record<string, unknown>)[key];
        return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
      };
    }
    return (ticket: Ticket) => {
      let v: unknown = ticket;
      for (let i = 0; i < parts.length; i++)
        v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[parts[i]!] : undefined;
      return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
    };
  });
  return { readers, uses };
}
