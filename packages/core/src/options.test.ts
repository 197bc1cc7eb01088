import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import type { HelpdeskOptions } from './helpdesk';
import { inMemoryStore } from './memory';
import { checkOptions, HELPDESK_OPTION_KEYS, unknownKeys, validateHelpdeskOptions } from './options';
import { defaultPolicy } from './policy';
import { defaultWorkflow } from './workflow';

/** The ConfigError `run` throws; fails the test if it throws anything else or nothing. */
function refusal(run: () => unknown): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

const problemsOf = (options: unknown) => refusal(() => validateHelpdeskOptions(options)).problems;
const pathsOf = (options: unknown) => problemsOf(options).map((p) => p.path);
const messageAt = (options: unknown, path: string) =>
  problemsOf(options).find((p) => p.path === path)?.message;

describe('checkOptions and unknownKeys', () => {
  it('refuse unknown keys with the path and the likely key, and a non-object', () => {
    expect(unknownKeys({ adress: 1, address: 2 }, ['address', 'secret'], 'email')).toEqual([
      { path: 'email.adress', message: 'unknown option; did you mean address? (known: address, secret)' },
    ]);
    expect(refusal(() => checkOptions({ zzz: 1 }, ['address'], 'email')).problems[0]!.path).toBe('email.zzz');
    expect(refusal(() => checkOptions(7, ['address'], 'email')).problems[0]!.path).toBe('email');
    checkOptions(undefined, ['address'], 'email');
  });
});

describe('validateHelpdeskOptions', () => {
  it('accepts no options and every option well formed', () => {
    validateHelpdeskOptions(undefined);
    validateHelpdeskOptions({});
    validateHelpdeskOptions({
      store: inMemoryStore(),
      clock: { now: () => new Date(0) },
      ids: { next: () => 'x' },
      tenantId: 'acme',
      workflows: [defaultWorkflow],
      types: { incident: defaultWorkflow.id },
      policy: defaultPolicy(),
      internalFields: ['cost'],
      customersMayClose: true,
      visibility: 'organization',
      extensions: [{ name: 'x', provides: ['acknowledgement'], react: () => {} }],
      limits: { maxTags: 10 },
      upcasters: { TicketOpened: (e: unknown) => e },
      maxRetries: 0,
      maxCascadeDepth: 3,
      onError: () => {},
    });
  });

  it('lists every option key once, as HelpdeskOptions has them', () => {
    // Type-checked both ways: an option added to HelpdeskOptions without a line in
    // HELPDESK_OPTION_KEYS (or the reverse) fails `tsc` here.
    type Listed = (typeof HELPDESK_OPTION_KEYS)[number];
    const same: [Listed] extends [keyof HelpdeskOptions]
      ? [keyof HelpdeskOptions] extends [Listed]
        ? true
        : false
      : false = true;
    expect(same).toBe(true);
    expect(new Set(HELPDESK_OPTION_KEYS).size).toBe(HELPDESK_OPTION_KEYS.length);
    expect(HELPDESK_OPTION_KEYS).toContain('extensions');
  });

  it('refuses a misspelt option, suggesting the meant one', () => {
    expect(pathsOf({ extentions: [] })).toEqual(['createHelpdesk.extentions']);
    expect(messageAt({ extentions: [] }, 'createHelpdesk.extentions')).toContain('did you mean extensions?');
    expect(pathsOf({ tenant: 'a' })).toEqual(['createHelpdesk.tenant']);
  });

  it('refuses options that are not an object', () => {
    for (const value of [null, 7, 'x', [], () => {}]) expect(pathsOf(value)).toEqual(['createHelpdesk']);
  });

  it('refuses a clock or ids given as a bare function, saying what to pass', () => {
    expect(messageAt({ clock: () => new Date() }, 'createHelpdesk.clock')).toContain(
      'clock must be { now(): Date }',
    );
    expect(messageAt({ ids: () => 'x' }, 'createHelpdesk.ids')).toContain('ids must be { next(): string }');
    expect(pathsOf({ clock: { now: 1 } })).toEqual(['createHelpdesk.clock.now']);
    expect(pathsOf({ clock: new Date() })).toEqual(['createHelpdesk.clock.now']);
  });

  it('checks the store has its four ports and their methods', () => {
    expect(pathsOf({ store: {} }).sort()).toEqual([
      'createHelpdesk.store.blobs',
      'createHelpdesk.store.events',
      'createHelpdesk.store.index',
      'createHelpdesk.store.messages',
    ]);
    const { stat: _, ...blobs } = inMemoryStore().blobs;
    expect(pathsOf({ store: { ...inMemoryStore(), blobs } })).toEqual(['createHelpdesk.store.blobs.stat']);
    expect(pathsOf({ store: 'postgres://' })).toEqual(['createHelpdesk.store']);
  });

  it('checks workflows and that types name them', () => {
    expect(pathsOf({ workflows: defaultWorkflow })).toEqual(['createHelpdesk.workflows']);
    expect(pathsOf({ workflows: [] })).toEqual(['createHelpdesk.workflows']);
    expect(messageAt({ workflows: [defaultWorkflow.definition] }, 'createHelpdesk.workflows[0]')).toContain(
      'defineWorkflow',
    );
    expect(pathsOf({ workflows: [defaultWorkflow, defaultWorkflow] })).toEqual([
      'createHelpdesk.workflows[1].id',
    ]);
    expect(pathsOf({ types: { incident: 'nope' } })).toEqual(['createHelpdesk.types.incident']);
    expect(pathsOf({ types: { incident: 3 } })).toEqual(['createHelpdesk.types.incident']);
    expect(pathsOf({ types: ['a'] })).toEqual(['createHelpdesk.types']);
  });

  it('checks the policy has authorize, canView, redact and scope', () => {
    const { scope: _, ...partial } = defaultPolicy();
    expect(pathsOf({ policy: partial })).toEqual(['createHelpdesk.policy.scope']);
    expect(pathsOf({ policy: { ...defaultPolicy(), redactEvent: 'no' } })).toEqual([
      'createHelpdesk.policy.redactEvent',
    ]);
  });

  it('checks extensions are objects with a name and function hooks', () => {
    expect(pathsOf({ extensions: {} })).toEqual(['createHelpdesk.extensions']);
    expect(pathsOf({ extensions: [() => {}] })).toEqual(['createHelpdesk.extensions[0]']);
    expect(pathsOf({ extensions: [{ name: '' }, { react: 1 }] })).toEqual([
      'createHelpdesk.extensions[0].name',
      'createHelpdesk.extensions[1].name',
      'createHelpdesk.extensions[1].react',
    ]);
    expect(pathsOf({ extensions: [{ name: 'x', provides: 'acknowledgement' }] })).toEqual([
      'createHelpdesk.extensions[0].provides',
    ]);
  });

  it('checks limits are known and positive whole numbers', () => {
    expect(pathsOf({ limits: { maxTag: 3 } })).toEqual(['createHelpdesk.limits.maxTag']);
    expect(messageAt({ limits: { maxTag: 3 } }, 'createHelpdesk.limits.maxTag')).toContain(
      'did you mean maxTags?',
    );
    for (const bad of [0, -1, 1.5, Number.NaN, '10', Number.POSITIVE_INFINITY]) {
      expect(pathsOf({ limits: { maxTags: bad } })).toEqual(['createHelpdesk.limits.maxTags']);
    }
  });

  it('checks numbers, functions, flags and the tenant id', () => {
    for (const bad of [-1, 1.5, '8', Number.NaN]) {
      expect(pathsOf({ maxRetries: bad, maxCascadeDepth: bad }).sort()).toEqual([
        'createHelpdesk.maxCascadeDepth',
        'createHelpdesk.maxRetries',
      ]);
    }
    expect(pathsOf({ onError: 'log' })).toEqual(['createHelpdesk.onError']);
    expect(pathsOf({ upcasters: { TicketOpened: {} } })).toEqual(['createHelpdesk.upcasters.TicketOpened']);
    expect(pathsOf({ customersMayClose: 'yes' })).toEqual(['createHelpdesk.customersMayClose']);
    expect(pathsOf({ visibility: 'everyone' })).toEqual(['createHelpdesk.visibility']);
    expect(pathsOf({ internalFields: 'cost' })).toEqual(['createHelpdesk.internalFields']);
    expect(pathsOf({ internalFields: ['cost', ''] })).toEqual(['createHelpdesk.internalFields[1]']);
    for (const bad of ['', '  ', 'a/b', 7, 'x'.repeat(201)]) {
      expect(pathsOf({ tenantId: bad })).toEqual(['createHelpdesk.tenantId']);
    }
    expect(messageAt({ tenantId: 'a/b' }, 'createHelpdesk.tenantId')).toContain("'/'");
  });

  it('throws only ConfigError for hostile options: throwing getters and Proxy traps', () => {
    const throwing = Object.defineProperty({}, 'store', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    expect(pathsOf(throwing)).toEqual(['createHelpdesk.store']);
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(pathsOf(trap)).toEqual(['createHelpdesk']);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    refusal(() => validateHelpdeskOptions(proxy));
    refusal(() => validateHelpdeskOptions({ extensions: proxy }));
    refusal(() => validateHelpdeskOptions({ store: { events: proxy } }));
    const hostilePort = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
      },
    );
    refusal(() => validateHelpdeskOptions({ store: hostilePort, policy: hostilePort, limits: hostilePort }));
  });
});

describe('validateHelpdeskOptions on huge options', () => {
  it('does bounded work for a huge sparse array and lists at most 100 problems', () => {
    const huge = new Array(2 ** 32 - 1);
    for (const key of ['workflows', 'extensions', 'internalFields']) {
      expect(problemsOf({ [key]: huge }).length).toBeLessThanOrEqual(101);
    }
    expect(problemsOf({ types: { a: 'x' }, workflows: huge }).length).toBeLessThanOrEqual(101);
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 1]));
    const problems = problemsOf({ limits: many });
    expect(problems).toHaveLength(101);
    expect(problems.at(-1)).toEqual({ path: 'createHelpdesk', message: 'and 1900 more problems' });
  });
});

describe('unknownKeys on a huge key', () => {
  it('shows only the start of the key and does not search for a typo', () => {
    const [problem] = unknownKeys({ ['x'.repeat(1_000_000)]: 1 }, ['store'], 'createHelpdesk');
    expect(problem!.path.length).toBeLessThan(150);
    expect(problem!.message).not.toContain('did you mean');
  });
});
