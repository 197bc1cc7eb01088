import type { StoredEvent, Ticket } from '@tessera/core';
import type { CompiledRule } from './rule-model';

/**
 * What conditions on `sla.breached`, `sla.atRisk` and `sla.policyId` read (the SLA extension's
 * index fields), kept by the rules slice from the SLA events themselves: so the view is right at
 * every event of the fold, whichever of the two extensions is installed first.
 */
export interface SlaSeen {
  /** Metrics with a recorded breach. */
  breached: string[];
  /** Metrics with a recorded warning. */
  warned: string[];
  /** The policy of the latest record. */
  policyId?: string;
}

/** The fields of `SlaWarning` / `SlaBreached` that the view reads (a structural copy of sla's). */
interface SlaRecord {
  metric?: unknown;
  policyId?: unknown;
  kind?: unknown;
}

/**
 * Adds an `SlaWarning` or `SlaBreached` to what the view has seen (other events change nothing).
 *
 * @example
 * trackSla(seen, { type: 'SlaBreached', data: { metric: 'firstReply', policyId: 'gold' }, … });
 */
export function trackSla(seen: SlaSeen, event: Pick<StoredEvent, 'type' | 'data'>): void {
  const type = event.type as string;
  if (type !== 'SlaWarning' && type !== 'SlaBreached') return;
  const data = event.data as SlaRecord;
  const metric = String(data.metric);
  const list = type === 'SlaBreached' ? seen.breached : seen.warned;
  if (!list.includes(metric)) list.push(metric);
  if (typeof data.policyId === 'string') seen.policyId = data.policyId;
}

/**
 * The SLA view of a ticket: from its rules slice, or — on a ticket folded without the rules
 * extension (`explain` on any ticket) — from the SLA extension's marks (`ticket.ext.sla.marks`).
 *
 * @example
 * slaSeenOf(ticket); // → { breached: ['firstReply'], warned: [], policyId: 'gold' }
 */
export function slaSeenOf(ticket: Ticket): SlaSeen {
  const kept = (ticket.ext?.rules as { sla?: SlaSeen } | undefined)?.sla;
  if (kept) return kept;
  const marks = (ticket.ext?.sla as { marks?: SlaRecord[] } | undefined)?.marks ?? [];
  const seen: SlaSeen = { breached: [], warned: [] };
  for (const mark of marks)
    trackSla(seen, { type: mark.kind === 'breach' ? 'SlaBreached' : 'SlaWarning', data: mark } as never);
  return seen;
}

/**
 * The ticket as conditions on `sla.*` read it: breached when a breach is recorded, at risk when a
 * warning is recorded for a metric with no breach, and the policy of the latest record.
 *
 * @example
 * withSlaView(ticket, seen).sla; // → { breached: true, atRisk: false, policyId: 'gold' }
 */
export function withSlaView(ticket: Ticket, seen: SlaSeen): Ticket {
  const view = {
    breached: seen.breached.length > 0,
    atRisk: seen.warned.some((m) => !seen.breached.includes(m)),
    ...(seen.policyId !== undefined ? { policyId: seen.policyId } : {}),
  };
  return { ...ticket, sla: view } as unknown as Ticket;
}

/**
 * Whether any rule's condition reads `sla.*` (only then is the view kept and built).
 *
 * @example
 * readsSla(defined.triggers); // → true when a trigger tests sla.breached
 */
export function readsSla(rules: readonly CompiledRule[]): boolean {
  return rules.some((r) => JSON.stringify(r.when ?? null).includes('"sla.'));
}

/**
 * The SLA marks templates see as `sla`: the SLA extension's slice of the ticket (none without it).
 *
 * @example
 * slaMarksOf(ticket); // → [{ metric: 'firstReply', kind: 'warning', policyId: 'gold', … }]
 */
export function slaMarksOf(ticket: Ticket): readonly unknown[] {
  return (ticket.ext?.sla as { marks?: unknown[] } | undefined)?.marks ?? [];
}
