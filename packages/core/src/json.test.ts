import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTesseraError, ValidationError } from './errors';
import { copyJson, copyPlainJson } from './json';

describe('copyJson', () => {
  it('equals a JSON round trip for any JSON-like value, and shares no object with its input', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withDate: true,
          withBoxedValues: true,
          withNullPrototype: true,
          withSparseArray: true,
          withObjectString: true,
          maxDepth: 4,
        }),
        (value) => {
          let expected: unknown;
          try {
            const text = JSON.stringify(value);
            expected = text === undefined ? undefined : JSON.parse(text);
          } catch {
            return; // what JSON cannot hold is covered below
          }
          const copied = copyJson(value);
          expect(copied).toStrictEqual(expected);
          const seen = new Set<unknown>();
          const collect = (v: unknown) => {
            if (typeof v === 'object' && v !== null) {
              seen.add(v);
              for (const c of Object.values(v)) collect(c);
            }
          };
          collect(value);
          const shared = (v: unknown): boolean =>
            typeof v === 'object' && v !== null && (seen.has(v) || Object.values(v).some(shared));
          expect(shared(copied)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps an own "__proto__" key as data and never touches the prototype', () => {
    const input = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}');
    const copied = copyJson(input) as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(copied.a)).toBe(Object.prototype);
    expect(Object.keys(copied.a)).toEqual(['__proto__', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copied)).toBe(JSON.stringify(input));
  });

  it('refuses a cycle, deep nesting and a BigInt with a ValidationError naming the path', () => {
    const cyclic: Record<string, unknown> = { a: { b: 1 } };
    (cyclic.a as Record<string, unknown>).self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    for (const [value, path] of [
      [cyclic, 'a.self.a.self'],
      [{ x: deep }, 'x'],
      [{ n: { big: 1n } }, 'n.big'],
    ] as const) {
      let caught: unknown;
      try {
        copyJson(value);
      } catch (error) {
        caught = error;
      }
      expect(isTesseraError(caught, 'validation')).toBe(true);
      const problem = (caught as { problems: { path: string }[] }).problems[0]!;
      expect(problem.path.startsWith(path)).toBe(true);
    }
  });
});

describe('copyJson with hostile values', () => {
  const refusedAt = (value: unknown): string => {
    let caught: unknown;
    try {
      copyJson(value);
    } catch (error) {
      caught = error;
    }
    expect(isTesseraError(caught, 'validation')).toBe(true);
    return (caught as { problems: { path: string }[] }).problems[0]!.path;
  };

  it('turns a throwing getter, toJSON or Proxy trap into a ValidationError at its path', () => {
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(refusedAt({ a: getter })).toBe('a.x');
    expect(
      refusedAt({
        a: {
          toJSON() {
            throw new Error('no');
          },
        },
      }),
    ).toBe('a');
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(refusedAt({ list: [1, trap] })).toBe('list[1]');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(refusedAt({ p: proxy })).toBe('p');
  });

  it('refuses a huge sparse array at once, by its length, and keeps long keys short in paths', () => {
    expect(refusedAt({ a: new Array(2 ** 32 - 1) })).toBe('a');
    const long = 'k'.repeat(100_000);
    expect(refusedAt({ [long]: 1n }).length).toBeLessThan(200);
  });
});

describe('copyPlainJson', () => {
  const refusal = (value: unknown, bounds?: { maxDepth?: number; maxNodes?: number }) => {
    let caught: unknown;
    try {
      copyPlainJson(value, 'in', bounds);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    return (caught as ValidationError).problems[0]!;
  };

  it('copies plain JSON data, dropping undefined properties and making -0 a 0', () => {
    const input = { a: [1, 'x', null, true, { b: -0 }], c: undefined };
    const copied = copyPlainJson(input);
    expect(copied).toEqual({ a: [1, 'x', null, true, { b: 0 }] });
    expect(Object.is((copied as { a: { b: number }[] }).a[4]!.b, 0)).toBe(true);
    expect(copyPlainJson(Object.assign(Object.create(null), { a: 1 }))).toEqual({ a: 1 });
  });

  it('converts nothing: Dates, toJSON, boxed values, NaN and undefined items are refused', () => {
    expect(refusal({ d: new Date(0) }).path).toBe('in.d');
    expect(refusal({ v: { toJSON: () => 1 } }).path).toBe('in.v.toJSON');
    expect(refusal([new Number(1)]).path).toBe('in[0]');
    expect(refusal({ n: Number.NaN }).path).toBe('in.n');
    expect(refusal([undefined]).path).toBe('in[0]');
  });

  it('bounds depth and size before visiting', () => {
    expect(refusal({ a: { b: { c: 1 } } }, { maxDepth: 2 }).path).toBe('in.a.b');
    expect(refusal({ a: [1, 2, 3, 4] }, { maxNodes: 4 }).path).toBe('in.a');
    expect(copyPlainJson({ a: [1, 2] }, '', { maxNodes: 5 })).toEqual({ a: [1, 2] });
  });

  it('refuses a property name over 1,000 characters', () => {
    expect(refusal({ ['k'.repeat(1001)]: 1 }).message).toContain('1001 characters');
  });
});
