import { ConfigError, createHelpdesk, inMemoryStore } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { sla } from './extension';

describe('sla(), given any value anywhere in its options', { timeout: 120_000 }, () => {
  const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });
  const base = () => ({
    calendars: { cal },
    policies: [
      {
        id: 'p',
        when: { field: 'priority', op: 'is', value: 'urgent' },
        calendar: 'cal',
        targets: { firstReply: 60, reachStatus: { status: 'open', within: 30, orLater: ['solved'] } },
        pauseIn: ['pending'],
        warnBefore: 10,
      },
    ],
  });
  const paths: (string | number)[][] = [
    ['calendars'],
    ['calendars', 'cal'],
    ['policies'],
    ['policies', 0],
    ['policies', 0, 'id'],
    ['policies', 0, 'when'],
    ['policies', 0, 'calendar'],
    ['policies', 0, 'targets'],
    ['policies', 0, 'targets', 'firstReply'],
    ['policies', 0, 'targets', 'reachStatus'],
    ['policies', 0, 'targets', 'reachStatus', 'status'],
    ['policies', 0, 'targets', 'reachStatus', 'orLater'],
    ['policies', 0, 'pauseIn'],
    ['policies', 0, 'pauseIn', 0],
    ['policies', 0, 'warnBefore'],
  ];

  it('installs in a desk or throws a ConfigError, never another error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything({ withNullPrototype: true }), (path, value) => {
        const options = base() as Record<string | number, unknown>;
        let at = options;
        for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
        at[path.at(-1)!] = value;
        try {
          createHelpdesk({ store: inMemoryStore(), extensions: [sla(options as never)] });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
