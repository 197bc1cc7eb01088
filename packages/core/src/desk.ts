import { validateActor, validateExecuteOptions } from './actor';
import { admitCommand, blobAttachments, checkBlobs } from './admit';
import { fold, foldEach } from './apply';
import { commandHandler } from './command-handler';
import type { Command, ExecuteOptions, ModuleCommand } from './commands';
import { validateModuleCommand } from './decide-module';
import { NotFoundError, ValidationError } from './errors';
import { SCHEMA_VERSION, type StoredEvent } from './events';
import type { ExecuteResult, ExtensionContext } from './extension';
import { checkExtensions } from './extension-check';
import type { Helpdesk, HelpdeskOptions, QueryOptions } from './helpdesk';
import { idempotencyCache } from './idempotency';
import { isoClock } from './iso-clock';
import { inMemoryStore } from './memory';
import type { Actor, Ticket } from './model';
import { moduleSet } from './modules';
import { validateHelpdeskOptions } from './options';
import { defaultPolicy } from './policy';
import type { TenantScope, TicketFilter, TicketQuery } from './ports';
import { projector } from './projector';
import { andFilters, queueFilter, type SavedQueue, scopedTicketQuery } from './query-scope';
import { type Cascade, createReactor } from './reactor';
import { createRedaction, seesEverything, viewSlices } from './redact';
import { logScan } from './scan';
import { tick } from './scheduler';
import { scopedStore } from './scoped-store';
import { streamNames } from './streams';
import { logTail } from './tail';
import { ticketCache } from './ticket-cache';
import { DEFAULT_LIMITS, type Limits, validateCommand } from './validate';
import { defaultWorkflow } from './workflow';
import { workflowSet } from './workflow-set';

export type { RebuildProgress } from './projector';
export { andFilters, queueFilter, type SavedQueue } from './query-scope';
export { automationActor, systemActor } from './reactor';
export type { CommitHandler } from './tail';

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
  // Every mistake in the options is a ConfigError here, not a TypeError at the first execute.
  validateHelpdeskOptions(options);
  const store = options.store ?? inMemoryStore();
  const clock = options.clock ?? { now: () => new Date() };
  const ids = options.ids ?? { next: () => crypto.randomUUID() };
  const tenantId = options.tenantId;
  const scope: TenantScope = tenantId === undefined ? {} : { tenantId };
  const names = streamNames(tenantId);
  const workflows = workflowSet(options.workflows ?? [defaultWorkflow], options.types ?? {});
  const internalFields =
    options.internalFields === undefined ? {} : { internalFields: options.internalFields };
  const policy =
    options.policy ??
    defaultPolicy({
      ...internalFields,
      ...(options.customersMayClose === undefined ? {} : { customersMayClose: options.customersMayClose }),
      ...(options.visibility === undefined ? {} : { visibility: options.visibility }),
    });
  // For a policy that redacts tickets only: rows and events still get the built-in customer view.
  const builtIn = createRedaction(internalFields);
  const redactSummary = policy.redactSummary?.bind(policy) ?? builtIn.summary;
  const redactEvent = policy.redactEvent?.bind(policy) ?? builtIn.event;
  const extensions = options.extensions ?? [];
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxDepth = options.maxCascadeDepth ?? 8;
  const upcasters = options.upcasters ?? {};
  const hasUpcasters = Object.keys(upcasters).length > 0;
  checkExtensions(extensions);
  const modules = moduleSet(extensions);
  // Each extension upcasts its own events, to its own schema version; the desk's upcasters core's.
  const upcastOf = new Map<string, { up: (e: StoredEvent) => StoredEvent; version: number }>();
  for (const [type, up] of Object.entries(upcasters)) {
    if (up) upcastOf.set(type, { up, version: SCHEMA_VERSION });
  }
  for (const ext of extensions) {
    for (const [type, up] of Object.entries(ext.upcasters ?? {})) {
      if (modules.owners.get(type) === ext) upcastOf.set(type, { up, version: ext.schemaVersion ?? 1 });
    }
  }
  const upcast = (events: StoredEvent[]) =>
    hasUpcasters || upcastOf.size > 0
      ? events.map((e) => {
          const u = upcastOf.get(e.type);
          return u && e.schemaVersion < u.version ? u.up(e) : e;
        })
      : events;

  const isoNow = isoClock(clock);
  const cache = ticketCache(store.events, names, upcast, 10_000, modules);
  const load = (ticketId: string) => cache.load(ticketId);
  const projection = projector({ store, extensions, scope, names, upcast, modules });
  const tail = logTail(store.events, names.owns, upcast);
  const idempotent = idempotencyCache();
  const handler = commandHandler({
    events: store.events,
    names,
    cache,
    now: isoNow,
    ids,
    workflows,
    policy,
    limits,
    ...(tenantId === undefined ? {} : { tenantId }),
    maxRetries: options.maxRetries ?? 8,
    index: (ticket, position) => projection.index(ticket, position),
    upcast,
    modules,
  });

  const reactor = createReactor({
    extensions,
    load,
    peek: (ticketId) => cache.peek(ticketId),
    context: () => context,
    maxDepth,
    execute: (command, opts, cascade) => executeAt(command, validateExecuteOptions(opts), cascade, true),
  });
  const { react, run } = reactor;

  /**
   * One command through the boundary: validated, admitted for its actor (identity from the actor,
   * bookkeeping flags and foreign blobs refused unless `trusted`), decided and appended, then
   * reacted to by the extensions. `opts` have been checked by the caller (`validateExecuteOptions`,
   * once per command).
   */
  async function executeAt(
    input: Command | ModuleCommand,
    given: ExecuteOptions,
    cascade: Cascade,
    trusted: boolean,
  ): Promise<ExecuteResult> {
    // Private copies: events and the (frozen) tickets built from them must not share objects with
    // the caller's command or actor (`given` is already the checked copy of the options).
    const opts = given;
    const actor = opts.actor;
    const spec = typeof input?.type === 'string' ? modules.commands.get(input.type) : undefined;
    let command: Command | ModuleCommand;
    if (spec) command = validateModuleCommand(input, spec);
    else {
      const core = admitCommand(validateCommand(input, limits), actor, trusted);
      // Most commands attach no stored blob: no await (and no turn of the event loop) for them.
      if (blobAttachments(core).length > 0) {
        await checkBlobs(
          core,
          actor,
          core.type === 'openTicket' ? undefined : core.ticketId,
          store.blobs,
          scope,
          trusted,
        );
      }
      command = core;
    }
    const appended = await handler.append(command, opts);
    // A replayed result set off its reactions the first time; running them again would repeat them.
    const allEvents = appended.replayed
      ? [...appended.events]
      : await react(appended, command, opts, cascade);
    // Reactions may have moved the ticket on; without them the appended ticket is the answer.
    const ticket =
      appended.replayed || allEvents.length > appended.events.length
        ? ((await load(appended.ticket.id)) ?? appended.ticket)
        : appended.ticket;
    if (allEvents.length > 0 && tail.active) void tail.pump();
    const result: ExecuteResult = { ticket, events: appended.events, allEvents };
    if (appended.followUp) result.followUp = ticket;
    if (appended.replayed) result.replayed = true;
    return result;
  }

  /** `execute` with the in-process idempotency cache (keyed by ticket stream, actor and key). */
  function executeKeyed(
    command: Command | ModuleCommand,
    opts: ExecuteOptions,
    trusted: boolean,
  ): Promise<ExecuteResult> {
    const run = () => executeAt(command, opts, { depth: 0, chain: [] }, trusted);
    if (opts.idempotencyKey === undefined) return run();
    const stream =
      command.type === 'openTicket'
        ? command.ticketId === undefined
          ? `${names.numbers}#open`
          : names.ticket(command.ticketId)
        : names.ticket((command as ModuleCommand).ticketId);
    return idempotent.run(stream, opts.actor, opts.idempotencyKey, run);
  }

  /** Staff see everything under the default policy; a custom one decides for every actor. */
  const staffView = (actor: Actor) => options.policy === undefined && seesEverything(actor);

  /** Related tickets (links, merges) of these the actor may see, for their views. */
  async function visibleRelated(actor: Actor, tickets: (Ticket | undefined)[]): Promise<Set<string>> {
    const seen = new Set<string>();
    if (staffView(actor)) return seen;
    const ids = new Set<string>();
    for (const t of tickets) {
      if (!t) continue;
      for (const l of t.links) ids.add(l.to);
      for (const id of t.mergedFrom) ids.add(id);
      if (t.mergedInto !== undefined) ids.add(t.mergedInto);
    }
    for (const id of ids) {
      const other = await load(id);
      if (other && policy.canView(actor, other)) seen.add(id);
    }
    return seen;
  }

  /** The one view of a ticket every read returns. */
  async function view(actor: Actor, ticket: Ticket): Promise<Ticket> {
    if (staffView(actor)) return viewSlices(modules, actor, ticket, policy.redact(actor, ticket));
    const ctx = { visibleRelated: await visibleRelated(actor, [ticket]) };
    return viewSlices(modules, actor, ticket, policy.redact(actor, ticket, ctx));
  }

  /** The index query of a desk query for this actor (none: as the system); null when nothing can match. */
  const indexQuery = (filter: TicketFilter, q: Omit<TicketQuery, 'filter'>, actor: Actor | undefined) =>
    scopedTicketQuery(filter, q, {
      tenantId: tenantId ?? null,
      actor,
      actorScope: actor ? policy.scope(actor) : undefined,
    });

  /**
   * An index query limited to the desk's tenant and the actor's scope, searching the part of the
   * text the actor may match (none: as the system).
   */
  async function queryAs(filter: TicketFilter, q: Omit<TicketQuery, 'filter'>, actor: Actor | undefined) {
    const query = indexQuery(filter, q, actor);
    // Filters that contradict each other match nothing: no need to ask the index.
    if (query === null) return { items: [] };
    const page = await store.index.query(query);
    return actor === undefined ? page : { ...page, items: page.items.map((s) => redactSummary(actor, s)) };
  }

  /** How many rows `queryAs` would return: the index's own count, or its pages counted. */
  async function countAs(filter: TicketFilter, actor: Actor | undefined): Promise<number> {
    const query = indexQuery(filter, {}, actor);
    if (query === null) return 0;
    const { filter: combined, textScope } = query;
    if (store.index.count)
      return store.index.count({
        ...(combined ? { filter: combined } : {}),
        ...(textScope ? { textScope } : {}),
      });
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await store.index.query({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    return n;
  }

  const context: ExtensionContext = {
    now: () => clock.now(),
    ...(tenantId === undefined ? {} : { tenantId }),
    store: scopedStore(store, scope),
    workflows,
    limits: Object.freeze({ ...limits }),
    execute: (command, opts) => executeKeyed(command, validateExecuteOptions(opts), true),
    load,
    history: async (ticketId) => upcast(await store.events.readStream(names.ticket(ticketId))),
    async replay(ticketId, visit, options) {
      const events = upcast(await store.events.readStream(names.ticket(ticketId)));
      const to = options?.toVersion;
      foldEach(to === undefined ? events : events.filter((e) => e.version <= to), modules, visit);
    },
    scan: logScan(store.events, names, upcast),
    query: (q, o) => queryAs(q.filter ?? {}, q, o?.actor === undefined ? undefined : validateActor(o.actor)),
    count: (filter, o) => countAs(filter, o?.actor === undefined ? undefined : validateActor(o.actor)),
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

  /** The ticket if this actor may see it; otherwise not_found, exactly as for a missing one. */
  async function visible(ticketId: string, actor: Actor): Promise<Ticket> {
    const ticket = await load(ticketId);
    if (!ticket || !policy.canView(actor, ticket)) {
      throw new NotFoundError(`ticket ${ticketId} does not exist`, { details: { ticketId } });
    }
    return ticket;
  }

  for (const ext of extensions) ext.init?.(context);

  const desk: Helpdesk = {
    store,
    workflows,
    extensions,

    async execute(command, given) {
      const opts = validateExecuteOptions(given);
      const result = await executeKeyed(command, opts, false);
      const actor = opts.actor;
      if (staffView(actor) && !modules.stateful) return result;
      if (staffView(actor))
        return { ...result, ticket: viewSlices(modules, actor, result.ticket, result.ticket) };
      // What a customer is handed back is a customer's view, like every read.
      const ctx = { visibleRelated: await visibleRelated(actor, [result.ticket]) };
      const events = (list: StoredEvent[]) =>
        list.map((e) => redactEvent(actor, e, ctx)).filter((e): e is StoredEvent => e !== undefined);
      const redacted: ExecuteResult = {
        ticket: viewSlices(modules, actor, result.ticket, policy.redact(actor, result.ticket, ctx)),
        events: events(result.events),
        allEvents: events(result.allEvents),
      };
      if (result.followUp) redacted.followUp = redacted.ticket;
      return redacted;
    },

    async get(ticketId, options) {
      const actor = validateActor(options?.actor);
      return view(actor, await visible(ticketId, actor));
    },

    async history(ticketId, options) {
      const actor = validateActor(options?.actor);
      const asOf = options.asOf;
      const current = await visible(ticketId, actor);
      const events = upcast(await store.events.readStream(names.ticket(ticketId)));
      const at = asOf === undefined ? undefined : new Date(asOf);
      if (at !== undefined && Number.isNaN(at.getTime())) {
        throw new ValidationError([
          { path: 'asOf', message: `must be an instant, got ${JSON.stringify(asOf)}` },
        ]);
      }
      const cut = at?.toISOString();
      const upTo = cut === undefined ? events : events.filter((e) => e.occurredAt <= cut);
      const then = fold(upTo, modules);
      const ctx = { visibleRelated: await visibleRelated(actor, [current]) };
      return {
        events: upTo.map((e) => redactEvent(actor, e, ctx)).filter((e): e is StoredEvent => e !== undefined),
        ticket:
          then === undefined ? undefined : viewSlices(modules, actor, then, policy.redact(actor, then, ctx)),
      };
    },

    async query(filter, options) {
      const { actor: given, ...q } = options ?? ({} as QueryOptions);
      const actor = validateActor(given);
      if (!('queue' in filter)) return queryAs(filter, q, actor);
      const { queue, ...rest } = filter;
      const resolved = andFilters([queueFilter(queue as SavedQueue, actor), rest]);
      return resolved === null ? { items: [] } : queryAs(resolved, q, actor);
    },

    async findByNumber(number, options) {
      const actor = validateActor(options?.actor);
      const ticket = await findNumber(number);
      return ticket && policy.canView(actor, ticket) ? view(actor, ticket) : undefined;
    },

    async upload(bytes, meta, options) {
      const actor = validateActor(options?.actor);
      const ticketId = options.ticketId;
      if (ticketId !== undefined && typeof ticketId !== 'string') {
        throw new ValidationError([{ path: 'ticketId', message: 'a ticket id is a string' }]);
      }
      if (!(bytes instanceof Uint8Array)) {
        throw new ValidationError([{ path: 'bytes', message: 'an upload is a Uint8Array' }]);
      }
      if (typeof meta?.contentType !== 'string' || meta.contentType === '') {
        throw new ValidationError([{ path: 'meta.contentType', message: 'needs a content type' }]);
      }
      if (meta.filename !== undefined && typeof meta.filename !== 'string') {
        throw new ValidationError([{ path: 'meta.filename', message: 'a filename is a string' }]);
      }
      if (ticketId !== undefined) await visible(ticketId, actor);
      return store.blobs.put(bytes, {
        contentType: meta.contentType,
        ...(meta.filename === undefined ? {} : { filename: meta.filename }),
        ...scope,
        owner: { kind: actor.kind, id: actor.id },
        ...(ticketId === undefined ? {} : { ticketId }),
      });
    },

    tick: (at) =>
      tick(
        {
          extensions,
          context,
          query: (filter, q) => queryAs(filter, q, undefined),
          load,
          run: (item, origin) => run(item, undefined, { depth: 1, origin, chain: [] }, undefined),
          index: (ticket) => projection.index(ticket, undefined),
          ...(options.onError === undefined ? {} : { onError: options.onError }),
        },
        at ?? clock.now(),
      ),

    subscribe: (handler) => tail.subscribe(handler),

    async rebuild({ onProgress } = {}) {
      const progress = await projection.rebuild(onProgress);
      cache.clear();
      // What extensions keep outside tickets (Message-IDs, their own projections) they rebuild from the log.
      for (const ext of extensions) await ext.onRebuild?.(context);
      return progress;
    },

    close: () => tail.close(),
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
