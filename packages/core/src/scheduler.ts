import type { Command, IssuedCommand, ModuleCommand } from './commands';
import { isTesseraError } from './errors';
import type { ExecuteResult, Extension, ExtensionContext } from './extension';
import { returnsNothing } from './extension-check';
import type { Ticket } from './model';
import type { Page, TicketFilter, TicketQuery, TicketSummary } from './ports';

/** What the scheduler needs of the desk. */
export interface SchedulerDeps {
  extensions: readonly Extension[];
  context: ExtensionContext;
  /** An index query as the system (every ticket of the desk's tenant). */
  query(filter: TicketFilter, q: Omit<TicketQuery, 'filter'>): Promise<Page<TicketSummary>>;
  load(ticketId: string): Promise<Ticket | undefined>;
  /** Runs one command an extension issued at this tick, as its own cascade. */
  run(
    item: Command | ModuleCommand | IssuedCommand,
    origin: { id: string; scratch: Map<string, unknown> },
  ): Promise<ExecuteResult>;
  index(ticket: Ticket): Promise<void>;
  onError?: (error: unknown, where: { extension: string; ticketId: string }) => void;
}

/**
 * The scheduler behind `desk.tick`: every ticket whose due instant has passed is handed to the
 * extensions that asked for it, then re-indexed so its due instant moves on.
 *
 * @example
 * const { due, commands } = await tick(deps, new Date('2026-03-04T09:00:00Z'));
 */
export async function tick(deps: SchedulerDeps, now: Date): Promise<{ due: number; commands: number }> {
  let due = 0;
  let commands = 0;
  const seen = new Set<string>();
  for (let round = 0; round < 1000; round++) {
    const page = await deps.query(
      { dueBefore: now.toISOString() },
      { sort: { field: 'dueAt', direction: 'asc' }, limit: 200 },
    );
    const fresh = page.items.filter((s) => !seen.has(s.id));
    if (fresh.length === 0) break;
    for (const summary of fresh) {
      seen.add(summary.id);
      const ticket = await deps.load(summary.id);
      if (!ticket) continue;
      due++;
      for (const ext of deps.extensions) {
        const when = ext.due?.(ticket);
        if (!ext.onDue || when === undefined || when > now) continue;
        const current = (await deps.load(ticket.id)) ?? ticket;
        // One cascade for what one extension decided for one ticket at this tick.
        const origin = {
          id: `tick:${ext.name}:${ticket.id}:${now.toISOString()}`,
          scratch: new Map<string, unknown>(),
        };
        // A refused command (say, a move the workflow does not allow) that the extension does not
        // handle itself must not stop the tick for every other ticket; storage failures and cascade
        // errors still do.
        const refused = (error: unknown) => {
          if (!isTesseraError(error) || error.code === 'adapter' || error.code === 'config') return false;
          deps.onError?.(error, { extension: ext.name, ticketId: ticket.id });
          return true;
        };
        const issue = async (item: Command | ModuleCommand | IssuedCommand) => {
          const result = await deps.run(item, origin);
          commands++;
          return result;
        };
        // The extension issues its commands with `ctx.execute`, each in this tick's cascade.
        const context: ExtensionContext = {
          ...deps.context,
          execute: (command, options) =>
            issue({
              command,
              actor: options.actor,
              ...(options.ruleId === undefined ? {} : { ruleId: options.ruleId }),
              ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
            }),
        };
        let returned: unknown;
        try {
          returned = await ext.onDue(current, now, context);
        } catch (error) {
          if (!refused(error)) throw error;
          continue;
        }
        returnsNothing(ext.name, 'onDue', returned);
      }
      const after = await deps.load(ticket.id);
      if (after) await deps.index(after);
    }
  }
  for (const ext of deps.extensions) await ext.onTick?.(now, deps.context);
  return { due, commands };
}
