import { apply, deepFreeze, evolve, evolveAll, fold } from './apply';
import type { Command, ExecuteOptions, IssuedCommand } from './commands';
import { type DecideContext, decide, type IdGenerator, type WorkflowSet, workflowSet } from './decide';
import { ClosedError, ConfigError, isTesseraError, NotFoundError, ValidationError } from './errors';
import { type DomainEvent, type NewEvent, SCHEMA_VERSION, type StoredEvent, type Upcaster } from './events';
import type { Committed, ExecuteResult, Extension, ExtensionContext } from './extension';
import { copyJson } from './json';
import { inMemoryStore } from './memory';
import type { Actor, Ticket } from './model';
import { defaultPolicy, type Policy } from './policy';
import type { Page, Store, TicketFilter, TicketQuery, TicketSummary } from './ports';
import { toSummary } from './summary';
import { DEFAULT_LIMITS, type Limits, validateCommand } from './validate';
import { defaultWorkflow, type Workflow } from './workflow';

export interface Clock {
  now(): Date;
}

export interface HelpdeskOptions {
  /** Default: `inMemoryStore()`. */
  store?: Store;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `crypto.randomUUID()`. */
  ids?: IdGenerator;
  /** Scopes every stream, number, index row and query. */
  tenantId?: string;
  /** The first is the default. Default: the built-in workflow. */
  workflows?: Workflow[];
  /** Ticket type → workflow id. */
  types?: Record<string, string>;
  /** Default: `defaultPolicy()` with the three options below. */
  policy?: Policy;
  /** Custom fields customers never see (for the default policy). */
  internalFields?: string[];
  /** Whether customers may solve or close their own tickets (for the default policy). */
  customersMayClose?: boolean;
  /** Which tickets a customer sees (for the default policy). */
  visibility?: 'requester' | 'organization';
  extensions?: Extension[];
  limits?: Partial<Limits>;
  /** Upgrades events stored with an older schemaVersion, on read: by event type. */
  upcasters?: Partial<Record<string, Upcaster>>;
  /** How often `execute` re-reads and re-decides after a conflict with another writer (default 8). */
  maxRetries?: number;
  /** How deep extensions' reactions may cascade before `ConfigError` (default 8). */
  maxCascadeDepth?: number;
  /** Told about commands `tick` ran for an extension that the ticket refused; the tick goes on. */
  onError?: (error: unknown, where: { extension: string; ticketId: string }) => void;
}

export type SavedQueue = 'unassigned' | 'mine' | 'waiting-on-agent' | 'waiting-on-customer' | 'sla-at-risk';

export interface QueryOptions extends Omit<TicketQuery, 'filter'> {
  actor: Actor;
}

export interface History {
  events: StoredEvent[];
  /** The ticket as it was at `asOf` (or now); undefined if it did not exist yet. */
  ticket: Ticket | undefined;
}

export interface RebuildProgress {
  events: number;
  tickets: number;
  position?: string;
}

/** A committed batch as `subscribe` handlers see it. */
export type CommitHandler = (events: StoredEvent[]) => void | Promise<void>;

export interface Helpdesk {
  execute(command: Command, options: ExecuteOptions): Promise<ExecuteResult>;
  get(ticketId: string, options: { actor: Actor }): Promise<Ticket>;
  history(ticketId: string, options?: { asOf?: Date | string }): Promise<History>;
  query(filter: TicketFilter | { queue: SavedQueue }, options: QueryOptions): Promise<Page<TicketSummary>>;
  tick(now?: Date): Promise<{ due: number; commands: number }>;
  subscribe(handler: CommitHandler): () => void;
  rebuild(options?: { onProgress?: (p: RebuildProgress) => void }): Promise<RebuildProgress>;
  /** Finds a ticket by its human number. */
  findByNumber(number: number, options: { actor: Actor }): Promise<Ticket | undefined>;
  readonly store: Store;
  readonly workflows: WorkflowSet;
  readonly extensions: readonly Extension[];
  /** Stops subscriptions and watchers (does not close the store). */
  close(): Promise<void>;
}

const SYSTEM: Actor = { kind: 'system', id: 'system' };
const INVERSE: Record<string, string> = {
  'parent-of': 'child-of',
  'child-of': 'parent-of',
  'duplicate-of': 'related',
  'follow-up-of': 'related',
  'caused-by': 'related',
  related: 'related',
};
const AUTOMATION: Actor = { kind: 'automation', id: 'automation' };

/** FNV-1a, for deriving a ticket id from an idempotency key so a retried open finds its ticket. */
function hashKey(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** A per-key queue so that commands on one ticket in this process run one at a time. */
function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

const isIssued = (c: Command | IssuedCommand): c is IssuedCommand => 'command' in c;

/**
 * Creates the help-desk service over a store, with workflows, a permission policy and extensions.
 *
 * @example
 * const desk = createHelpdesk({ store: inMemoryStore() });
 * const { ticket } = await desk.execute(
 *   { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'Printer on fire', body: 'Help' },
 *   { actor: { kind: 'customer', id: 'c1' } },
 * );
 */
export function createHelpdesk(options: HelpdeskOptions = {}): Helpdesk {
  const store = options.store ?? inMemoryStore();
  const clock = options.clock ?? { now: () => new Date() };
  const ids = options.ids ?? { next: () => crypto.randomUUID() };
  const tenantId = options.tenantId;
  const workflows = workflowSet(options.workflows ?? [defaultWorkflow], options.types ?? {});
  const policy =
    options.policy ??
    defaultPolicy({
      ...(options.internalFields === undefined ? {} : { internalFields: options.internalFields }),
      ...(options.customersMayClose === undefined ? {} : { customersMayClose: options.customersMayClose }),
      ...(options.visibility === undefined ? {} : { visibility: options.visibility }),
    });
  const extensions = options.extensions ?? [];
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxRetries = options.maxRetries ?? 8;
  const maxDepth = options.maxCascadeDepth ?? 8;
  const upcasters = options.upcasters ?? {};
  const hasUpcasters = Object.keys(upcasters).length > 0;
  const queue = keyedQueue();
  const idempotent = new Map<string, Promise<ExecuteResult>>();
  const subscribers = new Set<CommitHandler>();
  const cache = new Map<string, Ticket>();
  const CACHE_LIMIT = 10_000;

  const names = new Set<string>();
  for (const ext of extensions) {
    if (names.has(ext.name))
      throw new ConfigError([{ path: 'extensions', message: `two extensions named ${ext.name}` }]);
    names.add(ext.name);
  }

  const streamOf = (ticketId: string) => (tenantId ? `${tenantId}/ticket-${ticketId}` : `ticket-${ticketId}`);
  const sequence = tenantId ? `${tenantId}/tickets` : 'tickets';

  const upcast = (events: StoredEvent[]) =>
    hasUpcasters
      ? events.map((e) => {
          const up = upcasters[e.type];
          return up && e.schemaVersion < SCHEMA_VERSION ? up(e) : e;
        })
      : events;

  /** The ticket as stored, from the cache topped up with any newer events. */
  async function load(ticketId: string): Promise<Ticket | undefined> {
    const streamId = streamOf(ticketId);
    const cached = cache.get(streamId);
    const fresh = upcast(
      await store.events.readStream(streamId, cached ? { fromVersion: cached.version + 1 } : {}),
    );
    let ticket = cached;
    // Cached tickets are frozen: what a caller is handed cannot change the desk's copy.
    if (fresh.length > 0) ticket = ticket === undefined ? deepFreeze(fold(fresh)) : evolveAll(ticket, fresh);
    if (ticket !== undefined) remember(streamId, ticket);
    return ticket;
  }

  function remember(streamId: string, ticket: Ticket) {
    cache.delete(streamId);
    cache.set(streamId, ticket);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  }

  function summarize(ticket: Ticket): TicketSummary {
    let summary = toSummary(ticket);
    let dueAt: Date | undefined;
    for (const ext of extensions) {
      summary = ext.summarize?.(ticket, summary) ?? summary;
      const due = ext.due?.(ticket);
      if (due !== undefined && (dueAt === undefined || due < dueAt)) dueAt = due;
    }
    if (dueAt !== undefined) summary.dueAt = dueAt.toISOString();
    else delete summary.dueAt;
    // Frozen, so an index may keep it without copying.
    return deepFreeze(summary);
  }

  /** Index adapters keep the row with the highest version, so a slower writer cannot put back an older one. */
  async function index(ticket: Ticket, position: string | undefined) {
    await store.index.upsert(summarize(ticket), position);
  }

  // Subscribers tail the global log, so they see every commit in order (other processes' too,
  // when the store can watch), with no gaps.
  let tailPosition: string | undefined;
  let tailReady: Promise<void> | undefined;
  let tailing: Promise<void> = Promise.resolve();
  let unwatch: (() => void) | undefined;
  const mine = (e: StoredEvent) =>
    tenantId ? e.streamId.startsWith(`${tenantId}/`) : !e.streamId.includes('/');

  async function findEnd(): Promise<string | undefined> {
    let after: string | undefined;
    for (;;) {
      const page = await store.events.readAll({ ...(after === undefined ? {} : { after }), limit: 5000 });
      if (page.length === 0) return after;
      after = page[page.length - 1]!.position;
    }
  }

  function pump(): Promise<void> {
    tailing = tailing.then(async () => {
      if (subscribers.size === 0) return;
      await tailReady;
      for (;;) {
        const page = await store.events.readAll({
          ...(tailPosition === undefined ? {} : { after: tailPosition }),
          limit: 1000,
        });
        if (page.length === 0) return;
        tailPosition = page[page.length - 1]!.position;
        const ours = upcast(page.filter(mine));
        if (ours.length === 0) continue;
        for (const handler of [...subscribers]) {
          try {
            await handler(ours);
          } catch {
            // A failing subscriber must not stop the others or the desk.
          }
        }
      }
    });
    return tailing;
  }

  const decideContext = (actor: Actor, open?: { ticketId: string; number: number }): DecideContext => {
    const ctx: DecideContext = { actor, now: clock.now().toISOString(), ids, workflows, policy, limits };
    if (tenantId !== undefined) ctx.tenantId = tenantId;
    if (open !== undefined) {
      ctx.ticketId = open.ticketId;
      ctx.number = open.number;
    }
    return ctx;
  };

  function envelope(events: DomainEvent[], opts: ExecuteOptions, at: string): NewEvent[] {
    return events.map((e) => {
      const event = {
        type: e.type,
        data: e.data,
        eventId: ids.next(),
        occurredAt: at,
        actor: opts.actor,
      } as NewEvent;
      event.schemaVersion = SCHEMA_VERSION;
      if (opts.causationId !== undefined) event.causationId = opts.causationId;
      if (opts.correlationId !== undefined) event.correlationId = opts.correlationId;
      if (opts.ruleId !== undefined) event.ruleId = opts.ruleId;
      if (opts.idempotencyKey !== undefined)
        (event as { idempotencyKey?: string }).idempotencyKey = opts.idempotencyKey;
      return event;
    });
  }

  interface Appended {
    ticket: Ticket;
    previous: Ticket | undefined;
    events: StoredEvent[];
    followUp?: Ticket;
    /** The result of an earlier execution with the same idempotency key: nothing new happened. */
    replayed?: true;
  }

  /** Decide and append one command, retrying on conflicts with other writers. */
  async function appendCommand(command: Command, opts: ExecuteOptions): Promise<Appended> {
    if (command.type === 'openTicket') return openTicket(command, opts);
    let ticketId = command.ticketId;
    // Replies to a merged ticket go to the ticket it was merged into.
    for (let hops = 0; hops < 10 && command.type === 'postMessage'; hops++) {
      const t = await load(ticketId);
      if (t?.category === 'merged' && t.mergedInto) ticketId = t.mergedInto;
      else break;
    }
    const cmd = ticketId === command.ticketId ? command : ({ ...command, ticketId } as Command);
    if (cmd.type === 'merge' || cmd.type === 'link') {
      const otherId = cmd.type === 'merge' ? cmd.into : cmd.to;
      const other = await load(otherId);
      if (!other || !policy.canView(opts.actor, other)) {
        throw new NotFoundError(`ticket ${otherId} does not exist`, { details: { ticketId: otherId } });
      }
      if (cmd.type === 'merge' && (other.category === 'closed' || other.category === 'merged')) {
        throw new ClosedError(
          `ticket ${otherId} is ${other.status}; a ticket can only be merged into a live one`,
          {
            details: { ticketId: otherId },
          },
        );
      }
    }
    const appended = await appendOwn(ticketId, cmd, opts);
    if ((cmd.type === 'merge' || cmd.type === 'link') && appended.events.length > 0) {
      const cause = appended.events[0]!;
      const [otherId, event]: [string, DomainEvent] =
        cmd.type === 'merge'
          ? [cmd.into, { type: 'TicketReceivedMerge', data: { from: ticketId } }]
          : [
              cmd.to,
              {
                type: 'TicketLinked',
                data: { to: ticketId, relation: INVERSE[cmd.relation] ?? cmd.relation },
              },
            ];
      await appendRelated(otherId, event, { ...opts, causationId: cause.eventId });
    }
    return appended;
  }

  /** Records the other side of a merge or link on the other ticket (unless it has ended meanwhile). */
  async function appendRelated(ticketId: string, event: DomainEvent, opts: ExecuteOptions): Promise<void> {
    await queue(streamOf(ticketId), async () => {
      for (let attempt = 0; ; attempt++) {
        const current = await load(ticketId);
        if (!current || current.category === 'closed' || current.category === 'merged') return;
        // Already recorded (a retry with the command's idempotency key completes a half-done one).
        if (
          event.type === 'TicketLinked'
            ? current.links.some((l) => l.to === event.data.to && l.relation === event.data.relation)
            : event.type === 'TicketReceivedMerge' && current.mergedFrom.includes(event.data.from)
        ) {
          return;
        }
        const batch = envelope([event], opts, clock.now().toISOString());
        try {
          const { positions } = await store.events.append(streamOf(ticketId), batch, {
            expectedVersion: current.version,
          });
          await commit(current, batch, positions, ticketId);
          return;
        } catch (error) {
          if (isTesseraError(error, 'conflict') && attempt < maxRetries) {
            cache.delete(streamOf(ticketId));
            continue;
          }
          throw error;
        }
      }
    });
  }

  async function appendOwn(ticketId: string, cmd: Command, opts: ExecuteOptions): Promise<Appended> {
    return queue(streamOf(ticketId), async () => {
      // The first try decides on the cached ticket without reading the store: the append's
      // expected version proves it current. A refusal or a no-op on an unproven cache is not
      // trusted — another process may have moved the ticket on — so it is decided again on a fresh read.
      let fresh = opts.idempotencyKey !== undefined;
      for (let attempt = 0; ; attempt++) {
        const cached = fresh ? undefined : cache.get(streamOf(ticketId));
        const previous = cached ?? (await load(ticketId));
        const proven = cached === undefined;
        if (previous && opts.idempotencyKey !== undefined) {
          const seen = await replayed(ticketId, opts.idempotencyKey);
          if (seen) return seen;
        }
        let decided: DomainEvent[];
        try {
          decided = decide(previous, cmd, decideContext(opts.actor));
        } catch (error) {
          if (!proven) {
            fresh = true;
            continue;
          }
          if (
            isTesseraError(error, 'closed') &&
            cmd.type === 'postMessage' &&
            previous?.category === 'closed' &&
            opts.actor.kind === 'customer' &&
            workflows.get(previous.workflowId)?.closedReplies !== 'reject'
          ) {
            return followUp(previous, cmd, opts);
          }
          throw error;
        }
        if (decided.length === 0 || previous === undefined) {
          if (!proven) {
            fresh = true;
            continue;
          }
          return { ticket: previous as Ticket, previous, events: [] };
        }
        const at = clock.now().toISOString();
        const batch = envelope(decided, opts, at);
        try {
          const { positions } = await store.events.append(streamOf(ticketId), batch, {
            expectedVersion: previous.version,
          });
          return commit(previous, batch, positions, ticketId);
        } catch (error) {
          if (isTesseraError(error, 'conflict') && attempt < maxRetries) {
            cache.delete(streamOf(ticketId));
            continue;
          }
          throw error;
        }
      }
    });
  }

  /** The result of an earlier execution with the same idempotency key, if the stream holds one. */
  async function replayed(ticketId: string, key: string): Promise<Appended | undefined> {
    const events = upcast(await store.events.readStream(streamOf(ticketId)));
    const last = events.findLastIndex((e) => (e as { idempotencyKey?: string }).idempotencyKey === key);
    if (last < 0) return undefined;
    const first = events.findIndex((e) => (e as { idempotencyKey?: string }).idempotencyKey === key);
    return {
      ticket: fold(events.slice(0, last + 1))!,
      previous: first > 0 ? fold(events.slice(0, first)) : undefined,
      events: events.slice(first, last + 1),
      replayed: true,
    };
  }

  async function commit(
    previous: Ticket | undefined,
    batch: NewEvent[],
    positions: string[],
    ticketId: string,
  ) {
    const streamId = streamOf(ticketId);
    const base = previous?.version ?? 0;
    const stored = batch.map((e, i) => {
      // Built field by field: a spread of each event is measurably slower on this hot path.
      const event = {
        type: e.type,
        data: e.data,
        eventId: e.eventId,
        occurredAt: e.occurredAt,
        actor: e.actor,
        schemaVersion: e.schemaVersion,
        streamId,
        version: base + i + 1,
        position: positions[i]!,
      } as StoredEvent;
      if (e.causationId !== undefined) event.causationId = e.causationId;
      if (e.correlationId !== undefined) event.correlationId = e.correlationId;
      if (e.ruleId !== undefined) event.ruleId = e.ruleId;
      const key = (e as { idempotencyKey?: string }).idempotencyKey;
      if (key !== undefined) (event as { idempotencyKey?: string }).idempotencyKey = key;
      return event;
    });
    const ticket = evolveAll(previous, stored);
    remember(streamOf(ticketId), ticket!);
    await index(ticket!, positions[positions.length - 1]);
    return { ticket: ticket!, previous, events: stored };
  }

  async function openTicket(
    command: Extract<Command, { type: 'openTicket' }>,
    opts: ExecuteOptions,
  ): Promise<Appended> {
    const ticketId =
      command.ticketId ??
      (opts.idempotencyKey !== undefined
        ? `k${hashKey(`${tenantId ?? ''}:${opts.idempotencyKey}`)}`
        : ids.next());
    // An id this desk just generated names no stream yet (the 'no-stream' append proves it).
    const generated = command.ticketId === undefined && opts.idempotencyKey === undefined;
    return queue(streamOf(ticketId), async () => {
      const existing = generated ? undefined : await load(ticketId);
      if (existing && opts.idempotencyKey !== undefined) {
        const seen = await replayed(ticketId, opts.idempotencyKey);
        if (seen) return seen;
      }
      // Validate and authorize before a number is taken, so bad input burns no number.
      decide(existing, command, decideContext(opts.actor, { ticketId, number: 0 }));
      const number = await store.events.nextNumber(sequence);
      const decided = decide(existing, command, decideContext(opts.actor, { ticketId, number }));
      const batch = envelope(decided, opts, clock.now().toISOString());
      try {
        const { positions } = await store.events.append(streamOf(ticketId), batch, {
          expectedVersion: 'no-stream',
        });
        return commit(undefined, batch, positions, ticketId);
      } catch (error) {
        if (isTesseraError(error, 'conflict') && opts.idempotencyKey !== undefined) {
          const seen = await replayed(ticketId, opts.idempotencyKey);
          if (seen) return seen;
        }
        if (isTesseraError(error, 'conflict')) {
          throw new ValidationError([{ path: 'ticketId', message: `ticket ${ticketId} already exists` }], {
            cause: error,
          });
        }
        throw error;
      }
    });
  }

  /** A customer's message to a closed ticket opens a follow-up linked to it. */
  async function followUp(
    closed: Ticket,
    command: Extract<Command, { type: 'postMessage' }>,
    opts: ExecuteOptions,
  ) {
    const open: Extract<Command, { type: 'openTicket' }> = {
      type: 'openTicket',
      channel: command.channel ?? closed.channel,
      requester: closed.requester,
      subject: closed.subject,
      body: command.body,
      priority: closed.priority,
      followUpOf: closed.id,
      ...(command.html === undefined ? {} : { html: command.html }),
      ...(command.attachments === undefined ? {} : { attachments: command.attachments }),
      ...(command.email === undefined ? {} : { email: command.email }),
      ...(closed.type === undefined ? {} : { ticketType: closed.type }),
      ...(closed.team === undefined ? {} : { team: closed.team }),
      ...(closed.cc.length === 0 ? {} : { cc: closed.cc }),
    };
    // The follow-up is opened as the customer, for their own request.
    const result = await openTicket({ ...open, requester: closed.requester }, { ...opts });
    return { ...result, followUp: result.ticket };
  }

  async function react(
    appended: Appended,
    command: Command,
    opts: ExecuteOptions,
    cascade: Cascade,
  ): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [...appended.events];
    if (appended.events.length === 0) return all;
    const lastEvent = appended.events[appended.events.length - 1]!;
    const origin = cascade.origin ?? { id: appended.events[0]!.eventId, scratch: new Map<string, unknown>() };
    for (const ext of extensions) {
      if (!ext.react) continue;
      const current = (await load(appended.ticket.id)) ?? appended.ticket;
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
      const issued = await ext.react(committed, context);
      for (const item of issued) await committed.execute(item);
    }
    return all;
  }

  interface Cascade {
    depth: number;
    origin?: { id: string; scratch: Map<string, unknown> };
    chain: string[];
  }

  /** Runs a command an extension issued, as part of a cascade. */
  async function run(
    item: Command | IssuedCommand,
    cause: StoredEvent | undefined,
    cascade: Cascade & { origin: { id: string; scratch: Map<string, unknown> } },
    parent: ExecuteOptions | undefined,
  ): Promise<ExecuteResult> {
    const issued = isIssued(item) ? item : { command: item };
    const chain = issued.ruleId ? [...cascade.chain, issued.ruleId] : cascade.chain;
    if (cascade.depth > maxDepth) {
      throw new ConfigError([
        {
          path: 'extensions',
          message: `reactions cascaded deeper than ${maxDepth} commands: ${chain.join(' → ') || 'no rule ids recorded'}`,
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
    return executeAt(issued.command, opts, { ...cascade, chain });
  }

  async function executeAt(input: Command, given: ExecuteOptions, cascade: Cascade): Promise<ExecuteResult> {
    // Private copies: events and the (frozen) tickets built from them must not share objects with
    // the caller's command or actor.
    const command = copyJson(validateCommand(input, limits));
    const opts: ExecuteOptions = { ...given, actor: copyJson(given.actor) };
    const appended = await appendCommand(command, opts);
    // A replayed result set off its reactions the first time; running them again would repeat them.
    const allEvents = appended.replayed
      ? [...appended.events]
      : await react(appended, command, opts, cascade);
    // Reactions may have moved the ticket on; without them the appended ticket is the answer.
    const ticket =
      appended.replayed || allEvents.length > appended.events.length
        ? ((await load(appended.ticket.id)) ?? appended.ticket)
        : appended.ticket;
    if (allEvents.length > 0 && subscribers.size > 0) void pump();
    const result: ExecuteResult = { ticket, events: appended.events, allEvents };
    if (appended.followUp) result.followUp = ticket;
    return result;
  }

  async function execute(command: Command, opts: ExecuteOptions): Promise<ExecuteResult> {
    if (opts.idempotencyKey === undefined) return executeAt(command, opts, { depth: 0, chain: [] });
    const key = `${opts.actor.kind}:${opts.actor.id}:${opts.idempotencyKey}`;
    const pending = idempotent.get(key);
    if (pending) return pending;
    const promise = executeAt(command, opts, { depth: 0, chain: [] });
    idempotent.set(key, promise);
    if (idempotent.size > 10_000) idempotent.delete(idempotent.keys().next().value as string);
    promise.catch(() => idempotent.delete(key));
    return promise;
  }

  async function queryAs(filter: TicketFilter, q: Omit<TicketQuery, 'filter'>, actor: Actor | undefined) {
    const scoped: TicketFilter[] = [filter];
    if (tenantId !== undefined) scoped.push({ tenantId });
    const scope = actor ? policy.scope(actor) : undefined;
    if (scope) scoped.push(scope);
    return store.index.query({ ...q, filter: andFilters(scoped) });
  }

  const context: ExtensionContext = {
    now: () => clock.now(),
    ...(tenantId === undefined ? {} : { tenantId }),
    store,
    execute: (command, opts) => execute(command, opts),
    load,
    history: async (ticketId) => upcast(await store.events.readStream(streamOf(ticketId))),
    query: (q) => queryAs(q.filter ?? {}, q, undefined),
    workflowOf: (ticket) => workflows.get(ticket.workflowId) ?? workflows.default,
    findByNumber: (number) => findNumber(number),
  };

  async function findNumber(number: number): Promise<Ticket | undefined> {
    const direct = await queryAs({ numbers: [number] }, { limit: 50 }, undefined);
    if (direct.items.every((s) => s.number === number)) {
      const hit = direct.items[0];
      return hit ? load(hit.id) : undefined;
    }
    // An index that does not know the `numbers` filter: a keyset scan on `number` finds it.
    let cursor: string | undefined;
    for (;;) {
      const page = await queryAs(
        {},
        { sort: { field: 'number', direction: 'asc' }, limit: 500, ...(cursor ? { cursor } : {}) },
        undefined,
      );
      const hit = page.items.find((s) => s.number === number);
      if (hit) return load(hit.id);
      if (!page.nextCursor || (page.items.at(-1)?.number ?? 0) > number) return undefined;
      cursor = page.nextCursor;
    }
  }

  for (const ext of extensions) ext.init?.(context);

  const desk: Helpdesk = {
    store,
    workflows,
    extensions,
    execute,

    async get(ticketId, { actor }) {
      const ticket = await load(ticketId);
      if (!ticket || !policy.canView(actor, ticket)) {
        throw new NotFoundError(`ticket ${ticketId} does not exist`, { details: { ticketId } });
      }
      return policy.redact(actor, ticket);
    },

    async history(ticketId, { asOf } = {}) {
      const events = upcast(await store.events.readStream(streamOf(ticketId)));
      if (events.length === 0)
        throw new NotFoundError(`ticket ${ticketId} does not exist`, { details: { ticketId } });
      const cut = asOf === undefined ? undefined : new Date(asOf).toISOString();
      const upTo = cut === undefined ? events : events.filter((e) => e.occurredAt <= cut);
      return { events: upTo, ticket: fold(upTo) };
    },

    async query(filter, { actor, ...q }) {
      const resolved = 'queue' in filter ? queueFilter(filter.queue as SavedQueue, actor) : filter;
      return queryAs(resolved, q, actor);
    },

    async findByNumber(number, { actor }) {
      const ticket = await findNumber(number);
      return ticket && policy.canView(actor, ticket) ? policy.redact(actor, ticket) : undefined;
    },

    async tick(at) {
      const now = at ?? clock.now();
      let due = 0;
      let commands = 0;
      const seen = new Set<string>();
      for (let round = 0; round < 1000; round++) {
        const page = await queryAs(
          { dueBefore: now.toISOString() },
          { sort: { field: 'dueAt', direction: 'asc' }, limit: 200 },
          undefined,
        );
        const fresh = page.items.filter((s) => !seen.has(s.id));
        if (fresh.length === 0) break;
        for (const summary of fresh) {
          seen.add(summary.id);
          const ticket = await load(summary.id);
          if (!ticket) continue;
          due++;
          for (const ext of extensions) {
            const when = ext.due?.(ticket);
            if (!ext.onDue || when === undefined || when > now) continue;
            const current = (await load(ticket.id)) ?? ticket;
            const issued = await ext.onDue(current, now, context);
            // One cascade for what one extension decided for one ticket at this tick.
            const origin = {
              id: `tick:${ext.name}:${ticket.id}:${now.toISOString()}`,
              scratch: new Map<string, unknown>(),
            };
            for (const item of issued) {
              try {
                await run(item, undefined, { depth: 1, origin, chain: [] }, undefined);
                commands++;
              } catch (error) {
                // A refused command (say, a move the workflow does not allow) must not stop the tick
                // for every other ticket; storage failures and cascade errors still do.
                if (!isTesseraError(error) || error.code === 'adapter' || error.code === 'config')
                  throw error;
                options.onError?.(error, { extension: ext.name, ticketId: ticket.id });
              }
            }
          }
          // Re-index so the due instant moves on even when no command ran.
          const after = await load(ticket.id);
          if (after) await index(after, undefined);
        }
      }
      for (const ext of extensions) await ext.onTick?.(now, context);
      return { due, commands };
    },

    subscribe(handler) {
      subscribers.add(handler);
      if (!tailReady) {
        tailReady = findEnd().then((end) => {
          if (tailPosition === undefined) tailPosition = end;
        });
        unwatch = store.events.watch?.(() => void pump());
      }
      return () => {
        subscribers.delete(handler);
      };
    },

    async rebuild({ onProgress } = {}) {
      await store.index.clear();
      const tickets = new Map<string, Ticket>();
      let after: string | undefined;
      let count = 0;
      for (;;) {
        const page = await store.events.readAll({ ...(after === undefined ? {} : { after }), limit: 2000 });
        if (page.length === 0) break;
        for (const raw of upcast(page.filter(mine))) {
          const t = tickets.get(raw.streamId);
          if (raw.type === 'TicketOpened') tickets.set(raw.streamId, evolve(undefined, raw));
          else if (t) apply(t, raw);
          if (raw.type === 'MessagePosted' && raw.data.email?.messageId) {
            const id = tickets.get(raw.streamId)?.id;
            if (id) await store.messages.put(raw.data.email.messageId, id);
          }
        }
        count += page.length;
        after = page[page.length - 1]!.position;
        onProgress?.({ events: count, tickets: tickets.size, position: after });
      }
      for (const ticket of tickets.values()) await store.index.upsert(summarize(ticket), undefined);
      if (after !== undefined) await store.index.setCheckpoint(after);
      cache.clear();
      const progress: RebuildProgress = {
        events: count,
        tickets: tickets.size,
        ...(after === undefined ? {} : { position: after }),
      };
      onProgress?.(progress);
      return progress;
    },

    async close() {
      subscribers.clear();
      unwatch?.();
      await tailing;
    },
  };
  // Extensions that follow the log (outbound mail, webhooks) get every commit, in order, from the
  // same tail as subscribers — also other processes' commits when the store can watch.
  if (extensions.some((ext) => ext.onCommitted)) {
    desk.subscribe(async (events) => {
      for (const ext of extensions) await ext.onCommitted?.(events, context);
    });
  }
  return desk;
}

function queueFilter(queue: SavedQueue, actor: Actor): TicketFilter {
  const live: TicketFilter['category'] = ['new', 'open', 'pending', 'on_hold'];
  switch (queue) {
    case 'unassigned':
      return { assignee: null, category: ['new', 'open', 'on_hold'] };
    case 'mine':
      return { assignee: actor.id, category: live };
    case 'waiting-on-agent':
      return { awaitingAgent: true, category: ['new', 'open', 'on_hold'] };
    case 'waiting-on-customer':
      return { category: 'pending' };
    case 'sla-at-risk':
      return { category: live, anyOf: [{ slaAtRisk: true }, { slaBreached: true }] };
    default:
      throw new ValidationError([
        {
          path: 'queue',
          message: `unknown queue ${JSON.stringify(queue)}; use unassigned, mine, waiting-on-agent, waiting-on-customer or sla-at-risk`,
        },
      ]);
  }
}

/** The AND of several filters, written as one: same keys intersect, `anyOf`s combine. */
export function andFilters(filters: TicketFilter[]): TicketFilter {
  const out: Record<string, unknown> = {};
  const anyOfs: TicketFilter['anyOf'][] = [];
  for (const f of filters) {
    for (const [key, value] of Object.entries(f) as [keyof TicketFilter, unknown][]) {
      if (value === undefined) continue;
      if (key === 'anyOf') {
        anyOfs.push(value as TicketFilter['anyOf']);
        continue;
      }
      if (!(key in out)) {
        out[key] = value;
        continue;
      }
      out[key] = intersect(key, out[key], value);
    }
  }
  if (anyOfs.length === 1) out.anyOf = anyOfs[0];
  else if (anyOfs.length > 1) {
    // (a1 ∨ a2) ∧ (b1 ∨ b2) = (a1∧b1) ∨ (a1∧b2) ∨ …
    let combined: TicketFilter[] = [{}];
    for (const list of anyOfs) {
      combined = combined.flatMap((c) => (list ?? []).map((item) => andFilters([c, item])));
    }
    out.anyOf = combined;
  }
  return out as TicketFilter;
}

const NOTHING = '\u0000nothing';

function intersect(key: string, a: unknown, b: unknown): unknown {
  switch (key) {
    case 'tags':
      return [...new Set([...(a as string[]), ...(b as string[])])];
    case 'createdAfter':
    case 'updatedAfter':
      return (a as string) > (b as string) ? a : b;
    case 'createdBefore':
    case 'updatedBefore':
    case 'dueBefore':
    case 'slaDeadlineBefore':
      return (a as string) < (b as string) ? a : b;
    case 'text':
    case 'awaitingAgent':
    case 'slaBreached':
    case 'slaAtRisk':
    case 'tenantId':
      return a === b ? a : key === 'text' ? NOTHING : [NOTHING];
    default: {
      const la = Array.isArray(a) ? a : [a];
      const lb = Array.isArray(b) ? b : [b];
      const both = la.filter((x) => lb.includes(x));
      return both.length > 0 ? both : [NOTHING];
    }
  }
}

export { AUTOMATION as automationActor, SYSTEM as systemActor };
