import type { Command, ExecuteOptions, IssuedCommand, ModuleCommand } from './commands';
import type { NewDomainEvent, StoredEvent, StoredExtensionEvent, Upcaster } from './events';
import type { Actor, ActorKind, Ticket } from './model';
import type { Page, Store, TicketFilter, TicketQuery, TicketSummary } from './ports';
import type { Limits } from './validate';
import type { WorkflowSet } from './workflow-set';

/** The result of `desk.execute`: the ticket after the command (and the triggers it set off). */
export interface ExecuteResult {
  ticket: Ticket;
  /** The events this command appended (not those of the triggers it set off). */
  events: StoredEvent[];
  /** Every event appended while executing, triggers included, in order. */
  allEvents: StoredEvent[];
  /** Set when a reply to a closed ticket opened a follow-up instead. */
  followUp?: Ticket;
  /**
   * Set when the idempotency key had already been executed: nothing new was appended, `events`
   * are the earlier execution's, and its reactions did not run again.
   */
  replayed?: true;
}

/** What a committed command looks like to an extension's `react`. */
export interface Committed {
  command: Command | ModuleCommand;
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
  execute(command: Command | ModuleCommand | IssuedCommand): Promise<ExecuteResult>;
}

/** Where `ExtensionContext.scan` starts, which event types it keeps, and how many at most. */
export interface ScanOptions {
  /** Event types to keep (core's or extensions'); the others are read past. */
  types: readonly string[];
  /** A checkpoint from an earlier scan (`ScanPage.checkpoint`); from the start of the log without it. */
  after?: string;
  /** At most this many matching events (default 500). */
  limit?: number;
}

/** One page of a scan: the matching events of this desk's tenant, each with its ticket. */
export interface ScanPage {
  items: { ticketId: string; event: StoredEvent }[];
  /**
   * Where the next scan goes on (the position of the last event read, matching or not); absent when
   * nothing was read. Keep it as the extension's checkpoint.
   */
  checkpoint?: string;
  /** Whether the scan reached the end of the log. */
  done: boolean;
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
  /**
   * The desk's limits on command input (`createHelpdesk({ limits })` over the defaults), so what an
   * extension files as a command (an inbound mail's subject, body and attachments) is cut to what
   * the desk accepts rather than refused by it.
   */
  limits: Readonly<Limits>;
  /**
   * Executes a command (core's or any installed extension's) as the given actor: the one way an
   * extension issues commands (see docs/extensions.md). Inside `react`, use `committed.execute`
   * instead, which runs the command as part of the cascade.
   */
  execute(command: Command | ModuleCommand, options: ExecuteOptions): Promise<ExecuteResult>;
  /** The ticket unredacted, as the system sees it. */
  load(ticketId: string): Promise<Ticket | undefined>;
  /**
   * A ticket's events by its id, upcast to the current schema (also those of extensions not
   * installed, which the fold skips).
   */
  history(ticketId: string): Promise<StoredEvent[]>;
  /**
   * Folds a ticket's history as the desk does (with the installed extensions' slices), calling
   * `visit` with the ticket as it stood after each event — up to `toVersion` when given. What a
   * module needs that judges the ticket at every past event (the rules' firing episodes) without
   * keeping that in its slice. The ticket handed to `visit` is the fold's working copy: read it
   * during the call, keep nothing of it.
   *
   * @example
   * async function statusChanges(ctx: ExtensionContext, ticketId: string) {
   *   const seen: string[] = [];
   *   await ctx.replay(ticketId, (ticket, event) => {
   *     if (event.type === 'StatusChanged') seen.push(ticket.status);
   *   });
   *   return seen; // → e.g. ['open', 'pending', 'solved']
   * }
   */
  replay(
    ticketId: string,
    visit: (ticket: Ticket, event: StoredEvent) => void,
    options?: { toVersion?: number },
  ): Promise<void>;
  /**
   * Reads the log of this desk's tenant from a checkpoint, keeping events of the given types —
   * how an extension rebuilds a projection of its own or finds work without knowing stream names.
   *
   * @example
   * async function messages(ctx: ExtensionContext) {
   *   let page = await ctx.scan({ types: ['MessagePosted'] });
   *   while (!page.done) page = await ctx.scan({ types: ['MessagePosted'], ...(page.checkpoint ? { after: page.checkpoint } : {}) });
   * }
   */
  scan(options: ScanOptions): Promise<ScanPage>;
  /**
   * The desk's index rows of this tenant. With an `actor`, exactly what `desk.query` answers that
   * actor (their scope, their redaction, their part of the search text); without one, as the system.
   */
  query(query: TicketQuery, options?: { actor?: Actor }): Promise<Page<TicketSummary>>;
  /**
   * How many rows `query` would return over all its pages (the index's `count` when it has one,
   * otherwise by paging), for dashboards. `actor` limits it as in `query`.
   */
  count(filter: TicketFilter, options?: { actor?: Actor }): Promise<number>;
  /** The workflow of a ticket, for decisions such as `closedReplies`. */
  workflowOf(ticket: Ticket): import('./workflow').Workflow;
  /** Finds a ticket by its human number (in this desk's tenant). */
  findByNumber(number: number): Promise<Ticket | undefined>;
}

/** What an extension's `decide` gets besides the ticket, its slice and the command. Pure data. */
export interface ExtensionDecideContext {
  actor: Actor;
  /** ISO time of the decision, from the desk's clock. */
  now: string;
  workflows: WorkflowSet;
  tenantId?: string;
}

/** The least an extension's command is: its type and the ticket it is about. */
export interface ExtensionCommandShape {
  type: string;
  ticketId: string;
}

/**
 * One command an extension owns. `desk.execute` runs it like one of core's: `validate` once at the
 * boundary (on a private plain-JSON copy of the input), the actor's kind checked against `allowed`,
 * then `decide` on the ticket and the extension's slice, appended with the same idempotency and
 * retry as core's commands. `decide` may emit only the extension's own `events`.
 */
export interface ExtensionCommand<S = unknown, C extends ExtensionCommandShape = ExtensionCommandShape> {
  /** Checks the input and returns the command, typed; throws `ValidationError` on bad input. */
  validate(input: unknown): C;
  /** Actor kinds that may issue it (default `['system', 'automation']`). */
  allowed?: readonly ActorKind[];
  /**
   * The events the command means for this ticket (none: nothing to do), or a typed
   * `TesseraError`. Pure: no clock, no randomness, no I/O — everything comes in as arguments.
   */
  decide(ticket: Ticket, state: S, command: C, ctx: ExtensionDecideContext): NewDomainEvent[];
}

/**
 * An extension's slice of each ticket, kept at `ticket.ext[name]` and folded in the same pass as
 * core's handlers. `apply` sees every event of the stream (core's and its own) unless `on` narrows
 * them, after core has applied it to `ticket`; it changes `draft` in place or returns the new slice
 * (for a primitive, or when `initial()` returned a frozen value: every ticket then shares that one,
 * and `initial()` is called once).
 */
export interface ExtensionState<S = unknown> {
  initial(): S;
  /**
   * The event types `apply` needs to see, when it needs only some: the fold then calls it for
   * those alone (the cheapest slice is one that is not called). Without it, `apply` sees every event.
   */
  on?: readonly string[];
  /**
   * With `on`: also every event a rule caused (it carries a `ruleId`), whatever its type.
   */
  onRule?: boolean;
  /**
   * With `on`: whether the slice must see every event from now on, whatever `on` says, until it
   * answers `false` after a later `apply`. Asked of a new ticket's initial slice (answering `true`,
   * `apply` sees the TicketOpened too) and after each `apply`, never for the events `apply` is not
   * called for: a slice that watches closely only sometimes (rules, while an automation is
   * disarmed) costs nothing the rest of the time.
   */
  followAll?(state: S): boolean;
  apply(
    draft: S,
    event: StoredEvent | StoredExtensionEvent,
    ticket: Ticket,
  ): // biome-ignore lint/suspicious/noConfusingVoidType: a handler that mutates the draft returns nothing
  S | void;
}

/**
 * How SLA, rules and the email channel plug into the desk. Every hook is optional.
 * Commands an extension returns run as actor `automation` (unless it says otherwise) and record
 * `causationId` (and `ruleId`), so "why did this happen" is answerable from the log.
 */
export interface Extension<S = unknown> {
  /** Its key: `ticket.ext[name]` holds its slice. */
  name: string;
  /** Commands it owns, by command type; a type of core's or of another extension is a `ConfigError`. */
  commands?: Record<string, ExtensionCommand<S, ExtensionCommandShape>>;
  /**
   * Event types it owns. Its commands may emit only these; the fold passes them to its `state` and
   * skips them while it is not installed (they stay in the log: install it and `rebuild`).
   */
  events?: readonly string[];
  /** Upcasters of its own events, by type: run on read when an event's `schemaVersion` is older. */
  upcasters?: Record<string, Upcaster>;
  /** The schema version its events are appended with (default 1). */
  schemaVersion?: number;
  /** Its slice of each ticket (see `ExtensionState`). */
  state?: ExtensionState<S>;
  /**
   * What this actor may see of the slice (`undefined`: nothing). Without it, staff and the desk's own
   * actors see all of it and customers none.
   */
  view?(state: S, actor: Actor): unknown;
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
   * Runs after each committed command, before `execute` resolves. It issues commands with
   * `committed.execute` (each runs at once, in the same cascade, to a fixed depth, so the next one
   * sees its changes) and returns nothing: a returned value is a `ConfigError` (a list of commands
   * returned, as older versions ran them, would otherwise be dropped without a word).
   */
  react?(committed: Committed, ctx: ExtensionContext): void | Promise<void>;
  /** The next instant `tick` should call `onDue` for this ticket. */
  due?(ticket: Ticket): Date | undefined;
  /**
   * Called by `tick` once the ticket's due instant has passed. It issues commands with
   * `ctx.execute` (a refused one is reported to `onError` and the tick goes on) and returns
   * nothing, as `react`.
   */
  onDue?(ticket: Ticket, now: Date, ctx: ExtensionContext): void | Promise<void>;
  /** Called after events are committed (also those of other processes when the store can watch). */
  onCommitted?(events: StoredEvent[], ctx: ExtensionContext): void | Promise<void>;
  /** Called by `tick`, for periodic work not tied to one ticket (e.g. retrying mail). */
  onTick?(now: Date, ctx: ExtensionContext): void | Promise<void>;
  /**
   * Called by `desk.rebuild` after the index is rebuilt, so the extension can rebuild what it keeps
   * outside tickets (the email channel's Message-ID index) with `ctx.scan`.
   */
  onRebuild?(ctx: ExtensionContext): void | Promise<void>;
}
