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
  };
}

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
  knows: (type: string) => CORE_EVENTS.has(type),
  schemaVersionOf: () => 1,
});

/** The `ext` of a new ticket: each slice's initial state (a shared frozen `{}` when there is none). */
export function initialExt(modules: ModuleSet): Record<string, unknown> {
  if (!modules.stateful) return frozenEmpty;
  const ext: Record<string, unknown> = {};
  for (const slice of modules.slices) ext[slice.name] = slice.state.initial();
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
  const on: (readonly string[] | undefined)[] = [];
  const versions = new Map<string, number>();
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
        slices.push({ name: ext.name, state: state as unknown as Slice['state'] });
        on.push(Array.isArray(state.on) ? state.on : undefined);
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
  if (problems.length > 0) throw new ConfigError(problems);
  // Per event type, the slices that fold it, in installation order: computed once per type.
  const byType = new Map<string, readonly Slice[]>();
  const slicesFor = (type: string): readonly Slice[] => {
    let list = byType.get(type);
    if (list === undefined) {
      list = slices.filter((_, i) => on[i] === undefined || on[i]!.includes(type));
      byType.set(type, list.length === 0 ? NONE : list);
    }
    return list;
  };
  const coreSlices = EVENT_TYPES.map((type) => slicesFor(type));
  return {
    extensions,
    owners,
    slices,
    slicesFor,
    coreSlices,
    commands,
    stateful: slices.length > 0,
    knows: (type) => CORE_EVENTS.has(type) || owners.has(type),
    schemaVersionOf: (type) => versions.get(type) ?? 1,
  };
}
