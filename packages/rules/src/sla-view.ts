import type { Ticket } from '@tessera/core';
import type { CompiledRule } from './definition';

/**
 * Conditions may test `sla.breached`, `sla.atRisk` and `sla.policyId`, the SLA extension's index
 * fields; a ticket carries its SLA events instead (`sla: SlaMark[]`). This is the ticket as such
 * conditions read it: breached when a breach is recorded, at risk when a warning is recorded for a
 * metric with no breach, and the policy of the latest record.
 */
export function withSlaView(ticket: Ticket): Ticket {
  const marks = ticket.sla;
  const breachedMetrics = new Set(marks.filter((m) => m.kind === 'breach').map((m) => m.metric));
  const view = {
    breached: breachedMetrics.size > 0,
    atRisk: marks.some((m) => m.kind === 'warning' && !breachedMetrics.has(m.metric)),
    ...(marks.length > 0 ? { policyId: marks[marks.length - 1]!.policyId } : {}),
  };
  return { ...ticket, sla: view as unknown as Ticket['sla'] };
}

/** Whether any rule's condition reads `sla.*` (only then is the view built, once per evaluation). */
export function readsSla(rules: readonly CompiledRule[]): boolean {
  return rules.some((r) => JSON.stringify(r.when ?? null).includes('"sla.'));
}
