import { describe, expect, it } from 'vitest';
import { createHelpdesk } from './desk';
import { ConfigError } from './errors';
import type { Extension, ExtensionContext } from './extension';
import { DEFAULT_LIMITS } from './validate';

describe('extensions at createHelpdesk', () => {
  it('two extensions that provide the same capability are a ConfigError naming both', () => {
    const rulesAck: Extension = { name: 'rules', provides: ['acknowledgement'] };
    const mailAck: Extension = { name: 'email', provides: ['acknowledgement', 'inbound'] };
    const error = (() => {
      try {
        createHelpdesk({ extensions: [rulesAck, mailAck] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/rules and email both provide "acknowledgement"/);
    expect(() =>
      createHelpdesk({ extensions: [rulesAck, { name: 'email', provides: ['inbound'] }] }),
    ).not.toThrow();
  });

  it('init sees the workflows, and a ConfigError it throws comes out of createHelpdesk', () => {
    const strict: Extension = {
      name: 'strict',
      init(ctx) {
        if (!ctx.workflows.default.hasStatus('pendin'))
          throw new ConfigError([{ path: 'strict.pauseIn[0]', message: 'unknown status "pendin"' }]);
      },
    };
    expect(() => createHelpdesk({ extensions: [strict] })).toThrow(ConfigError);
  });

  it("init sees the desk's limits: the options over the defaults, frozen", () => {
    const seen: ExtensionContext['limits'][] = [];
    const probe: Extension = { name: 'probe', init: (ctx) => void seen.push(ctx.limits) };
    createHelpdesk({ extensions: [probe], limits: { maxSubjectLength: 80 } });
    createHelpdesk({ extensions: [probe] });
    expect(seen[0]).toEqual({ ...DEFAULT_LIMITS, maxSubjectLength: 80 });
    expect(seen[1]).toEqual(DEFAULT_LIMITS);
    expect(Object.isFrozen(seen[0])).toBe(true);
  });
});

describe('createHelpdesk options', () => {
  it('a misspelt option is a ConfigError naming it, checked before anything is built', () => {
    expect(() => createHelpdesk({ extentions: [] } as never)).toThrow(
      /createHelpdesk\.extentions.*did you mean extensions/,
    );
    expect(() => createHelpdesk({ clock: (() => new Date()) as never })).toThrow(ConfigError);
  });
});
