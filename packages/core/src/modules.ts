import type { Command } from './commands';
import { ConfigError, type Problem } from './errors';
import { EVENT_TYPES, type StoredEvent, type StoredExtensionEvent } from './events';
import type { Extension, ExtensionCommand, ExtensionCommandShape } from './extension';
import type { ActorKind, Ticket } from './model';

/** Every command type of core: a record, so a new command does not compile until it is listed. */
const CORE_COMMAND_TYPES: Record<Command['type'], true> = {
  openTicket: true,
  postMessage: true,
  changeStatus: true,
  assign: true,
  unassign: true,
  setPriority: true,
  setType: true,
  tag: true,
  untag: true,
  setFields: true,
  addFollower: true,
  removeFollower: true,
  logTime: true,
  requestRating: true,
  rate: true,
  merge: true,
  link: true,
};

const CORE_EVENTS: ReadonlySet<string> = new Set(EVENT_TYPES);
const ACTOR_KINDS = new Set<string>(['customer', 'agent', 'admin', 'system', 'automation']);
const DEFAULT_ALLOWED: readonly ActorKind[] = ['system', 'automation'];

/** One installed slice, as the fold runs it. */
export interface Slice {
  name: string;
  /** The extension's own state object: its methods are called on it, with no wrapper per event. */
  state: {
    initial(): unknown;
    apply(draft: unknown, event: StoredEvent | StoredExtensionEvent, ticket: Ticket): unknown;
    followAll?(state: unknown): boolean;
  };
  /** The event types it lists in `on` (`undefined`: every event). */
  on: readonly string[] | undefined;
  /**
   * A slice that lists `on` and also asks for the events a rule caused (`onRule`) or for every
   * event while `followAll` says so: the fold decides per event whether to call it.
   */
  conditional: boolean;
  onRule: boolean;
  /** Its bit in the fold's mask of slices following every event (0: it has no `followAll`). */
  bit: number;
}

/** At most this many slices may have `followAll` (one bit each in the fold's mask). */
const MAX_FOLLOWING_SLICES = 30;

const NONE: readonly Slice[] = [];

/** An installed extension's command, with the actor kinds that may issue it. */
export interface ModuleCommandSpec {
  extension: Extension;
  spec: ExtensionCommand<unknown, ExtensionCommandShape>;
  allowed: ReadonlySet<string>;
  owned: ReadonlySet<string>;
}

/**
 * The installed extensions compiled for the fold and the desk: who owns which event and command
 * type, the slices to fold, and which extensions show a view of their slice.
 */
export interface ModuleSet {
  readonly extensions: readonly Extension[];
  /** The installed extension that owns an (extension) event type. */
  readonly owners: ReadonlyMap<string, Extension>;
  readonly slices: readonly Slice[];
  /** The slices that fold an event of this type: those that see every event and those listing it in `on`. */
  slicesFor(type: string): readonly Slice[];
  /**
   * `slicesFor` computed ahead for each of core's event types, by its place in `EVENT_TYPES`: the
   * fold finds a core event's slices by index, with no lookup by name.
   */
  readonly coreSlices: readonly (readonly Slice[])[];
  readonly commands: ReadonlyMap<string, ModuleCommandSpec>;
  /** Whether any extension has a slice (else tickets carry an empty `ext`). */
  readonly stateful: boolean;
  /** The conditional slices (see `Slice.conditional`), in installation order; none: the fast path always. */
  readonly conditional: readonly Slice[];
  /** Whether some conditional slice asks for the events a rule caused. */
  readonly onRule: boolean;
  /** Per core event type, by its place in `EVENT_TYPES`: whether some conditional slice lists it in `on`. */
  readonly coreWakes: readonly boolean[];
  /** Whether some conditional slice lists this (extension) event type in `on`. */
  wakes(type: string): boolean;
  /**
   * The `ext` every new ticket starts from: each slice whose `initial()` returned a frozen value
   * (shared by every ticket, so it is called once), and `undefined` for the others, whose
   * `initial()` runs for each ticket.
   */
  readonly extTemplate: Readonly<Record<string, unknown>>;
  /** The slices whose `initial()` runs for each new ticket (it returned a value that is not frozen). */
  readonly freshSlices: readonly Slice[];
  /**
   * Which slices follow every event on a new ticket's initial slices (see `Slice.bit`), when every
   * slice with `followAll` shares a frozen initial state; `undefined`: asked of each new ticket.
   */
  readonly initialFollowing: number | undefined;
  /** Whether the fold applies events of this type (core's, or an installed extension's). */
  knows(type: string): boolean;
  /** The schema version events of this type are appended with. */
  schemaVersionOf(type: string): number;
}

const frozenEmpty = Object.freeze({}) as Record<string, unknown>;

/** No extension installed: the fold applies core's events and skips every other. */
export const NO_MODULES: ModuleSet = Object.freeze({
  extensions: [],
  owners: new Map(),
  slices: [],
  slicesFor: () => NONE,
  coreSlices: Object.freeze(EVENT_TYPES.map(() => NONE)),
  commands: new Map(),
  stateful: false,
  conditional: [],
  onRule: false,
  coreWakes: Object.freeze(EVENT_TYPES.map(() => false)),
  wakes: () => false,
  extTemplate: Object.freeze({}),
  freshSlices: [],
  initialFollowing: 0,
  knows: (type: string) => CORE_EVENTS.has(type),
  schemaVersionOf: () => 1,
});

/** The `ext` of a new ticket: each slice's initial state (a shared frozen `{}` when there is none). */
export function initialExt(modules: ModuleSet): Record<string, unknown> {
  if (!modules.stateful) return frozenEmpty;
  // A copy of one fixed shape (cheap), then the slices whose initial state is each ticket's own.
  const ext: Record<string, unknown> = { ...modules.extTemplate };
  for (const slice of modules.freshSlices) ext[slice.name] = slice.state.initial();
  return ext;
}

/**
 * Compiles the installed extensions: refuses with one `ConfigError` an event or command type owned
 * twice or already core's, a state without `initial`/`apply`, a command without `validate`/`decide`,
 * and `allowed` kinds that are not actor kinds.
 *
 * @example
 * const modules = moduleSet([sla({ policies: [], calendars: {} })]);
 * const folded = fold(events, modules); // with ticket.ext.sla
 */
export function moduleSet(extensions: readonly Extension[]): ModuleSet {
  if (extensions.length === 0) return NO_MODULES;
  const problems: Problem[] = [];
  const owners = new Map<string, Extension>();
  const commands = new Map<string, ModuleCommandSpec>();
  const slices: Slice[] = [];
  const versions = new Map<string, number>();
  let following = 0;
  for (const [i, ext] of extensions.entries()) {
    const at = `extensions[${i}]`;
    const owned = new Set<string>();
    if (ext.events !== undefined && !Array.isArray(ext.events)) {
      problems.push({ path: `${at}.events`, message: 'must be a list of event types' });
    }
    for (const [j, type] of (Array.isArray(ext.events) ? ext.events : []).entries()) {
      const path = `${at}.events[${j}]`;
      if (typeof type !== 'string' || type === '') {
        problems.push({ path, message: 'an event type is a non-empty string' });
      } else if (CORE_EVENTS.has(type)) {
        problems.push({ path, message: `${type} is core's event` });
      } else if (owners.has(type)) {
        problems.push({ path, message: `${type} is owned by ${owners.get(type)!.name} too` });
      } else {
        owners.set(type, ext);
        owned.add(type);
        versions.set(type, ext.schemaVersion ?? 1);
      }
    }
    if (ext.state !== undefined) {
      const state = ext.state;
      if (typeof state?.initial !== 'function' || typeof state.apply !== 'function') {
        problems.push({ path: `${at}.state`, message: 'needs initial() and apply(draft, event, ticket)' });
      } else {
        if (
          state.on !== undefined &&
          (!Array.isArray(state.on) || state.on.some((t) => typeof t !== 'string'))
        ) {
          problems.push({ path: `${at}.state.on`, message: 'must be a list of event types' });
        }
        if (state.onRule !== undefined && typeof state.onRule !== 'boolean') {
          problems.push({ path: `${at}.state.onRule`, message: 'must be true or false' });
        }
        if (state.followAll !== undefined && typeof state.followAll !== 'function') {
          problems.push({ path: `${at}.state.followAll`, message: 'must be a function (state) => boolean' });
        }
        const listed = Array.isArray(state.on) ? (state.on as readonly string[]) : undefined;
        const follows = listed !== undefined && typeof state.followAll === 'function';
        const onRule = listed !== undefined && state.onRule === true;
        if (follows) following++;
        slices.push({
          name: ext.name,
          state: state as unknown as Slice['state'],
          on: listed,
          conditional: follows || onRule,
          onRule,
          bit: follows ? 1 << (following - 1) : 0,
        });
      }
    }
    if (ext.view !== undefined && typeof ext.view !== 'function') {
      problems.push({
        path: `${at}.view`,
        message: 'must be a function (state, actor) => what the actor sees',
      });
    }
    for (const [type, spec] of Object.entries(ext.commands ?? {})) {
      const path = `${at}.commands.${type}`;
      if (Object.hasOwn(CORE_COMMAND_TYPES, type)) {
        problems.push({ path, message: `${type} is core's command` });
        continue;
      }
      if (commands.has(type)) {
        problems.push({ path, message: `${type} is a command of ${commands.get(type)!.extension.name} too` });
        continue;
      }
      if (typeof spec?.validate !== 'function' || typeof spec.decide !== 'function') {
        problems.push({ path, message: 'needs validate(input) and decide(ticket, state, command, ctx)' });
        continue;
      }
      const allowed = spec.allowed ?? DEFAULT_ALLOWED;
      if (!Array.isArray(allowed) || allowed.some((k) => !ACTOR_KINDS.has(k))) {
        problems.push({
          path: `${path}.allowed`,
          message: 'must list actor kinds (customer, agent, admin, system, automation)',
        });
        continue;
      }
      commands.set(type, { extension: ext, spec, allowed: new Set(allowed), owned });
    }
  }
  if (following > MAX_FOLLOWING_SLICES) {
    problems.push({
      path: 'extensions',
      message: `at most ${MAX_FOLLOWING_SLICES} extensions may give their state a followAll`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // Per event type, the slices that always fold it, in installation order: computed once per type.
  // A conditional slice is never in these lists: the fold decides per event whether to call it.
  const byType = new Map<string, readonly Slice[]>();
  const slicesFor = (type: string): readonly Slice[] => {
    let list = byType.get(type);
    if (list === undefined) {
      list = slices.filter((s) => !s.conditional && (s.on === undefined || s.on.includes(type)));
      byType.set(type, list.length === 0 ? NONE : list);
    }
    return list;
  };
  const conditional = slices.filter((s) => s.conditional);
  const woken = new Map<string, boolean>();
  const wakes = (type: string) => {
    let answer = woken.get(type);
    if (answer === undefined) {
      answer = conditional.some((s) => s.on!.includes(type));
      woken.set(type, answer);
    }
    return answer;
  };
  const coreSlices = EVENT_TYPES.map((type) => slicesFor(type));
  // A frozen initial state cannot be changed in place, so every ticket may share it: its slice
  // returns a new state from its first change (the shipped slices do).
  const extTemplate: Record<string, unknown> = {};
  const freshSlices: Slice[] = [];
  for (const slice of slices) {
    const first = slice.state.initial();
    const shared = typeof first !== 'object' || first === null || Object.isFrozen(first);
    extTemplate[slice.name] = shared ? first : undefined;
    if (!shared) freshSlices.push(slice);
  }
  let initialFollowing: number | undefined = 0;
  for (const slice of slices) {
    if (slice.bit === 0) continue;
    if (freshSlices.includes(slice)) initialFollowing = undefined;
    else if (initialFollowing !== undefined && slice.state.followAll!(extTemplate[slice.name]) === true)
      initialFollowing |= slice.bit;
  }
  return {
    extensions,
    owners,
    slices,
    slicesFor,
    coreSlices,
    commands,
    stateful: slices.length > 0,
    conditional,
    onRule: conditional.some((s) => s.onRule),
    coreWakes: EVENT_TYPES.map(wakes),
    wakes,
    extTemplate,
    freshSlices,
    initialFollowing,
    knows: (type) => CORE_EVENTS.has(type) || owners.has(type),
    schemaVersionOf: (type) => versions.get(type) ?? 1,
  };
}
