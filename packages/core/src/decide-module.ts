import type { ModuleCommand } from './commands';
import type { DecideContext } from './decide-context';
import {
  ClosedError,
  ConfigError,
  ForbiddenError,
  isTesseraError,
  NotFoundError,
  ValidationError,
} from './errors';
import type { DomainEvent } from './events';
import { copyPlainJson } from './json';
import type { Ticket } from './model';
import type { ModuleCommandSpec } from './modules';
import { seesEverything } from './redact';
import { MAX_COMMAND_DEPTH } from './validate';

/**
 * Checks an extension's command at the boundary, once: read as plain JSON (bounded, like core's
 * commands), then the extension's own `validate`. Whatever `validate` throws that is not a
 * `TesseraError` becomes a `ValidationError`; the result must keep its type and name a ticket.
 *
 * @example
 * const command = validateModuleCommand(input, modules.commands.get(input.type)!);
 */
export function validateModuleCommand(input: unknown, spec: ModuleCommandSpec): ModuleCommand {
  const copy = copyPlainJson(input, '', { maxDepth: MAX_COMMAND_DEPTH, maxNodes: 100_000 });
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new ValidationError([{ path: '', message: 'a command must be an object' }]);
  }
  const type = copy.type as string;
  let command: unknown;
  try {
    command = spec.spec.validate(copy);
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw new ValidationError([{ path: '', message: `invalid ${type}: ${String(error)}` }], { cause: error });
  }
  const c = command as Partial<ModuleCommand> | null;
  const problems = [];
  if (typeof c !== 'object' || c === null || c.type !== type) {
    problems.push({
      path: 'type',
      message: `${spec.extension.name}'s validate must return the ${type} command`,
    });
  } else if (typeof c.ticketId !== 'string' || c.ticketId === '') {
    problems.push({ path: 'ticketId', message: 'is required (a non-empty string)' });
  }
  if (problems.length > 0) throw new ValidationError(problems, { details: { command: type } });
  return c as ModuleCommand;
}

/**
 * Decides an extension's command: the actor's kind must be one the command allows, the ticket
 * must exist for the actor and not be merged (a closed ticket still takes its bookkeeping, such as
 * the delivery of a reply posted before it closed), then the extension decides on the ticket and
 * its slice. It may emit only its own event types, with plain JSON data. Pure.
 *
 * @example
 * const events = decideModule(ticket, command, spec, ctx);
 */
export function decideModule(
  state: Ticket | undefined,
  command: ModuleCommand,
  spec: ModuleCommandSpec,
  ctx: DecideContext,
): DomainEvent[] {
  const { actor } = ctx;
  if (!spec.allowed.has(actor.kind)) {
    throw new ForbiddenError(`${actor.kind} may not issue ${command.type}`, {
      details: { actor: actor.id, command: command.type },
    });
  }
  if (state === undefined || !ctx.policy.canView(actor, state)) {
    throw new NotFoundError(`ticket ${command.ticketId} does not exist`, {
      details: { ticketId: command.ticketId },
    });
  }
  if (state.category === 'merged') {
    const shown = state.mergedInto !== undefined && seesEverything(actor);
    throw new ClosedError(
      shown ? `ticket ${state.id} was merged into ${state.mergedInto}` : `ticket ${state.id} was merged`,
      { details: { ticketId: state.id, ...(shown ? { mergedInto: state.mergedInto } : {}) } },
    );
  }
  const name = spec.extension.name;
  const decided = spec.spec.decide(state, state.ext[name], command, {
    actor,
    now: ctx.now,
    workflows: ctx.workflows,
    ...(ctx.tenantId === undefined ? {} : { tenantId: ctx.tenantId }),
  });
  if (!Array.isArray(decided)) {
    throw new ConfigError([
      { path: `${name}.commands.${command.type}`, message: 'decide must return a list of events' },
    ]);
  }
  return decided.map((event, i) => {
    const path = `${name}.commands.${command.type}: event ${i}`;
    if (typeof event?.type !== 'string' || !spec.owned.has(event.type)) {
      throw new ConfigError([
        {
          path,
          message: `${String(event?.type)} is not one of ${name}'s events (${[...spec.owned].join(', ') || 'none'})`,
        },
      ]);
    }
    const data = copyPlainJson(event.data, 'data');
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ConfigError([{ path, message: 'an event’s data is a plain JSON object' }]);
    }
    return { type: event.type, data } as unknown as DomainEvent;
  });
}
