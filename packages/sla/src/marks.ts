import {
  type ExtensionCommand,
  type ExtensionState,
  isExtensionEvent,
  type NewDomainEvent,
  type Problem,
  type Ticket,
  ValidationError,
} from '@tessera/core';

/** An SLA warning or breach recorded on a ticket (`SlaWarning` / `SlaBreached`). */
export interface SlaMark {
  metric: string;
  kind: 'warning' | 'breach';
  policyId: string;
  deadline: string;
  at: string;
}

/** The data of `SlaWarning` and `SlaBreached`. */
export interface SlaEventData {
  metric: string;
  policyId: string;
  deadline: string;
}

/** The SLA extension's slice of a ticket, at `ticket.ext.sla`: its recorded marks, oldest first. */
export interface SlaState {
  marks: SlaMark[];
}

/** Records an SLA warning or breach, at most once per policy, metric and kind (system or automation). */
export type RecordSla = {
  type: 'recordSla';
  ticketId: string;
  kind: 'warning' | 'breach';
  metric: string;
  policyId: string;
  deadline: string;
};

/** The event types the SLA extension owns. */
export const SLA_EVENTS = ['SlaWarning', 'SlaBreached'] as const;

/**
 * The marks recorded on a ticket (none on a ticket folded without the SLA extension).
 *
 * @example
 * slaMarks(ticket).filter((m) => m.kind === 'breach');
 */
export function slaMarks(ticket: Pick<Ticket, 'ext'>): readonly SlaMark[] {
  return (ticket.ext.sla as SlaState | undefined)?.marks ?? [];
}

/**
 * The marks of a new slice: shared and frozen until the first mark (most tickets never get one).
 * `evolve`'s immer drafts are writable as they are; the fold's private slice gets its own list.
 */
const NO_MARKS = Object.freeze([]) as unknown as SlaMark[];

/** The slice of every new ticket, shared and frozen: the first mark makes the ticket its own. */
const INITIAL: SlaState = Object.freeze({ marks: NO_MARKS });

/** Folds `SlaWarning` and `SlaBreached` into `ticket.ext.sla`. */
export const slaState: ExtensionState<SlaState> = {
  initial: () => INITIAL,
  // Only its own events: the fold does not call it for core's.
  on: SLA_EVENTS,
  apply(state, event) {
    const warning = isExtensionEvent<SlaEventData>(event, 'SlaWarning');
    if (!warning && !isExtensionEvent<SlaEventData>(event, 'SlaBreached')) return;
    const d = event.data as SlaEventData;
    const draft = state === INITIAL ? { marks: [] } : state;
    if (draft.marks === NO_MARKS) draft.marks = [];
    draft.marks.push({
      metric: d.metric,
      kind: warning ? 'warning' : 'breach',
      policyId: d.policyId,
      deadline: d.deadline,
      at: event.occurredAt,
    });
    return draft === state ? undefined : draft;
  },
};

const isText = (v: unknown, max = 200) => typeof v === 'string' && v !== '' && v.length <= max;

/**
 * `recordSla`: a warning or breach, recorded once — a second one for the same policy, metric and
 * kind decides nothing, so several processes ticking at once append it once.
 */
export const recordSla: ExtensionCommand<SlaState, RecordSla> = {
  validate(input) {
    const c = input as Partial<RecordSla> & Record<string, unknown>;
    const problems: Problem[] = [];
    for (const key of Object.keys(c)) {
      if (!['type', 'ticketId', 'kind', 'metric', 'policyId', 'deadline'].includes(key))
        problems.push({ path: key, message: 'unknown property for recordSla' });
    }
    if (!isText(c.ticketId)) problems.push({ path: 'ticketId', message: 'is required (a ticket id)' });
    if (c.kind !== 'warning' && c.kind !== 'breach')
      problems.push({ path: 'kind', message: 'warning or breach' });
    if (!isText(c.metric)) problems.push({ path: 'metric', message: 'is required' });
    if (!isText(c.policyId)) problems.push({ path: 'policyId', message: 'is required' });
    if (!isText(c.deadline, 40) || Number.isNaN(Date.parse(c.deadline as string)))
      problems.push({ path: 'deadline', message: 'an ISO instant' });
    if (problems.length > 0) throw new ValidationError(problems, { details: { command: 'recordSla' } });
    const { ticketId, kind, metric, policyId, deadline } = c as RecordSla;
    return { type: 'recordSla', ticketId, kind, metric, policyId, deadline };
  },
  decide(_ticket, state, command): NewDomainEvent[] {
    const { kind, metric, policyId, deadline } = command;
    if (state.marks.some((m) => m.metric === metric && m.kind === kind && m.policyId === policyId)) return [];
    return [
      { type: kind === 'warning' ? 'SlaWarning' : 'SlaBreached', data: { metric, policyId, deadline } },
    ];
  },
};
