import {
  ConfigError,
  checkOptions,
  type Extension,
  type ExtensionContext,
  type Ticket,
  type TicketSummary,
} from '@tessera/core';
import { evaluateTicketSla } from './evaluate';
import { type RecordSla, recordSla, SLA_EVENTS, type SlaState, slaMarks, slaState } from './marks';
import { definePolicies, policyStatusProblems, type SlaPolicy, type WorkingTimeCalendar } from './policy';

export interface SlaOptions {
  policies: SlaPolicy[];
  calendars: Record<string, WorkingTimeCalendar>;
}

/**
 * The SLA extension: a module of its own — it owns the `recordSla` command, the `SlaWarning` and
 * `SlaBreached` events and their marks at `ticket.ext.sla`. It adds `sla` to each ticket's index
 * row (policy, next deadline, breached, at risk), tells `tick` when the next warning or breach is
 * due, and records each mark once — never twice, however often `tick` runs or however many
 * processes run it (a late tick records only the breach).
 *
 * @example
 * const urgent: SlaPolicy = {
 *   id: 'urgent',
 *   when: { field: 'priority', op: 'is', value: 'urgent' },
 *   calendar: 'office',
 *   targets: { firstReply: 30, resolution: 240 },
 *   warnBefore: 10,
 * };
 * const standard: SlaPolicy = { id: 'standard', calendar: 'office', targets: { firstReply: 120 }, pauseIn: ['pending'] };
 * // the first policy that matches a ticket applies
 * createHelpdesk({ store: inMemoryStore(), extensions: [sla({ policies: [urgent, standard], calendars: { office } })] });
 */
export function sla(options: SlaOptions): Extension {
  if (options === undefined)
    throw new ConfigError([{ path: 'sla', message: 'needs { policies, calendars }' }]);
  checkOptions(options, ['policies', 'calendars'], 'sla');
  const policies = definePolicies(options.policies, options.calendars ?? {});
  // The desk's injected clock, handed over in `init`; domain code never reads the system clock.
  let now = (): Date => {
    throw new ConfigError([
      {
        path: 'extensions',
        message: 'sla() reads the time from its desk: pass it to createHelpdesk({ extensions })',
      },
    ]);
  };
  const evaluate = (ticket: Ticket, at: Date) => evaluateTicketSla(ticket, policies, options.calendars, at);
  // The desk asks `summarize` and then `due` of the same frozen ticket after each commit: the
  // second is answered from the first when the clock reads the same millisecond (a ticket that is
  // not frozen may have changed in between, so it is evaluated each time).
  let last: { ticket: Ticket; at: number; result: ReturnType<typeof evaluate> } | undefined;
  const evaluateNow = (ticket: Ticket) => {
    const at = now();
    if (last?.ticket === ticket && last.at === at.getTime()) return last.result;
    const result = evaluate(ticket, at);
    if (Object.isFrozen(ticket)) last = { ticket, at: at.getTime(), result };
    return result;
  };
  const recorded = (ticket: Ticket, policyId: string, metric: string, kind: 'warning' | 'breach') =>
    slaMarks(ticket).some((m) => m.policyId === policyId && m.metric === metric && m.kind === kind);

  // Typed as a plain Extension (its slice is read with `slaMarks`), so a list of extensions of
  // several packages infers as Extension[] and takes one more.
  const extension: Extension<SlaState> = {
    name: 'sla',
    events: SLA_EVENTS,
    commands: { recordSla },
    state: slaState,
    init(ctx: ExtensionContext) {
      // Status names are checked against the desk the policies are installed in.
      const problems = policyStatusProblems(options.policies, ctx.workflows.statuses);
      if (problems.length > 0) throw new ConfigError(problems);
      now = () => ctx.now();
    },
    summarize(ticket, summary): TicketSummary {
      const result = evaluateNow(ticket);
      if (result.policyId === undefined) return summary;
      // A running metric whose warning is on record is at risk even if `now` lags the tick that
      // recorded it; an achieved one no longer is.
      const warned = result.metrics.some(
        (m) =>
          m.status === 'active' &&
          m.deadline !== undefined &&
          recorded(ticket, result.policyId!, m.metric, 'warning'),
      );
      return {
        ...summary,
        sla: {
          policyId: result.policyId,
          breached: result.breached,
          atRisk: result.atRisk || warned,
          ...(result.nextDeadline === undefined ? {} : { nextDeadline: result.nextDeadline }),
        },
      };
    },
    due(ticket) {
      const result = evaluateNow(ticket);
      if (result.policyId === undefined) return undefined;
      let next: number | undefined;
      const consider = (t: number) => {
        if (next === undefined || t < next) next = t;
      };
      for (const m of result.metrics) {
        if (m.status === 'breached' && !recorded(ticket, result.policyId, m.metric, 'breach'))
          consider(Date.parse(m.breachedAt!));
        if (m.status !== 'active') continue;
        if (m.warnAt !== undefined && !recorded(ticket, result.policyId, m.metric, 'warning'))
          consider(Date.parse(m.warnAt));
        // Breached at the first millisecond past the deadline.
        if (m.deadline !== undefined && !recorded(ticket, result.policyId, m.metric, 'breach'))
          consider(Date.parse(m.deadline) + 1);
      }
      return next === undefined ? undefined : new Date(next);
    },
    async onDue(ticket, at, ctx) {
      const result = evaluate(ticket, at);
      const policyId = result.policyId;
      if (policyId === undefined) return;
      const commands: RecordSla[] = [];
      for (const m of result.metrics) {
        const base = { ticketId: ticket.id, metric: m.metric, policyId } as const;
        if (m.status === 'breached' && !recorded(ticket, policyId, m.metric, 'breach')) {
          commands.push({ type: 'recordSla', kind: 'breach', deadline: m.breachedAt!, ...base });
        } else if (
          m.status === 'active' &&
          m.warnAt !== undefined &&
          m.warnAt <= at.toISOString() &&
          !recorded(ticket, policyId, m.metric, 'warning')
        ) {
          commands.push({ type: 'recordSla', kind: 'warning', deadline: m.deadline!, ...base });
        }
      }
      for (const command of commands) {
        await ctx.execute(command, { actor: { kind: 'system', id: 'sla' }, ruleId: `sla:${policyId}` });
      }
    },
  };
  return extension as Extension;
}
