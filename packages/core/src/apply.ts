import { produce } from 'immer';
import { ValidationError } from './errors';
import { EVENT_TYPES, type EventType } from './events';
import type { Ticket } from './model';
import { initialExt, type ModuleSet, NO_MODULES } from './modules';
import {
  type Applicable,
  applyReached,
  applySlices,
  draftReached,
  finishSlices,
  followingOf,
  quiet,
  reaches,
  withSlices,
} from './slices';

/**
 * Core's event types: each counts as an update of the ticket (`updatedAt`, `lastUpdatedBy`). An
 * extension's events are bookkeeping, never an update; events of no installed owner are skipped.
 */
const CORE: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Each of core's event types by its place in `EVENT_TYPES`, where `ModuleSet.coreSlices` keeps its slices. */
const AT = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, i])) as Record<EventType, number>;

export type { Applicable } from './slices';

/** A new ticket from its TicketOpened, its slices included. */
function opened(event: Applicable & { type: 'TicketOpened' }, modules: ModuleSet): Ticket {
  const ticket = openedCore(event, modules);
  openSlices(ticket, event, modules);
  return ticket;
}

/** Core's part of a TicketOpened: the ticket, with each slice's initial state. */
function openedCore(event: Applicable & { type: 'TicketOpened' }, modules: ModuleSet): Ticket {
  const d = event.data;
  const ticket: Ticket = {
    id: d.ticketId,
    number: d.number,
    subject: d.subject,
    status: d.status,
    category: d.category,
    workflowId: d.workflowId,
    priority: d.priority,
    // No handler changes the requester or the tags list in place (TagsChanged assigns a new list):
    // the ticket shares them with the event, as its messages share their authors and attachments.
    // `fields` and `cc` are changed in place by the fold, so they are the ticket's own.
    tags: d.tags,
    fields: { ...d.fields },
    requester: d.requester,
    followers: [],
    cc: d.cc === undefined ? [] : d.cc.slice(),
    channel: d.channel,
    messages: [],
    links: d.followUpOf ? [{ to: d.followUpOf, relation: 'follow-up-of' }] : [],
    mergedFrom: [],
    timeLoggedMinutes: 0,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
    statusChangedAt: event.occurredAt,
    statusHistory: [{ status: d.status, category: d.category, at: event.occurredAt }],
    lastUpdatedBy: event.actor,
    ext: initialExt(modules),
    version: event.version ?? 1,
  };
  if (d.tenantId !== undefined) ticket.tenantId = d.tenantId;
  if (d.type !== undefined) ticket.type = d.type;
  if (d.team !== undefined) ticket.team = d.team;
  return ticket;
}

/**
 * The slices' part of a TicketOpened, and which slices follow every event after it. Those whose
 * initial state says so see the TicketOpened too (known ahead when every slice with `followAll`
 * shares a frozen initial state).
 */
function openSlices(ticket: Ticket, event: Applicable, modules: ModuleSet): number {
  if (!modules.stateful) return 0;
  const start =
    modules.conditional.length === 0 ? 0 : (modules.initialFollowing ?? followingOf(ticket.ext, modules));
  if (quiet(modules, event, start, modules.coreWakes[AT.TicketOpened]!)) {
    applySlices(ticket, event, modules.coreSlices[AT.TicketOpened]!);
    return 0;
  }
  return applyReached(ticket, event, modules, start);
}

/**
 * The one place each event's effect on a ticket is written: a mutation of a draft — core's
 * handler, then each installed extension's slice. An event of no installed owner only advances
 * the version (it stays in the log; install its extension and rebuild to fold it). `evolve` runs
 * it under immer; `fold` runs it on one fresh private object for a whole stream.
 *
 * @example
 * const draft = structuredClone(ticket) as Ticket; // a private copy: apply changes it in place
 * apply(draft, event);
 */
export function apply(t: Ticket, event: Applicable, modules: ModuleSet = NO_MODULES): void {
  step(t, event, modules, modules.conditional.length === 0 ? 0 : followingOf(t.ext, modules));
}

/**
 * `apply`, given which slices follow every event (a bit each, see `Slice.bit`); returns that mask
 * after the event. `fold` and `evolveAll` carry the mask from event to event instead of asking
 * each slice's `followAll` again.
 */
function step(t: Ticket, event: Applicable, modules: ModuleSet, following: number): number {
  if (event.version !== undefined) t.version = event.version;
  else t.version += 1;
  // Core's events count as an update of the ticket; an extension's is bookkeeping. The slices of a
  // core event are found by its place, not looked up by its name (that lookup cost more than a slice).
  const core = applyCore(t, event);
  if (core >= 0) {
    t.updatedAt = event.occurredAt;
    t.lastUpdatedBy = event.actor;
    if (!modules.stateful) return following;
    if (quiet(modules, event, following, modules.coreWakes[core]!)) {
      const slices = modules.coreSlices[core]!;
      if (slices.length !== 0) applySlices(t, event, slices);
      return 0;
    }
  } else if (modules.owners.has(event.type) && modules.stateful) {
    if (quiet(modules, event, following, modules.wakes(event.type))) {
      applySlices(t, event, modules.slicesFor(event.type));
      return 0;
    }
  } else {
    return following;
  }
  return applyReached(t, event, modules, following);
}

/** Core's part of one event, and the event type's place in `EVENT_TYPES`; -1 for one not core's. */
function applyCore(t: Ticket, event: Applicable): number {
  switch (event.type) {
    case 'TicketOpened':
      return AT.TicketOpened; // handled by `opened`; a second TicketOpened in a stream is never decided
    case 'MessagePosted': {
      const d = event.data;
      const message: Ticket['messages'][number] = {
        id: d.messageId,
        author: d.author,
        visibility: d.visibility,
        body: d.body,
        channel: d.channel,
        at: event.occurredAt,
        attachments: d.attachments,
      };
      if (d.html !== undefined) message.html = d.html;
      if (d.email !== undefined) message.email = d.email;
      if (d.notify !== undefined) message.notify = d.notify;
      t.messages.push(message);
      if (d.author.kind === 'customer') t.lastCustomerMessageAt = event.occurredAt;
      else if (d.visibility === 'public' && (d.author.kind === 'agent' || d.author.kind === 'admin')) {
        t.lastAgentReplyAt = event.occurredAt;
      }
      if (d.email?.cc) for (const cc of d.email.cc) if (!t.cc.includes(cc)) t.cc.push(cc);
      return AT.MessagePosted;
    }
    case 'StatusChanged': {
      const d = event.data;
      t.status = d.to;
      t.category = d.category;
      t.statusChangedAt = event.occurredAt;
      t.statusHistory.push({ status: d.to, category: d.category, at: event.occurredAt });
      if (d.category === 'solved') t.solvedAt = event.occurredAt;
      if (d.category === 'closed') t.closedAt = event.occurredAt;
      return AT.StatusChanged;
    }
    case 'Assigned':
      if (event.data.assignee !== undefined) t.assignee = event.data.assignee;
      if (event.data.team !== undefined) t.team = event.data.team;
      return AT.Assigned;
    case 'Unassigned':
      delete t.assignee;
      if (event.data.team) delete t.team;
      return AT.Unassigned;
    case 'PriorityChanged':
      t.priority = event.data.to;
      return AT.PriorityChanged;
    case 'TypeChanged':
      t.type = event.data.to;
      t.workflowId = event.data.workflowId;
      return AT.TypeChanged;
    case 'TagsChanged': {
      // A few tags at a time: a scan of the removed list beats building a Set of it.
      const removed = event.data.removed;
      t.tags = (removed.length === 0 ? t.tags : t.tags.filter((tag) => !removed.includes(tag))).concat(
        event.data.added,
      );
      return AT.TagsChanged;
    }
    case 'FieldsChanged':
      for (const [key, value] of Object.entries(event.data.changes)) {
        if (value === null) delete t.fields[key];
        else t.fields[key] = value;
      }
      return AT.FieldsChanged;
    case 'FollowerAdded':
      t.followers.push(event.data.follower);
      return AT.FollowerAdded;
    case 'FollowerRemoved':
      t.followers = t.followers.filter((f) => f.id !== event.data.followerId);
      return AT.FollowerRemoved;
    case 'TimeLogged':
      t.timeLoggedMinutes += event.data.minutes;
      return AT.TimeLogged;
    case 'RatingRequested':
      t.ratingRequestedAt = event.occurredAt;
      return AT.RatingRequested;
    case 'RatingReceived': {
      const rating: NonNullable<Ticket['rating']> = { score: event.data.score, at: event.occurredAt };
      if (event.data.comment !== undefined) rating.comment = event.data.comment;
      t.rating = rating;
      return AT.RatingReceived;
    }
    case 'TicketMerged':
      t.mergedInto = event.data.into;
      return AT.TicketMerged;
    case 'TicketReceivedMerge':
      t.mergedFrom.push(event.data.from);
      return AT.TicketReceivedMerge;
    case 'TicketLinked':
      t.links.push({ to: event.data.to, relation: event.data.relation });
      return AT.TicketLinked;
    default:
      return -1;
  }
}

/**
 * The ticket after one more event, as a new object; `state` is left untouched (immer).
 *
 * @example
 * const next = evolve(ticket, event); // ticket itself is unchanged
 */
export function evolve(
  state: Ticket | undefined,
  event: Applicable,
  modules: ModuleSet = NO_MODULES,
): Ticket {
  if (event.type === 'TicketOpened') return opened(event, modules);
  if (state === undefined) {
    throw new ValidationError([
      { path: 'event.type', message: `cannot apply ${event.type} before TicketOpened` },
    ]);
  }
  return produce(state, (draft) => {
    apply(draft, event, modules);
  });
}

/**
 * The top-level containers each event's handler changes in place (push, set, delete). Every other
 * field a handler touches it assigns, so a shallow copy of the ticket already keeps `state` intact.
 * A record over every event type: a new event type does not compile until it says what it touches.
 */
const TOUCHES: Record<EventType, readonly ContainerKey[]> = {
  TicketOpened: [],
  MessagePosted: ['messages', 'cc'],
  StatusChanged: ['statusHistory'],
  Assigned: [],
  Unassigned: [],
  PriorityChanged: [],
  TypeChanged: [],
  TagsChanged: [],
  FieldsChanged: ['fields'],
  FollowerAdded: ['followers'],
  FollowerRemoved: [],
  TimeLogged: [],
  RatingRequested: [],
  RatingReceived: [],
  TicketMerged: [],
  TicketReceivedMerge: ['mergedFrom'],
  TicketLinked: ['links'],
};

type ContainerKey = 'messages' | 'cc' | 'statusHistory' | 'fields' | 'followers' | 'mergedFrom' | 'links';

/**
 * Freezes a value and everything reachable from it, stopping at what is frozen already — so
 * freezing a ticket that shares its untouched parts with a frozen one costs only the new parts.
 *
 * @example
 * const config = deepFreeze({ tags: ['vip'], limits: { perHour: 3 } });
 * Object.isFrozen(config.limits); // true
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * The ticket after several more events, as a new deep-frozen object; `state` is left untouched
 * and shares every part the events did not change with the result. Starts fresh at a TicketOpened.
 *
 * The same handlers as `evolve` and `fold` run on a copy-on-write draft: a shallow copy of the
 * ticket whose containers are copied only when an event's handler changes them (`TOUCHES`) —
 * the same structural sharing as immer's `produce`, without a proxy per access. This is the
 * desk's path for every commit.
 *
 * @example
 * const { events: committed } = await desk.execute(
 *   { type: 'setPriority', ticketId: ticket.id, priority: 'high' },
 *   { actor: agent },
 * );
 * const next = evolveAll(ticket, committed); // ticket with the committed events applied
 */
export function evolveAll(
  state: Ticket | undefined,
  events: readonly Applicable[],
  modules: ModuleSet = NO_MODULES,
): Ticket | undefined {
  let i = 0;
  let draft: Ticket | undefined;
  // Leading TicketOpened events start afresh; events before any ticket exists are skipped.
  let following = 0;
  while (
    i < events.length &&
    ((state === undefined && draft === undefined) || events[i]!.type === 'TicketOpened')
  ) {
    if (events[i]!.type === 'TicketOpened') {
      const event = events[i] as Applicable & { type: 'TicketOpened' };
      draft = openedCore(event, modules);
      following = openSlices(draft, event, modules);
    }
    i++;
  }
  if (draft !== undefined) {
    // A private object from TicketOpened: the handlers may change it directly.
    for (; i < events.length; i++) following = step(draft, events[i]!, modules, following);
    return deepFreeze(draft);
  }
  if (state === undefined || i >= events.length) return state;
  const next: Ticket = { ...state };
  const copied = new Set<ContainerKey>();
  const own = (key: ContainerKey) => {
    if (copied.has(key)) return;
    copied.add(key);
    // From the draft, not `state`: an earlier event in the batch may have replaced the container.
    const value = next[key];
    (next as unknown as Record<ContainerKey, unknown>)[key] = Array.isArray(value)
      ? [...value]
      : { ...value };
  };
  // Each slice an event of the batch reaches is changed through an immer draft of its own, made at
  // the first such event and finished after the batch: the frozen slices of `state` stay as they
  // were, untouched parts are shared, and a slice no event reaches is not drafted at all.
  const ext = modules.stateful ? withSlices(state.ext, modules) : undefined;
  if (ext !== undefined) next.ext = ext;
  following = ext === undefined || modules.conditional.length === 0 ? 0 : followingOf(ext, modules);
  for (; i < events.length; i++) {
    const event = events[i]!;
    // An extension's event (or one of no installed owner) changes no container of core's.
    if (CORE.has(event.type)) for (const key of TOUCHES[event.type as EventType]) own(key);
    if (ext !== undefined) {
      draftReached(ext, modules.slicesFor(event.type));
      for (const slice of modules.conditional)
        if (reaches(slice, event, following)) draftReached(ext, [slice]);
    }
    following = step(next, event, modules, following);
  }
  if (ext !== undefined) finishSlices(ext);
  return deepFreeze(next);
}

/**
 * Folds a whole stream into a ticket, mutating one fresh private object (no proxy per event).
 * With `modules` (`moduleSet(extensions)`) each installed extension's slice is folded in the same
 * pass, at `ticket.ext[name]`; without, events of extensions are skipped. The ticket shares with
 * the events what the fold never changes (the requester, the opening tags, each message's author
 * and attachments): treat both as read-only, as the desk does (its tickets are frozen).
 *
 * @example
 * const ticket = fold(await store.events.readStream('ticket-T1'));
 */
export function fold(events: readonly Applicable[], modules: ModuleSet = NO_MODULES): Ticket | undefined {
  return foldEach(events, modules);
}

/**
 * `fold`, calling `visit` (when given) with the ticket after each event it folds (the same
 * working object each time): what `ExtensionContext.replay` hands an extension.
 *
 * @example
 * foldEach(events, modules, (ticket, event) => console.log(event.version, ticket.status));
 */
export function foldEach<E extends Applicable>(
  events: readonly E[],
  modules: ModuleSet,
  visit?: (ticket: Ticket, event: E) => void,
): Ticket | undefined {
  let state: Ticket | undefined;
  let following = 0;
  for (const event of events) {
    if (event.type === 'TicketOpened') {
      state = openedCore(event, modules);
      following = openSlices(state, event, modules);
    } else if (state !== undefined) following = step(state, event, modules, following);
    if (visit !== undefined && state !== undefined) visit(state, event);
  }
  return state;
}
