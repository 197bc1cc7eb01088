import { ConfigError, type Problem } from './errors';
import { describeValue } from './json';
import { closest } from './suggest';
import { DEFAULT_LIMITS } from './validate';

export { describeValue } from './json';

/**
 * The problems of an options object that has keys no one reads: each unknown key with its path,
 * and the known key it was probably meant to be.
 *
 * @example
 * unknownKeys({ extentions: [] }, ['store', 'extensions'], 'createHelpdesk');
 * // → [{ path: 'createHelpdesk.extentions', message: 'unknown option; did you mean extensions? …' }]
 */
export function unknownKeys(value: unknown, allowed: readonly string[], path: string): Problem[] {
  if (!isObjectLike(value)) return [];
  const problems: Problem[] = [];
  for (const key of safeKeys(value, path, problems)) {
    if (allowed.includes(key)) continue;
    // A typo is short; a huge key gets no edit-distance search, and only its start in the path.
    const guess = key.length <= 100 ? closest(key, allowed) : undefined;
    const shown = key.length <= 100 ? key : `${key.slice(0, 100)}…`;
    problems.push({
      path: path ? `${path}.${shown}` : shown,
      message: `unknown option${guess ? `; did you mean ${guess}?` : ''} (known: ${allowed.join(', ')})`,
    });
  }
  return problems;
}

/**
 * Throws `ConfigError` when an options object is not a plain object or has keys no one reads, so a
 * misspelt option is refused instead of silently ignored.
 *
 * @example
 * function greeter(options: { greeting?: string } = {}) {
 *   checkOptions(options, ['greeting'], 'greeter'); // greeter({ greting: 'hi' }) → ConfigError, "did you mean greeting?"
 *   return options.greeting ?? 'Hello';
 * }
 */
export function checkOptions(value: unknown, allowed: readonly string[], path: string): void {
  if (value === undefined) return;
  if (!isObjectLike(value)) {
    throw new ConfigError([{ path, message: `options must be an object, got ${describeValue(value)}` }]);
  }
  const problems = unknownKeys(value, allowed, path);
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Every option `createHelpdesk` reads (HelpdeskOptions in desk.ts). One list, so that an option
 * added there is one line here; any other key is refused as a likely typo.
 */
export const HELPDESK_OPTION_KEYS = [
  'store',
  'clock',
  'ids',
  'tenantId',
  'workflows',
  'types',
  'policy',
  'internalFields',
  'customersMayClose',
  'visibility',
  'extensions',
  'limits',
  'upcasters',
  'maxRetries',
  'maxCascadeDepth',
  'onError',
] as const;

/** The methods each port of a `Store` must have, checked when the desk is created, not at first use. */
const STORE_PORTS: Record<string, readonly string[]> = {
  events: ['append', 'readStream', 'readAll', 'nextNumber'],
  index: ['upsert', 'get', 'query', 'checkpoint', 'setCheckpoint', 'clear'],
  messages: ['put', 'get'],
  blobs: ['put', 'get', 'stat'],
};

const POLICY_METHODS = ['authorize', 'canView', 'redact', 'scope'] as const;
const POLICY_OPTIONAL = ['redactSummary', 'redactEvent'] as const;
const EXTENSION_HOOKS = ['init', 'summarize', 'react', 'due', 'onDue'] as const;
const MAX_TENANT_ID = 200;
/** Bounds on lists in the options, so that checking a huge (or sparse) array is bounded work. */
const MAX_WORKFLOWS = 1000;
const MAX_EXTENSIONS = 1000;
const MAX_STRINGS = 10_000;
const MAX_PROBLEMS = 100;

/**
 * Reads `key` of `value` as the host wrote it (methods may live on a prototype), turning whatever a
 * getter or Proxy throws into a problem at `path`, so option checking throws only ConfigError.
 */
function read(value: object, key: string, path: string, problems: Problem[]): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch (error) {
    let text = 'it threw';
    try {
      if (error instanceof Error) text = `it threw: ${String(error.message).slice(0, 200)}`;
    } catch {}
    problems.push({ path, message: `could not be read (${text})` });
    return undefined;
  }
}

function isObjectLike(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false; // a revoked Proxy
  }
}

function safeArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false; // a revoked Proxy
  }
}

/** An array's length, read so that a Proxy's throwing trap is a problem rather than a TypeError. */
function lengthOf(value: unknown[], path: string, problems: Problem[]): number {
  const length = read(value, 'length', path, problems);
  return typeof length === 'number' ? length : 0;
}

function safeKeys(value: object, path: string, problems: Problem[]): string[] {
  try {
    return Object.keys(value);
  } catch {
    problems.push({ path, message: 'its keys could not be read' });
    return [];
  }
}

/** Checks one option's shape; each adds its problems at paths under `createHelpdesk`. */
type OptionCheck = (value: unknown, path: string, problems: Problem[], options: object) => void;

const isInteger = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

const nonNegativeInteger: OptionCheck = (v, path, problems) => {
  if (!isInteger(v, 0))
    problems.push({ path, message: `must be a whole number ≥ 0, got ${describeValue(v)}` });
};

const fn: OptionCheck = (v, path, problems) => {
  if (typeof v !== 'function')
    problems.push({ path, message: `must be a function, got ${describeValue(v)}` });
};

/** An object with the named methods; `shape` is how the message spells it. */
const withMethods =
  (methods: readonly string[], shape: string): OptionCheck =>
  (v, path, problems) => {
    if (!isObjectLike(v)) {
      problems.push({ path, message: `must be ${shape}, got ${describeValue(v)}` });
      return;
    }
    for (const method of methods) {
      const m = read(v, method, `${path}.${method}`, problems);
      if (typeof m !== 'function') {
        problems.push({
          path: `${path}.${method}`,
          message: `must be a function (${shape}), got ${describeValue(m)}`,
        });
      }
    }
  };

const strings =
  (what: string): OptionCheck =>
  (v, path, problems) => {
    if (!safeArray(v)) {
      problems.push({ path, message: `must be an array of ${what}, got ${describeValue(v)}` });
      return;
    }
    const length = lengthOf(v, path, problems);
    if (length > MAX_STRINGS) problems.push({ path, message: `must have at most ${MAX_STRINGS} items` });
    for (let i = 0; i < Math.min(length, MAX_STRINGS); i++) {
      const item = read(v, String(i), `${path}[${i}]`, problems);
      if (typeof item !== 'string' || item === '') {
        problems.push({
          path: `${path}[${i}]`,
          message: `must be a non-empty string, got ${describeValue(item)}`,
        });
      }
    }
  };

const store: OptionCheck = (v, path, problems) => {
  if (!isObjectLike(v)) {
    problems.push({
      path,
      message: `must be a Store { events, index, messages, blobs }, got ${describeValue(v)}`,
    });
    return;
  }
  for (const [port, methods] of Object.entries(STORE_PORTS)) {
    const p = read(v, port, `${path}.${port}`, problems);
    withMethods(methods, `a port with ${methods.join(', ')}`)(p, `${path}.${port}`, problems, v);
  }
};

const workflows: OptionCheck = (v, path, problems) => {
  if (!safeArray(v)) {
    problems.push({ path, message: `must be an array of workflows, got ${describeValue(v)}` });
    return;
  }
  const length = lengthOf(v, path, problems);
  if (length === 0)
    problems.push({ path, message: 'needs at least one workflow (the first is the default)' });
  if (length > MAX_WORKFLOWS)
    problems.push({ path, message: `must have at most ${MAX_WORKFLOWS} workflows` });
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(length, MAX_WORKFLOWS); i++) {
    const p = `${path}[${i}]`;
    const w = read(v, String(i), p, problems);
    if (!isObjectLike(w)) {
      problems.push({ path: p, message: `must be a workflow from defineWorkflow, got ${describeValue(w)}` });
      continue;
    }
    const id = read(w, 'id', `${p}.id`, problems);
    if (typeof read(w, 'hasStatus', p, problems) !== 'function') {
      problems.push({
        path: p,
        message: 'must be a workflow from defineWorkflow(definition), not its definition',
      });
    } else if (typeof id === 'string' && seen.has(id)) {
      problems.push({ path: `${p}.id`, message: `another workflow has the id ${describeValue(id)}` });
    }
    if (typeof id === 'string') seen.add(id);
  }
};

/** The ids of the workflows the desk will have, when they can be read; the built-in one otherwise. */
function workflowIds(options: object): Set<string> | undefined {
  const scratch: Problem[] = []; // what is wrong with the workflows is reported by their own check
  const list = read(options, 'workflows', '', scratch);
  if (list === undefined) return new Set(['default']);
  if (!safeArray(list)) return undefined;
  const ids = new Set<string>();
  for (let i = 0; i < Math.min(lengthOf(list, '', scratch), MAX_WORKFLOWS); i++) {
    const w = read(list, String(i), '', scratch);
    const id = isObjectLike(w) ? read(w, 'id', '', scratch) : undefined;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

const types: OptionCheck = (v, path, problems, options) => {
  if (!isObjectLike(v)) {
    problems.push({
      path,
      message: `must be a record of ticket type → workflow id, got ${describeValue(v)}`,
    });
    return;
  }
  const ids = workflowIds(options);
  for (const type of safeKeys(v, path, problems)) {
    const id = read(v, type, `${path}.${type}`, problems);
    if (typeof id !== 'string') {
      problems.push({ path: `${path}.${type}`, message: `must be a workflow id, got ${describeValue(id)}` });
    } else if (ids && !ids.has(id)) {
      problems.push({
        path: `${path}.${type}`,
        message: `names no workflow: ${describeValue(id)} (workflows: ${[...ids].join(', ')})`,
      });
    }
  }
};

const policy: OptionCheck = (v, path, problems) => {
  withMethods(POLICY_METHODS, `a Policy { ${POLICY_METHODS.join(', ')} }`)(v, path, problems, {});
  if (!isObjectLike(v)) return;
  for (const method of POLICY_OPTIONAL) {
    const m = read(v, method, `${path}.${method}`, problems);
    if (m !== undefined) fn(m, `${path}.${method}`, problems, v);
  }
};

const extensions: OptionCheck = (v, path, problems) => {
  if (!safeArray(v)) {
    problems.push({ path, message: `must be an array of extensions, got ${describeValue(v)}` });
    return;
  }
  const length = lengthOf(v, path, problems);
  if (length > MAX_EXTENSIONS)
    problems.push({ path, message: `must have at most ${MAX_EXTENSIONS} extensions` });
  for (let i = 0; i < Math.min(length, MAX_EXTENSIONS); i++) {
    const p = `${path}[${i}]`;
    const e = read(v, String(i), p, problems);
    if (!isObjectLike(e)) {
      problems.push({ path: p, message: `must be an extension object with a name, got ${describeValue(e)}` });
      continue;
    }
    const name = read(e, 'name', `${p}.name`, problems);
    if (typeof name !== 'string' || name === '') {
      problems.push({ path: `${p}.name`, message: `must be a non-empty string, got ${describeValue(name)}` });
    }
    for (const hook of EXTENSION_HOOKS) {
      const h = read(e, hook, `${p}.${hook}`, problems);
      if (h !== undefined) fn(h, `${p}.${hook}`, problems, e);
    }
    const provides = read(e, 'provides', `${p}.provides`, problems);
    if (provides !== undefined) strings('capability names')(provides, `${p}.provides`, problems, e);
  }
};

const limits: OptionCheck = (v, path, problems) => {
  if (!isObjectLike(v)) {
    problems.push({ path, message: `must be an object of limits, got ${describeValue(v)}` });
    return;
  }
  for (const problem of unknownKeys(v, Object.keys(DEFAULT_LIMITS), path)) problems.push(problem);
  for (const key of safeKeys(v, path, problems)) {
    const n = read(v, key, `${path}.${key}`, problems);
    if (n !== undefined && !isInteger(n, 1)) {
      problems.push({
        path: `${path}.${key}`,
        message: `must be a whole number ≥ 1, got ${describeValue(n)}`,
      });
    }
  }
};

const upcasters: OptionCheck = (v, path, problems) => {
  if (!isObjectLike(v)) {
    problems.push({ path, message: `must be a record of event type → function, got ${describeValue(v)}` });
    return;
  }
  for (const key of safeKeys(v, path, problems)) {
    const u = read(v, key, `${path}.${key}`, problems);
    if (u !== undefined) fn(u, `${path}.${key}`, problems, v);
  }
};

const OPTION_CHECKS: Record<(typeof HELPDESK_OPTION_KEYS)[number], OptionCheck> = {
  store,
  clock: (v, path, problems) =>
    typeof v === 'function'
      ? void problems.push({
          path,
          message: 'clock must be { now(): Date }, not a function: pass { now: yourFunction }',
        })
      : withMethods(['now'], '{ now(): Date }')(v, path, problems, {}),
  ids: (v, path, problems) =>
    typeof v === 'function'
      ? void problems.push({
          path,
          message: 'ids must be { next(): string }, not a function: pass { next: yourFunction }',
        })
      : withMethods(['next'], '{ next(): string }')(v, path, problems, {}),
  tenantId: (v, path, problems) => {
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push({ path, message: `must be a non-empty string, got ${describeValue(v)}` });
    } else if (v.length > MAX_TENANT_ID) {
      problems.push({ path, message: `must be at most ${MAX_TENANT_ID} characters, got ${v.length}` });
    } else if (v.includes('/')) {
      // It prefixes stream names as `<tenant>/ticket-…`; a '/' in it would reach into another tenant's names.
      problems.push({ path, message: `must not contain '/', got ${describeValue(v)}` });
    }
  },
  workflows,
  types,
  policy,
  internalFields: strings('field names'),
  customersMayClose: (v, path, problems) => {
    if (typeof v !== 'boolean')
      problems.push({ path, message: `must be true or false, got ${describeValue(v)}` });
  },
  visibility: (v, path, problems) => {
    if (v !== 'requester' && v !== 'organization') {
      problems.push({ path, message: `must be 'requester' or 'organization', got ${describeValue(v)}` });
    }
  },
  extensions,
  limits,
  upcasters,
  maxRetries: nonNegativeInteger,
  maxCascadeDepth: nonNegativeInteger,
  onError: fn,
};

/**
 * Checks `createHelpdesk`'s options before anything is built: unknown keys (with the key probably
 * meant), and the shape of each option — a store with its four ports and their methods, a clock
 * `{ now() }` and ids `{ next() }` (a bare function is refused with what to pass instead), workflows
 * from `defineWorkflow` with distinct ids, types naming those workflows, a policy with its four
 * methods, extensions with a name, known limits as positive integers, upcasters as functions, and
 * a tenantId without '/'. Throws one `ConfigError` listing every problem with its path, and
 * nothing else, whatever the options hold.
 *
 * @example
 * validateHelpdeskOptions({ extentions: [] }); // ConfigError: createHelpdesk.extentions: unknown option; did you mean extensions? …
 */
export function validateHelpdeskOptions(options: unknown): void {
  const path = 'createHelpdesk';
  if (options === undefined) return;
  if (!isObjectLike(options)) {
    throw new ConfigError([{ path, message: `options must be an object, got ${describeValue(options)}` }]);
  }
  const problems: Problem[] = [];
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch {
    throw new ConfigError([{ path, message: 'the options’ keys could not be read' }]);
  }
  for (const problem of unknownKeys(
    Object.fromEntries(keys.map((k) => [k, true])),
    HELPDESK_OPTION_KEYS,
    path,
  )) {
    problems.push(problem);
  }
  for (const key of HELPDESK_OPTION_KEYS) {
    const p = `${path}.${key}`;
    const value = read(options, key, p, problems);
    if (value !== undefined) OPTION_CHECKS[key](value, p, problems, options);
  }
  if (problems.length > MAX_PROBLEMS) {
    // A message listing a million problems helps no one; the first ones say what is wrong.
    const more = problems.length - MAX_PROBLEMS;
    problems.length = MAX_PROBLEMS;
    problems.push({ path, message: `and ${more} more problems` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
