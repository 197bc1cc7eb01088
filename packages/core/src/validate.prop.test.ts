import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTOR_KINDS, validateActor, validateExecuteOptions } from './actor';
import { ConfigError, ValidationError } from './errors';
import { validateHelpdeskOptions } from './options';
import { validateCommand } from './validate';

/** Well-formed commands of several types, with nested fields and lists to inject into. */
const validCommand: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    type: fc.constant('openTicket'),
    channel: fc.constantFrom('email', 'portal', 'api'),
    requester: fc.record({ id: fc.constantFrom('c1', 'c2'), name: fc.string({ maxLength: 10 }) }),
    subject: fc.constant('Printer'),
    body: fc.constant('It is on fire'),
    tags: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    fields: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 3,
    }),
    attachments: fc.array(
      fc.record({
        filename: fc.constant('a.txt'),
        contentType: fc.constant('text/plain'),
        size: fc.nat(100),
      }),
      { maxLength: 2 },
    ),
  }),
  fc.record({
    type: fc.constant('postMessage'),
    ticketId: fc.constant('T1'),
    body: fc.constant('hello'),
    visibility: fc.constant('internal'),
    notify: fc.record({ to: fc.constant(['a@example.com']) }),
  }),
  fc.record({
    type: fc.constant('setFields'),
    ticketId: fc.constant('T1'),
    fields: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 4,
    }),
  }),
  fc.record({ type: fc.constant('tag'), ticketId: fc.constant('T1'), tags: fc.constant(['x', 'y']) }),
);

function deep(levels: number, array: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = array ? [value] : { a: value };
  return value;
}

/*
 * Each hostile arbitrary yields a recipe: a function that builds the value inside the property.
 * fast-check inspects and prints the values it generates, and a revoked Proxy, a throwing getter
 * or a 25,000-deep object would break fast-check itself rather than the code under test.
 */
type Recipe = () => unknown;

const TRAPS = [
  'ownKeys',
  'getOwnPropertyDescriptor',
  'getPrototypeOf',
  'get',
  'has',
  'defineProperty',
] as const;

/** A Proxy around an object or array, with one trap that throws or answers something else. */
const proxy: fc.Arbitrary<Recipe> = fc
  .tuple(
    fc.constantFrom(...TRAPS),
    fc.constantFrom('throw', 'lie', 'revoke'),
    fc.oneof(fc.object({ maxDepth: 2 }), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })),
    fc.anything({ maxDepth: 1, withBigInt: true }),
  )
  .map(([trap, mode, target, lie]) => () => {
    if (mode === 'revoke') {
      const r = Proxy.revocable(target, {});
      r.revoke();
      return r.proxy;
    }
    const handler: ProxyHandler<object> = {};
    const fail = (): never => {
      throw new Error(`${trap} says no`);
    };
    switch (trap) {
      case 'ownKeys':
        handler.ownKeys = mode === 'throw' ? fail : () => ['ghost', 'length', '0'];
        break;
      case 'getOwnPropertyDescriptor':
        handler.getOwnPropertyDescriptor =
          mode === 'throw'
            ? fail
            : () => ({ value: lie, enumerable: true, configurable: true, writable: true });
        break;
      case 'getPrototypeOf':
        handler.getPrototypeOf = mode === 'throw' ? fail : () => Date.prototype;
        break;
      default:
        handler[trap] = (mode === 'throw' ? fail : () => lie) as never;
    }
    return new Proxy(target, handler);
  });

const getter: fc.Arbitrary<Recipe> = fc.tuple(fc.boolean(), fc.jsonValue({ maxDepth: 1 })).map(
  ([throws, value]) =>
    () =>
      Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          if (throws) throw new RangeError('getter says no');
          return value;
        },
      }),
);

const cyclic: fc.Arbitrary<Recipe> = fc.object({ maxDepth: 2 }).map((o) => () => {
  const value: Record<string, unknown> = { ...o };
  value.self = { back: value };
  return value;
});

const recipe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Recipe> => arb.map((v) => () => v);

/** Values no command may hold, and some it may. */
const hostile: fc.Arbitrary<Recipe> = fc.oneof(
  recipe(
    fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withBoxedValues: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
      withObjectString: true,
    }),
  ),
  recipe(fc.bigInt()),
  cyclic,
  proxy,
  getter,
  fc.tuple(fc.integer({ min: 60, max: 25_000 }), fc.boolean()).map(
    ([n, array]) =>
      () =>
        deep(n, array),
  ),
  fc.constant(() => ({ toJSON: () => 'x' })),
  fc.constant(() => new Array(2 ** 32 - 1)),
  fc.constantFrom<Recipe>(
    () => Symbol('s'),
    () => () => 1,
    () => Number.NaN,
    () => -0,
    () => Number.POSITIVE_INFINITY,
    () => undefined,
  ),
  fc.constant(() => Object.assign(Object.create({ inherited: 1 }), { own: 1 })),
  fc.constant(() => ({ [Symbol('k')]: 1 })),
);

/** `root` with `value` put at the place `steps` leads to (an existing child, or a new key). */
function inject(root: Record<string, unknown>, steps: number[], key: string, value: unknown): unknown {
  const command = structuredClone(root);
  let node: unknown = command;
  for (const step of steps) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0 || step % (keys.length + 1) === keys.length) {
      (node as Record<string, unknown>)[key] = value;
      return command;
    }
    const child = keys[step % keys.length]!;
    const next = (node as Record<string, unknown>)[child];
    if (typeof next !== 'object' || next === null) {
      (node as Record<string, unknown>)[child] = value;
      return command;
    }
    node = next;
  }
  if (typeof node === 'object' && node !== null) (node as Record<string, unknown>)[key] = value;
  return command;
}

/** The law: a command comes back only if it is its own JSON round trip; anything else is a ValidationError. */
function checkOutcome(input: unknown): void {
  let result: unknown;
  try {
    result = validateCommand(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(typeof p.path).toBe('string');
    return;
  }
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  expect(result === input).toBe(false); // not toBe: its diff would walk into the hostile input
}

describe('validateCommand under hostile input', () => {
  it('returns well-formed commands as their own JSON round trip', () => {
    fc.assert(
      fc.property(validCommand, (command) => {
        const result = validateCommand(command);
        expect(result).toEqual(JSON.parse(JSON.stringify(command))); // -0 in fields becomes 0, as in JSON
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('for a hostile value at a random path, returns a JSON-round-trip command or throws ValidationError, never anything else', () => {
    fc.assert(
      fc.property(
        validCommand,
        fc.array(fc.nat(20), { maxLength: 5 }),
        fc.constantFrom('fields', 'extra', 'id', '__proto__', 'toJSON', 'x'),
        hostile,
        (command, steps, key, make) => checkOutcome(inject(command, steps, key, make())),
      ),
      { numRuns: 600 },
    );
  }, 60_000);

  it('never throws anything but ValidationError for a hostile value as the whole command', () => {
    fc.assert(
      fc.property(hostile, (make) => checkOutcome(make())),
      { numRuns: 300 },
    );
  }, 60_000);
});

/** A well-formed actor, to inject hostile values into. */
const validActor: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    kind: fc.constantFrom(...ACTOR_KINDS),
    id: fc.constantFrom('u1', 'u2'),
    email: fc.constant('u@example.com'),
    teams: fc.array(fc.constantFrom('t1', 't2'), { maxLength: 3 }),
  },
  { requiredKeys: ['kind', 'id'] },
);

describe('validateActor and validateExecuteOptions under hostile input', () => {
  it('return an actor of one of the five kinds that is its own JSON round trip, or throw ValidationError', () => {
    fc.assert(
      fc.property(
        validActor,
        fc.array(fc.nat(20), { maxLength: 3 }),
        fc.constantFrom('kind', 'id', 'teams', 'name', '__proto__', 'toJSON'),
        hostile,
        fc.boolean(),
        (actor, steps, key, make, asOptions) => {
          const input = inject(actor, steps, key, make());
          let result: unknown;
          try {
            result = asOptions ? validateExecuteOptions({ actor: input }).actor : validateActor(input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            return;
          }
          expect(ACTOR_KINDS).toContain((result as { kind: unknown }).kind);
          expect(typeof (result as { id: unknown }).id).toBe('string');
          expect(JSON.parse(JSON.stringify(result))).toEqual(result);
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);

  it('throw only ValidationError for a hostile value as the actor or as the options', () => {
    fc.assert(
      fc.property(hostile, fc.boolean(), (make, asOptions) => {
        try {
          if (asOptions) validateExecuteOptions(make());
          else validateActor(make());
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('validateHelpdeskOptions under hostile input', () => {
  it('throws only ConfigError for a hostile value as any option', () => {
    const keys = [
      'store',
      'clock',
      'ids',
      'tenantId',
      'workflows',
      'types',
      'policy',
      'extensions',
      'limits',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...keys, 'extentions'), hostile, fc.boolean(), (key, make, nest) => {
        const value = make();
        const options = nest
          ? { [key]: key === 'extensions' ? [value] : { events: value, now: value } }
          : { [key]: value };
        try {
          validateHelpdeskOptions(options);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});
