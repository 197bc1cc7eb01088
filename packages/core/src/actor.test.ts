import { describe, expect, it } from 'vitest';
import { validateActor, validateExecuteOptions } from './actor';
import { ValidationError } from './errors';

/** The ValidationError `run` throws; fails the test if it throws anything else or nothing. */
function refusal(run: () => unknown): ValidationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError;
}

const paths = (error: ValidationError) => error.problems.map((p) => p.path);

describe('validateActor', () => {
  it('accepts each of the five kinds and returns a copy that shares nothing with the input', () => {
    for (const kind of ['customer', 'agent', 'admin', 'system', 'automation'] as const) {
      const input = { kind, id: 'u1', email: 'u@example.com', name: 'U', organizationId: 'o1', teams: ['t'] };
      const actor = validateActor(input);
      expect(actor).toEqual(input);
      expect(actor).not.toBe(input);
      expect(actor.teams).not.toBe(input.teams);
    }
  });

  it('refuses an unknown, miscased or missing kind at actor.kind, naming the allowed kinds', () => {
    for (const kind of ['guest', 'Customer', undefined, 7]) {
      const error = refusal(() => validateActor({ kind, id: 'u1' }));
      expect(paths(error)).toEqual(['actor.kind']);
      expect(error.problems[0]!.message).toContain('customer, agent, admin, system, automation');
    }
  });

  it('refuses null, undefined, primitives and arrays with a typed error', () => {
    for (const value of [null, undefined, 'agent', 1, [], true]) {
      expect(paths(refusal(() => validateActor(value)))).toEqual(['actor']);
    }
  });

  it('checks id, email, name, organizationId and teams, and uses the path it is given', () => {
    const error = refusal(() =>
      validateActor(
        {
          kind: 'agent',
          id: '',
          email: 'not-an-address',
          name: 'x'.repeat(201),
          organizationId: 3,
          teams: ['a', ''],
        },
        'as',
      ),
    );
    expect(paths(error).sort()).toEqual(['as.email', 'as.id', 'as.name', 'as.organizationId', 'as.teams[1]']);
    expect(paths(refusal(() => validateActor({ kind: 'agent' })))).toEqual(['actor.id']);
  });

  it('refuses unknown properties, suggesting the likely one', () => {
    const error = refusal(() => validateActor({ kind: 'agent', id: 'a', team: ['x'], passwordHash: 'h' }));
    expect(paths(error).sort()).toEqual(['actor.passwordHash', 'actor.team']);
    expect(error.problems.find((p) => p.path === 'actor.team')!.message).toContain('did you mean teams?');
  });

  it('throws only ValidationError for hostile shapes', () => {
    const cyclic: Record<string, unknown> = { kind: 'agent', id: 'a' };
    cyclic.teams = [cyclic];
    const hostile: unknown[] = [
      { kind: 'agent', id: 1n },
      cyclic,
      Object.defineProperty({ kind: 'agent' }, 'id', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      }),
      { kind: 'agent', id: 'a', toJSON: () => ({ kind: 'admin', id: 'root' }) },
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
      new Proxy({ kind: 'agent', id: 'a' }, { getPrototypeOf: () => Date.prototype }),
      (() => {
        const { proxy, revoke } = Proxy.revocable({ kind: 'agent', id: 'a' }, {});
        revoke();
        return proxy;
      })(),
      { kind: 'agent', id: 'x'.repeat(50_000_000) },
      { kind: 'agent', id: 'a', teams: new Array(2 ** 32 - 1) },
      new Date(),
      Object.assign(Object.create({ kind: 'admin' }), { id: 'a' }),
    ];
    for (const value of hostile) refusal(() => validateActor(value));
  });

  it('returns a plain copy of what it checked, so a Proxy cannot answer otherwise later', () => {
    // `get` says 'guest' while the property itself holds 'customer': the check and the copy read
    // the property's own descriptor, so the answer is the same everywhere, and the copy is plain.
    const lying = new Proxy(
      { kind: 'customer', id: 'c1' },
      { get: (t, key) => (key === 'kind' ? 'guest' : Reflect.get(t, key)) },
    );
    const actor = validateActor(lying);
    expect(actor).toEqual({ kind: 'customer', id: 'c1' });
    expect(Object.getPrototypeOf(actor)).toBe(Object.prototype);
    // A descriptor that changes on every read: whatever was read is what is checked and kept.
    let calls = 0;
    const shifty = new Proxy(
      { kind: 'customer', id: 'c1' },
      {
        getOwnPropertyDescriptor(t, key) {
          const d = Reflect.getOwnPropertyDescriptor(t, key);
          return key === 'kind' && d ? { ...d, value: ['customer', 'guest'][calls++ % 2] } : d;
        },
      },
    );
    for (let i = 0; i < 4; i++) {
      try {
        expect(validateActor(shifty).kind).toBe('customer');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect(paths(error as ValidationError)).toEqual(['actor.kind']);
      }
    }
  });
});

describe('validateExecuteOptions', () => {
  it('requires an options object with an actor', () => {
    expect(paths(refusal(() => validateExecuteOptions(undefined)))).toEqual(['options']);
    expect(paths(refusal(() => validateExecuteOptions(null)))).toEqual(['options']);
    expect(paths(refusal(() => validateExecuteOptions('agent')))).toEqual(['options']);
    expect(paths(refusal(() => validateExecuteOptions({})))).toEqual(['actor']);
    expect(paths(refusal(() => validateExecuteOptions({ actor: null })))).toEqual(['actor']);
    expect(paths(refusal(() => validateExecuteOptions({ actor: { kind: 'guest', id: 'g' } })))).toEqual([
      'actor.kind',
    ]);
  });

  it('checks the keys and refuses unknown ones', () => {
    const actor = { kind: 'agent', id: 'a' };
    const ok = { actor, idempotencyKey: 'k', causationId: 'c', correlationId: 'r', ruleId: 'x' };
    expect(validateExecuteOptions(ok)).toEqual(ok);
    expect(validateExecuteOptions({ actor, idempotencyKey: undefined })).toEqual({ actor });
    const error = refusal(() =>
      validateExecuteOptions({
        actor,
        idempotencyKey: '',
        causationId: 5,
        ruleId: 'r'.repeat(1001),
        idempotencykey: 'k',
      }),
    );
    expect(paths(error).sort()).toEqual(['causationId', 'idempotencyKey', 'idempotencykey', 'ruleId']);
    expect(error.problems.find((p) => p.path === 'idempotencykey')!.message).toContain(
      'did you mean idempotencyKey?',
    );
  });
});
