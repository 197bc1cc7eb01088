import type { Appended } from './command-handler';
import type { Command, ExecuteOptions, IssuedCommand, ModuleCommand } from './commands';
import { ConfigError } from './errors';
import type { StoredEvent } from './events';
import type { Committed, ExecuteResult, Extension, ExtensionContext } from './extension';
import { returnsNothing } from './extension-check';
import type { Actor, Ticket } from './model';

/** Where a command stands in a cascade of reactions. */
export interface Cascade {
  depth: number;
  origin?: { id: string; scratch: Map<string, unknown> };
  chain: string[];
}

export interface ReactorDeps {
  extensions: readonly Extension[];
  load(ticketId: string): Promise<Ticket | undefined>;
  /** The ticket as this process last committed or read it (no read of the store). */
  peek(ticketId: string): Ticket | undefined;
  context(): ExtensionContext;
  maxDepth: number;
  /** Runs a command an extension issued (trusted: it comes from an installed extension). */
  execute(command: Command | ModuleCommand, opts: ExecuteOptions, cascade: Cascade): Promise<ExecuteResult>;
}

const AUTOMATION: Actor = { kind: 'automation', id: 'automation' };
const SYSTEM: Actor = { kind: 'system', id: 'system' };
/** The actor extensions' commands run as unless they name one. */
export const automationActor: Actor = AUTOMATION;
/** The desk's own actor. */
export const systemActor: Actor = SYSTEM;
const isIssued = (c: Command | ModuleCommand | IssuedCommand): c is IssuedCommand =>
  'command' in c && typeof c.command === 'object';

/**
 * The reactor: after a command commits, each extension's `react` sees it and the commands it
 * issues run at once, as automation (unless they say otherwise), with causation and correlation,
 * to a fixed depth — a cycle of rules ends in a `ConfigError` naming the chain.
 *
 * @example
 * const { react, run } = createReactor(deps);
 */
export function createReactor(deps: ReactorDeps) {
  async function react(
    appended: Appended,
    command: Command | ModuleCommand,
    opts: ExecuteOptions,
    cascade: Cascade,
  ): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [...appended.events];
    if (appended.events.length === 0) return all;
    const lastEvent = appended.events[appended.events.length - 1]!;
    const origin = cascade.origin ?? { id: appended.events[0]!.eventId, scratch: new Map<string, unknown>() };
    let loaded = false;
    for (const ext of deps.extensions) {
      if (!ext.react) continue;
      // Read once (another process may have moved the ticket on); after that, this process's own
      // commits — the reactions' commands — are in the cache already (read again if it let go).
      const current =
        (loaded ? deps.peek(appended.ticket.id) : undefined) ??
        (await deps.load(appended.ticket.id)) ??
        appended.ticket;
      loaded = true;
      const committed: Committed = {
        command,
        actor: opts.actor,
        ticket: current,
        ...(appended.previous === undefined ? {} : { previous: appended.previous }),
        events: appended.events,
        depth: cascade.depth,
        origin,
        chain: cascade.chain,
        execute: async (issued) => {
          const r = await run(
            issued,
            lastEvent,
            { depth: cascade.depth + 1, origin, chain: cascade.chain },
            opts,
          );
          all.push(...r.allEvents);
          return r;
        },
      };
      // Commands are issued with `committed.execute`, the one way (see docs/extensions.md).
      returnsNothing(ext.name, 'react', await ext.react(committed, deps.context()));
    }
    return all;
  }

  /** Runs a command an extension issued, as part of a cascade. */
  async function run(
    item: Command | ModuleCommand | IssuedCommand,
    cause: StoredEvent | undefined,
    cascade: Cascade & { origin: { id: string; scratch: Map<string, unknown> } },
    parent: ExecuteOptions | undefined,
  ): Promise<ExecuteResult> {
    const issued = isIssued(item) ? item : { command: item };
    const chain = issued.ruleId ? [...cascade.chain, issued.ruleId] : cascade.chain;
    if (cascade.depth > deps.maxDepth) {
      throw new ConfigError([
        {
          path: 'extensions',
          message: `reactions cascaded deeper than ${deps.maxDepth} commands: ${chain.join(' → ') || 'no rule ids recorded'}`,
        },
      ]);
    }
    const opts: ExecuteOptions = {
      actor: issued.actor ?? AUTOMATION,
      ...(cause ? { causationId: cause.eventId } : {}),
      ...(parent?.correlationId !== undefined
        ? { correlationId: parent.correlationId }
        : cause
          ? { correlationId: cause.correlationId ?? cause.eventId }
          : {}),
      ...(issued.ruleId === undefined ? {} : { ruleId: issued.ruleId }),
      ...(issued.idempotencyKey === undefined ? {} : { idempotencyKey: issued.idempotencyKey }),
    };
    return deps.execute(issued.command, opts, { ...cascade, chain });
  }

  return { react, run };
}
