import type { ExecuteOptions } from './commands';
import { isEmailAddress, MAX_EMAIL } from './email-address';
import { type Problem, ValidationError } from './errors';
import { copyPlainJson, describeValue } from './json';
import type { Actor, ActorKind } from './model';
import { unknownKeys } from './options';

/** The only actor kinds there are; anything else (`'guest'`, `'Customer'`, none) is refused. */
export const ACTOR_KINDS: readonly ActorKind[] = ['customer', 'agent', 'admin', 'system', 'automation'];

/**
 * The properties an actor may have. Others are refused rather than carried along: an actor is
 * recorded in every event it causes, so a host that passes its whole user record (a password hash,
 * a session) would write it into the log for good, and a misspelt `team` would silently grant nothing.
 */
export const ACTOR_KEYS: readonly string[] = ['kind', 'id', 'email', 'name', 'organizationId', 'teams'];

/** The options `execute` reads; one line to extend when it reads more. */
export const EXECUTE_OPTION_KEYS: readonly string[] = [
  'actor',
  'idempotencyKey',
  'causationId',
  'correlationId',
  'ruleId',
];

const MAX_ID = 200;
const MAX_TEAMS = 200;
const MAX_KEY = 1000;

function text(
  value: unknown,
  path: string,
  problems: Problem[],
  opts: { max: number; nonEmpty?: boolean },
): value is string {
  if (typeof value !== 'string') {
    problems.push({ path, message: `must be a string, got ${describeValue(value)}` });
    return false;
  }
  if (opts.nonEmpty && value.trim() === '') problems.push({ path, message: 'must not be empty' });
  if (value.length > opts.max) {
    problems.push({ path, message: `must be at most ${opts.max} characters, got ${value.length}` });
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkActor(actor: unknown, path: string, problems: Problem[]): void {
  if (!isRecord(actor)) {
    problems.push({
      path,
      message: `must be an object with a kind (${ACTOR_KINDS.join(', ')}) and an id, got ${describeValue(actor)}`,
    });
    return;
  }
  const kind = actor.kind;
  if (typeof kind !== 'string' || !(ACTOR_KINDS as readonly string[]).includes(kind)) {
    problems.push({
      path: `${path}.kind`,
      message:
        kind === undefined
          ? `is required: one of ${ACTOR_KINDS.join(', ')}`
          : `must be one of ${ACTOR_KINDS.join(', ')}, got ${describeValue(kind)}`,
    });
  }
  if (actor.id === undefined) problems.push({ path: `${path}.id`, message: 'is required' });
  else text(actor.id, `${path}.id`, problems, { max: MAX_ID, nonEmpty: true });
  if (
    actor.email !== undefined &&
    text(actor.email, `${path}.email`, problems, { max: MAX_EMAIL }) &&
    actor.email.length <= MAX_EMAIL &&
    !isEmailAddress(actor.email)
  ) {
    problems.push({
      path: `${path}.email`,
      message: `is not an email address: ${describeValue(actor.email)}`,
    });
  }
  if (actor.name !== undefined) text(actor.name, `${path}.name`, problems, { max: MAX_ID });
  if (actor.organizationId !== undefined) {
    text(actor.organizationId, `${path}.organizationId`, problems, { max: MAX_ID, nonEmpty: true });
  }
  const teams = actor.teams;
  if (teams !== undefined) {
    if (!Array.isArray(teams)) {
      problems.push({
        path: `${path}.teams`,
        message: `must be an array of strings, got ${describeValue(teams)}`,
      });
    } else if (teams.length > MAX_TEAMS) {
      problems.push({ path: `${path}.teams`, message: `must have at most ${MAX_TEAMS} teams` });
    } else {
      for (let i = 0; i < teams.length; i++) {
        text(teams[i], `${path}.teams[${i}]`, problems, { max: MAX_ID, nonEmpty: true });
      }
    }
  }
  for (const problem of unknownKeys(actor, ACTOR_KEYS, path)) {
    problems.push({
      path: problem.path,
      message: problem.message.replace('unknown option', 'unknown property'),
    });
  }
}

/**
 * Checks who is acting, at the boundary, and returns a private copy that is safe to record in
 * events: a plain object whose `kind` is exactly one of {@link ACTOR_KINDS}, with a non-empty `id`
 * and only the properties in {@link ACTOR_KEYS}, each bounded. Whatever the input — `null`, a
 * BigInt, a Proxy, a throwing getter, a cycle, a `toJSON`, a huge string — it throws nothing but a
 * `ValidationError` listing each problem with its path (`actor.kind`, `actor.teams[2]`, …).
 *
 * @example
 * const who = validateActor({ kind: 'agent', id: 'a1', teams: ['billing'] }); // a checked copy
 * validateActor({ kind: 'guest', id: 'u1' }); // throws ValidationError (actor.kind)
 */
export function validateActor(actor: unknown, path = 'actor'): Actor {
  // Depth 3 holds an actor (its teams are one level down); a small budget bounds the work.
  const copy = copyPlainJson(actor, path, { maxDepth: 3, maxNodes: MAX_TEAMS + 50 });
  const problems: Problem[] = [];
  checkActor(copy, path, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return copy as unknown as Actor;
}

/**
 * Checks `execute`'s options at the boundary: an options object is required, its actor is checked
 * by {@link validateActor}, an `idempotencyKey` is a non-empty string of at most 1,000 characters,
 * `causationId`, `correlationId` and `ruleId` are strings of at most 1,000, and no other key is
 * accepted. Returns a private copy; throws only `ValidationError`.
 *
 * @example
 * const opts = validateExecuteOptions({ actor: { kind: 'agent', id: 'a1' }, idempotencyKey: 'req-7' });
 */
export function validateExecuteOptions(opts: unknown): ExecuteOptions {
  if (opts === undefined || opts === null) {
    throw new ValidationError([
      { path: 'options', message: 'execute needs options with the actor: execute(command, { actor })' },
    ]);
  }
  const copy = copyPlainJson(opts, '', { maxDepth: 4, maxNodes: MAX_TEAMS + 100 });
  if (!isRecord(copy)) {
    throw new ValidationError([
      { path: 'options', message: `must be an object with the actor, got ${describeValue(copy)}` },
    ]);
  }
  const problems: Problem[] = [];
  if (copy.actor === undefined) problems.push({ path: 'actor', message: 'is required' });
  else checkActor(copy.actor, 'actor', problems);
  if (copy.idempotencyKey !== undefined) {
    text(copy.idempotencyKey, 'idempotencyKey', problems, { max: MAX_KEY, nonEmpty: true });
  }
  for (const key of ['causationId', 'correlationId', 'ruleId'] as const) {
    if (copy[key] !== undefined) text(copy[key], key, problems, { max: MAX_KEY });
  }
  for (const problem of unknownKeys(copy, EXECUTE_OPTION_KEYS, '')) problems.push(problem);
  if (problems.length > 0) throw new ValidationError(problems);
  return copy as unknown as ExecuteOptions;
}
