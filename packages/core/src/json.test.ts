import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from './errors';
import { copyJson } from './json';

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
