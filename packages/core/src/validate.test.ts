import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { DEFAULT_LIMITS, validateCommand } from './validate';

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

const open = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'openTicket',
  channel: 'email',
  requester: { id: 'c1', email: 'c@example.com' },
  subject: 'Printer',
  body: 'It is on fire',
  ...extra,
});

const withFields = (fields: unknown) => open({ fields });

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('validateCommand: well-formed commands', () => {
  it('returns a private copy equal to the input, and to its JSON round trip', () => {
    const input = open({ tags: ['a'], fields: { order: { id: 7, lines: [1, 2] } } });
    const command = validateCommand(input);
    expect(command).toEqual(input);
    expect(command).not.toBe(input);
    expect((command as { fields: unknown }).fields).not.toBe(input.fields);
    expect(JSON.parse(JSON.stringify(command))).toEqual(command);
  });

  it('returns what it checked: changing the input afterwards changes nothing', () => {
    const tags = ['a'];
    const input = open({ tags });
    const command = validateCommand(input);
    tags.push(1 as unknown as string);
    input.subject = 1n;
    expect(command).toEqual(open({ tags: ['a'] }));
  });

  it('accepts a null-prototype object (a plain dictionary) and leaves out undefined properties', () => {
    const fields = Object.assign(Object.create(null), { a: 1 });
    const command = validateCommand(open({ fields, team: undefined }));
    expect(command).toEqual(open({ fields: { a: 1 } }));
    expect('team' in command).toBe(false);
  });
});

describe('validateCommand: hostile shapes get a ValidationError with a path', () => {
  it('a 20,000-deep object, refused at the depth bound before the walk goes further', () => {
    const error = refusal(() => validateCommand(withFields(nested(20_000))));
    expect(error.problems[0]!.path).toMatch(/^fields(\.a)+$/);
    expect(error.problems[0]!.message).toContain('nested deeper than 64');
    let deepArray: unknown = [];
    for (let i = 0; i < 20_000; i++) deepArray = [deepArray];
    expect(paths(refusal(() => validateCommand(open({ tags: deepArray })))).at(0)).toMatch(/^tags(\[0\])+$/);
  });

  it('a cycle', () => {
    const fields: Record<string, unknown> = { a: {} };
    (fields.a as Record<string, unknown>).back = fields;
    expect(refusal(() => validateCommand(withFields(fields))).problems[0]!.path).toMatch(/^fields\.a\.back/);
  });

  it('a BigInt, a function, a symbol, NaN and Infinity', () => {
    expect(paths(refusal(() => validateCommand(withFields({ n: 1n }))))).toEqual(['fields.n']);
    expect(paths(refusal(() => validateCommand(withFields({ f: () => 1 }))))).toEqual(['fields.f']);
    expect(paths(refusal(() => validateCommand(withFields({ s: Symbol('x') }))))).toEqual(['fields.s']);
    expect(paths(refusal(() => validateCommand(withFields({ x: [0, Number.NaN] }))))).toEqual([
      'fields.x[1]',
    ]);
    expect(paths(refusal(() => validateCommand(open({ priority: Infinity }))))).toEqual(['priority']);
    expect(paths(refusal(() => validateCommand({ type: 1n })))).toEqual(['type']);
  });

  it('a symbol key or a non-enumerable property is not JSON: left out of the copy, as JSON leaves it', () => {
    const fields = Object.defineProperty({ a: 1, [Symbol('k')]: 2 }, 'hidden', {
      value: 1n,
      enumerable: false,
    });
    const command = validateCommand(withFields(fields));
    expect(command).toEqual(withFields({ a: 1 }));
    expect(Object.getOwnPropertySymbols((command as { fields: object }).fields)).toEqual([]);
  });

  it('a getter, throwing or not, and a setter', () => {
    const throwing = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    expect(paths(refusal(() => validateCommand(withFields(throwing))))).toEqual(['fields.x']);
    let ran = false;
    const quiet = Object.defineProperty(open(), 'subject', {
      enumerable: true,
      get() {
        ran = true;
        return 'Printer';
      },
    });
    expect(paths(refusal(() => validateCommand(quiet)))).toEqual(['subject']);
    expect(ran).toBe(false); // the getter was never run
    const setter = Object.defineProperty({}, 'x', { enumerable: true, set() {} });
    expect(paths(refusal(() => validateCommand(withFields(setter))))).toEqual(['fields.x']);
  });

  it('a toJSON, a Date, a Map, a boxed string and a class instance', () => {
    expect(paths(refusal(() => validateCommand(withFields({ toJSON: () => ({}) }))))).toEqual([
      'fields.toJSON',
    ]);
    expect(refusal(() => validateCommand(withFields({ at: new Date(0) }))).problems[0]!.message).toContain(
      'toISOString',
    );
    expect(paths(refusal(() => validateCommand(withFields({ m: new Map() }))))).toEqual(['fields.m']);
    expect(paths(refusal(() => validateCommand(open({ subject: new String('x') }))))).toEqual(['subject']);
    class Point {
      x = 1;
    }
    const error = refusal(() => validateCommand(withFields({ p: new Point() })));
    expect(error.problems[0]).toEqual({ path: 'fields.p', message: expect.stringContaining('Point') });
    class Cmd {
      type = 'changeStatus';
      ticketId = 'T1';
      status = 'open';
    }
    expect(paths(refusal(() => validateCommand(new Cmd())))).toEqual(['']);
  });

  it('a sparse array and a huge sparse array (refused without walking its length)', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hostile shape under test
    expect(paths(refusal(() => validateCommand(open({ tags: ['a', , 'b'] }))))).toEqual(['tags[1]']);
    const huge = new Array(2 ** 32 - 1);
    const error = refusal(() => validateCommand(open({ tags: huge })));
    expect(paths(error)).toEqual(['tags']);
    expect(error.problems[0]!.message).toContain('at most');
  });

  it('a huge dense array of tags is refused by the size bound', () => {
    const tags = Array.from({ length: 200_000 }, () => 't');
    expect(paths(refusal(() => validateCommand(open({ tags }))))).toEqual(['tags']);
  });

  it('a Proxy whose traps throw, or that is revoked', () => {
    for (const trap of ['ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'get', 'has'] as const) {
      const proxy = new Proxy(
        { a: 1 },
        {
          [trap]() {
            throw new Error(`${trap} trap`);
          },
        },
      );
      const outcome = (() => {
        try {
          return validateCommand(withFields(proxy));
        } catch (error) {
          return error;
        }
      })();
      // A trap the walk never calls (get, has) does no harm: the copy is plain, from descriptors.
      if (outcome instanceof ValidationError) expect(paths(outcome)[0]).toMatch(/^fields/);
      else expect(outcome).toEqual(withFields({ a: 1 }));
    }
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(paths(refusal(() => validateCommand(withFields(proxy))))).toEqual(['fields']);
    const root = Proxy.revocable(open(), {});
    root.revoke();
    refusal(() => validateCommand(root.proxy));
  });

  it('a Proxy that lies in ownKeys or getOwnPropertyDescriptor', () => {
    // ownKeys lists a key the target does not have: left out, as JSON does.
    const phantom = new Proxy({ a: 1 }, { ownKeys: () => ['a', 'ghost'] });
    expect(validateCommand(withFields(phantom))).toEqual(withFields({ a: 1 }));
    // ownKeys with a duplicate breaks a Proxy invariant: the engine's TypeError becomes ours.
    const dup = new Proxy({ a: 1 }, { ownKeys: () => ['a', 'a'] });
    expect(paths(refusal(() => validateCommand(withFields(dup))))).toEqual(['fields']);
    // `get` lies while the descriptor holds the truth: the copy is built from descriptors only.
    const lyingGet = new Proxy(open(), { get: (t, key) => (key === 'subject' ? 1n : Reflect.get(t, key)) });
    expect(validateCommand(lyingGet)).toEqual(open());
    // A descriptor that changes on every read: what was read is what was checked and is kept.
    let calls = 0;
    const shifty = new Proxy(open(), {
      getOwnPropertyDescriptor(target, key) {
        const d = Reflect.getOwnPropertyDescriptor(target, key);
        return key === 'subject' && d ? { ...d, value: ['Printer', 1n][calls++ % 2] } : d;
      },
    });
    for (let i = 0; i < 4; i++) {
      try {
        const command = validateCommand(shifty);
        expect(command).toEqual(open());
        expect(JSON.parse(JSON.stringify(command))).toEqual(command);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect(paths(error as ValidationError)).toEqual(['subject']);
      }
    }
    // A descriptor that claims an accessor.
    const accessor = new Proxy(
      { a: 1 },
      { getOwnPropertyDescriptor: () => ({ get: () => 1, enumerable: true, configurable: true }) },
    );
    refusal(() => validateCommand(withFields(accessor)));
    // A Proxy that claims to be a plain object while wrapping a Date is read as its own data only.
    const disguised = new Proxy(new Date(0), { getPrototypeOf: () => Object.prototype });
    expect(validateCommand(withFields({ d: disguised }))).toEqual(withFields({ d: {} }));
  });

  it('huge strings and keys never end up whole in an error message', () => {
    const huge = 'x'.repeat(10_000_000);
    for (const input of [
      { type: huge },
      open({ priority: huge }),
      open({ [huge]: 1 }),
      open({ requester: { id: 'c', email: huge } }),
      withFields({ [huge]: 1 }),
    ]) {
      expect(refusal(() => validateCommand(input)).message.length).toBeLessThan(5000);
    }
  });

  it('respects the limits it is given for the size bound', () => {
    const limits = { ...DEFAULT_LIMITS, maxFieldsBytes: 1024 * 1024 };
    const fields = { list: Array.from({ length: 150_000 }, () => 0) };
    expect(paths(refusal(() => validateCommand(withFields(fields))))).toEqual(['fields.list']);
    expect(validateCommand(withFields(fields), limits)).toEqual(withFields(fields));
  });
});

describe('validateCommand: attachments and lists', () => {
  const file = { filename: 'a.txt', contentType: 'text/plain', size: 3 };
  const blob = { id: 'b1', size: 3, contentType: 'text/plain' };

  it('accepts an attachment with a blob reference, a content id and inline', () => {
    const attachments = [{ ...file, blob, contentId: 'img1@x', inline: true }];
    expect(validateCommand(open({ attachments }))).toEqual(open({ attachments }));
  });

  it('checks the blob reference the desk will look up, and refuses unknown attachment keys', () => {
    const bad = [
      { ...file, blob: 'b1' },
      { ...file, blob: { id: 7, size: 3, contentType: 'text/plain' } },
      { ...file, blob: { id: 'b1', size: -1, contentType: 'text/plain' } },
      { ...file, blob: { ...blob, sha256: 5 } },
      { ...file, inline: 'yes' },
      { ...file, contentId: '' },
      { ...file, path: '/etc/passwd' },
    ];
    const error = refusal(() => validateCommand(open({ attachments: bad })));
    expect(paths(error)).toEqual([
      'attachments[0].blob',
      'attachments[1].blob.id',
      'attachments[2].blob.size',
      'attachments[3].blob.sha256',
      'attachments[4].inline',
      'attachments[5].contentId',
      'attachments[6].path',
    ]);
  });

  it('says a list is too long once, not once per item, and lists at most 100 problems', () => {
    const tags = Array.from({ length: 5000 }, () => 7);
    expect(paths(refusal(() => validateCommand(open({ tags }))))).toEqual(['tags']);
    const fields = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`${'k'.repeat(101)}${i}`, 1]));
    const error = refusal(() => validateCommand(withFields(fields)));
    expect(error.problems).toHaveLength(101);
    expect(error.problems.at(-1)).toEqual({ path: '', message: 'and 400 more problems' });
  });
});
