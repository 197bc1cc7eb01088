import type { EventType, StoredEvent } from './events';
import type { Actor, JsonValue, Party, Ticket } from './model';
import type { ModuleSet } from './modules';
import type { TicketSummary } from './ports';

/**
 * What a customer-side view may hold of tickets other than the one shown: the ids of related
 * tickets (links, merges) the viewer may see themselves. Everything else is left out.
 */
export interface RedactionContext {
  /** Related tickets the viewer may see; a link or merge to any other ticket is left out. */
  visibleRelated?: ReadonlySet<string>;
}

/** Actors the views show in full: staff and the desk's own actors see everything. */
const STAFF = new Set<string>(['agent', 'admin', 'system', 'automation']);

/**
 * Whether an actor sees tickets unredacted. Any other kind (a customer, an unknown kind) gets the customer view.
 *
 * @example
 * seesEverything({ kind: 'agent', id: 'a1' }); // true
 * seesEverything({ kind: 'customer', id: 'c1' }); // false: internal notes and staff-only fields are hidden
 */
export function seesEverything(actor: Actor): boolean {
  return STAFF.has(actor.kind as string);
}

/**
 * Event types a customer may see in a ticket's history, when their content allows it. An
 * allow-list, so time logs and every event of an extension (SLA marks, deliveries, send claims…)
 * are left out without being named here.
 */
const CUSTOMER_EVENTS = new Set<EventType>([
  'TicketOpened',
  'MessagePosted',
  'StatusChanged',
  'Assigned',
  'Unassigned',
  'PriorityChanged',
  'TypeChanged',
  'TagsChanged',
  'FieldsChanged',
  'FollowerAdded',
  'FollowerRemoved',
  'RatingRequested',
  'RatingReceived',
  'TicketMerged',
  'TicketReceivedMerge',
  'TicketLinked',
]);

/**
 * The one redaction every customer-facing read goes through: `get`, `findByNumber`, `history`
 * (its events and its ticket) and `query` rows. Staff see everything; a customer (and any actor
 * kind the desk does not know) sees no internal note, no internal field, no logged time, no
 * extension's slice or index part (see `viewSlices`) and other people by id and display name only.
 *
 * @example
 * const redaction = createRedaction({ internalFields: ['margin'] });
 * const view = redaction.ticket(customer, ticket);
 */
export function createRedaction(options: { internalFields?: readonly string[] } = {}) {
  const internal = new Set(options.internalFields ?? []);
  const publicFields = (fields: Record<string, JsonValue>) =>
    Object.fromEntries(Object.entries(fields).filter(([key]) => !internal.has(key)));

  const ticket = (viewer: Actor, t: Ticket, ctx: RedactionContext = {}): Ticket => {
    if (seesEverything(viewer)) return t;
    const related = (id: string) => ctx.visibleRelated?.has(id) ?? false;
    const view: Ticket = {
      ...t,
      fields: publicFields(t.fields),
      followers: t.followers.map((f) => party(viewer, f)),
      messages: t.messages
        .filter((m) => m.visibility === 'public')
        .map(({ notify: _notify, ...m }) => ({ ...m, author: person(viewer, m.author) })),
      links: t.links.filter((l) => related(l.to)),
      mergedFrom: t.mergedFrom.filter(related),
      timeLoggedMinutes: 0,
      // Extensions' slices: what `viewSlices` lets this actor see (by default nothing).
      ext: {},
    };
    if (t.lastUpdatedBy !== undefined) view.lastUpdatedBy = person(viewer, t.lastUpdatedBy);
    if (t.mergedInto !== undefined && !related(t.mergedInto)) delete view.mergedInto;
    return view;
  };

  const summary = (viewer: Actor, s: TicketSummary): TicketSummary => {
    if (seesEverything(viewer)) return s;
    const { sla: _sla, ext: _ext, dueAt: _dueAt, ...rest } = s;
    return { ...rest, requester: { ...s.requester } };
  };

  /** The event as the viewer may see it, or `undefined` when they may not see it at all. */
  const event = (viewer: Actor, e: StoredEvent, ctx: RedactionContext = {}): StoredEvent | undefined => {
    if (seesEverything(viewer)) return e;
    if (!CUSTOMER_EVENTS.has(e.type)) return undefined;
    const related = (id: string) => ctx.visibleRelated?.has(id) ?? false;
    const { ruleId: _ruleId, idempotencyKey: _key, ...meta } = e as StoredEvent & { idempotencyKey?: string };
    const base = { ...meta, actor: person(viewer, e.actor) } as StoredEvent;
    switch (base.type) {
      case 'MessagePosted': {
        if (base.data.visibility !== 'public') return undefined;
        const { notify: _notify, automatic: _automatic, ...data } = base.data;
        return { ...base, data: { ...data, author: person(viewer, base.data.author) } };
      }
      case 'TicketOpened':
        return { ...base, data: { ...base.data, fields: publicFields(base.data.fields) } };
      case 'FieldsChanged': {
        const changes = publicFields(base.data.changes);
        if (Object.keys(changes).length === 0) return undefined;
        return { ...base, data: { changes, previous: publicFields(base.data.previous) } };
      }
      case 'FollowerAdded':
        return { ...base, data: { follower: party(viewer, base.data.follower) } };
      case 'TicketMerged':
        return related(base.data.into) ? base : undefined;
      case 'TicketReceivedMerge':
        return related(base.data.from) ? base : undefined;
      case 'TicketLinked':
        return related(base.data.to) ? base : undefined;
      default:
        return base;
    }
  };

  return { ticket, summary, event };
}

export type Redaction = ReturnType<typeof createRedaction>;

/** Someone else as a customer sees them: kind, id and display name — no email, teams or organization. */
function person(viewer: Actor, actor: Actor): Actor {
  if (actor.kind === viewer.kind && actor.id === viewer.id) return actor;
  const shown: Actor = { kind: actor.kind, id: actor.id };
  if (actor.name !== undefined) shown.name = actor.name;
  return shown;
}

/** A follower as a customer sees them: themself in full, anyone else by id and name. */
function party(viewer: Actor, p: Party): Party {
  if (viewer.kind === 'customer' && p.id === viewer.id) return p;
  const shown: Party = { id: p.id };
  if (p.name !== undefined) shown.name = p.name;
  return shown;
}

/**
 * The extensions' slices of a ticket as this actor may see them: each extension's `view(state,
 * actor)` where it has one (`undefined` leaves the slice out), else all of it for staff and the
 * desk's own actors and nothing for anyone else. `shown` is the ticket after the policy's redaction;
 * the slices are read from `source`, the ticket as stored.
 *
 * @example
 * const modules = moduleSet([sla({ policies: [], calendars: {} })]);
 * const view = viewSlices(modules, customer, ticket, defaultPolicy().redact(customer, ticket));
 */
export function viewSlices(modules: ModuleSet, viewer: Actor, source: Ticket, shown: Ticket): Ticket {
  if (!modules.stateful) return shown;
  const staff = seesEverything(viewer);
  const ext: Record<string, unknown> = {};
  let same = staff;
  for (const e of modules.extensions) {
    if (!Object.hasOwn(source.ext, e.name)) continue;
    const state = source.ext[e.name];
    if (e.view !== undefined) {
      const seen = e.view(state, viewer);
      if (seen !== undefined) ext[e.name] = seen;
      same &&= seen === state;
    } else if (staff) ext[e.name] = state;
  }
  if (same && shown.ext === source.ext) return shown;
  return { ...shown, ext };
}
