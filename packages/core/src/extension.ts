import type { Command, ExecuteOptions, IssuedCommand } from './commands';
import type { WorkflowSet } from './decide';
import type { StoredEvent } from './events';
import type { Actor, Ticket } from './model';
import type { Page, Store, TicketQuery, TicketSummary } from './ports';

/** The result of `desk.execute`: the ticket after the command (and the triggers it set off). */
export interface ExecuteResult {
  ticket: Ticket;
  /** The events this command appended (not those of the triggers it set off). */
  events: StoredEvent[];
  /** Every event appended while executing, triggers included, in order. */
  allEvents: StoredEvent[];
  /** Set when a reply to a closed ticket opened a follow-up instead. */
  followUp?: Ticket;
}

/** What a committed command looks like to an extension's `react`. */
export interface Committed {
  command: Command;
  actor: Actor;
  /** The ticket after the events. */
  ticket: Ticket;
  /** The ticket before them (undefined for a new ticket). */
  previous?: Ticket;
  events: StoredEvent[];
  /** How many commands deep this is in a cascade of reactions (0 for the user's own command). */
  depth: number;
  /**
   * The originating command of this cascade: its first event's id, and a scratch map shared by
   * every reaction to it (rules use it to fire each trigger at most once per originating command).
   */
  origin: { id: string; scratch: Map<string, unknown> };
  /** The rule ids along this cascade, outermost first (for naming a cycle). */
  chain: string[];
  /**
   * Executes a command now, as part of this cascade: it runs as `automation` (unless an actor is
   * given), records this batch's last event as `causationId`, and its own reactions run before it
   * resolves. Use it to let each reaction see the changes of the ones before it.
   */
  execute(command: Command | IssuedCommand): Promise<ExecuteResult>;
}

/** The parts of the desk an extension may use. */
export interface ExtensionContext {
  now(): Date;
  tenantId?: string;
  /**
   * The store as this desk's tenant sees it: index, Message-ID and blob calls carry the tenant
   * (index queries return only its rows; blobs are stored with its `tenantId`).
   */
  store: Store;
  /** The desk's workflows, so an extension can check the status names it was given in `init`. */
  workflows: WorkflowSet;
  execute(command: Command, options: ExecuteOptions): Promise<ExecuteResult>;
  /** The ticket unredacted, as the system sees it. */
  load(ticketId: string): Promise<Ticket | undefined>;
  /** The ticket's events, upcast to the current schema. */
  history(ticketId: string): Promise<StoredEvent[]>;
  query(query: TicketQuery): Promise<Page<TicketSummary>>;
  /** The workflow of a ticket, for decisions such as `closedReplies`. */
  workflowOf(ticket: Ticket): import('./workflow').Workflow;
  /** Finds a ticket by its human number (in this desk's tenant). */
  findByNumber(number: number): Promise<Ticket | undefined>;
}

/**
 * How SLA, rules and the email channel plug into the desk. Every hook is optional.
 * Commands an extension returns run as actor `automation` (unless it says otherwise) and record
 * `causationId` (and `ruleId`), so "why did this happen" is answerable from the log.
 */
export interface Extension {
  name: string;
  /**
   * Capabilities this extension provides, such as `'acknowledgement'` (it answers a new ticket).
   * `createHelpdesk` refuses two installed extensions that provide the same one with a `ConfigError`.
   */
  provides?: string[];
  /** Called once when the desk is created; a `ConfigError` it throws comes out of `createHelpdesk`. */
  init?(ctx: ExtensionContext): void;
  /** Adds the extension's part to a ticket's index row. */
  summarize?(ticket: Ticket, summary: TicketSummary): TicketSummary | undefined;
  /**
   * Runs after each committed command, before `execute` resolves; the commands it returns run in
   * the same `execute` (a cascade, to a fixed depth).
   */
  react?(
    committed: Committed,
    ctx: ExtensionContext,
  ): (Command | IssuedCommand)[] | Promise<(Command | IssuedCommand)[]>;
  /** The next instant `tick` should call `onDue` for this ticket. */
  due?(ticket: Ticket): Date | undefined;
  /** Called by `tick` once the ticket's due instant has passed. */
  onDue?(
    ticket: Ticket,
    now: Date,
    ctx: ExtensionContext,
  ): (Command | IssuedCommand)[] | Promise<(Command | IssuedCommand)[]>;
  /** Called after events are committed (also those of other processes when the store can watch). */
  onCommitted?(events: StoredEvent[], ctx: ExtensionContext): void | Promise<void>;
  /** Called by `tick`, for periodic work not tied to one ticket (e.g. retrying mail). */
  onTick?(now: Date, ctx: ExtensionContext): void | Promise<void>;
}
