import { type Actor, createHelpdesk, fold, type Helpdesk, inMemoryStore, type Store } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { automationPeriods } from './episodes';
import { firingKey, isArmed } from './firing';
import { classics, defineRules, rules } from './index';
import type { CompiledRule } from './rule-model';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const admin: Actor = { kind: 'admin', id: 'admin' };
const DAY = 86_400_000;
const start = Date.parse('2026-03-02T09:00:00.000Z');
const open = (i: number) =>
  ({
    type: 'openTicket',
    channel: 'api',
    requester: { id: 'c1' },
    subject: `s${i}`,
    body: 'b',
  }) as const;

describe('an automation due on several tickets at once', () => {
  it('when five solved tickets are due for autoCloseSolved, then one tick closes all five', async () => {
    let now = start;
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      extensions: [rules(defineRules({ automations: [classics.autoCloseSolved({ days: 1 })] }))],
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { ticket } = await desk.execute(open(i), { actor: customer });
      await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
      ids.push(ticket.id);
    }
    now += 2 * DAY;
    expect(await desk.tick()).toMatchObject({ due: 5 });
    const statuses = await Promise.all(ids.map(async (id) => (await desk.get(id, { actor: admin })).status));
    expect(statuses).toEqual(['closed', 'closed', 'closed', 'closed', 'closed']);
  });
});

/**
 * A view of the store as of an older read: each ticket stream looks as it was at `versions` until
 * the desk first appends to it, as to a process that read it just before another one wrote.
 */
function readBefore(store: Store, versions: Map<string, number>): Store {
  const written = new Set<string>();
  return {
    ...store,
    events: {
      ...store.events,
      readStream: async (streamId, options) => {
        const events = await store.events.readStream(streamId, options);
        const cut = versions.get(streamId);
        return cut !== undefined && !written.has(streamId) ? events.filter((e) => e.version <= cut) : events;
      },
      append: (streamId, events, options) => {
        written.add(streamId);
        return store.events.append(streamId, events, options);
      },
    },
  };
}

describe('two desks on one store ticking the same instant', () => {
  it('when they decide one firing on different versions of each ticket, then each automation acts once per ticket', async () => {
    const store = inMemoryStore();
    let now = start;
    const definition = () =>
      defineRules({
        templates: { nudge: 'Still waiting on you?' },
        automations: [classics.pendingReminder({ hours: 24, note: 'nudge' })],
      });
    const first = createHelpdesk({
      store,
      clock: { now: () => new Date(now) },
      extensions: [rules(definition())],
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { ticket } = await first.execute(open(i), { actor: customer });
      await first.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
      ids.push(ticket.id);
    }
    now += 2 * DAY;
    // The second desk read every ticket before the first desk added an unrelated note to each, so
    // the two decide the same firing on different versions (the old `@<version>` keys differed).
    const versions = new Map<string, number>();
    for (const id of ids) {
      const { ticket } = await first.execute(
        { type: 'postMessage', ticketId: id, body: 'checked the logs', visibility: 'internal' },
        { actor: agent },
      );
      versions.set(`ticket-${id}`, ticket.version - 1);
    }
    const second = createHelpdesk({
      store: readBefore(store, versions),
      clock: { now: () => new Date(now) },
      extensions: [rules(definition())],
    });
    await Promise.all([first.tick(), second.tick()]);
    for (const id of ids) {
      const { events } = await first.history(id, { actor: admin });
      const fired = events.filter((e) => e.ruleId === 'pending-reminder');
      expect(fired.map((e) => e.type)).toEqual(['MessagePosted']);
    }
  });
});

/** The episode a firing decided on the ticket at `version` (default: its latest) names, from its history. */
async function episodeOf(desk: Helpdesk, rule: CompiledRule, id: string, now: number, version?: number) {
  const { events } = await desk.history(id, { actor: admin });
  const upTo = version === undefined ? events : events.filter((e) => e.version <= version);
  const periods = automationPeriods([rule], false);
  for (const [i, e] of upTo.entries()) periods.step(fold(upTo.slice(0, i + 1))!, e);
  return periods.episode(rule, fold(upTo)!, new Date(now));
}

describe('the episode of a firing', () => {
  it('names the instant at which the condition became true and which run that is, the same before and after an unrelated change', async () => {
    let now = start;
    const defined = defineRules({ automations: [classics.autoCloseSolved({ days: 1 })] });
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      extensions: [rules(defined)],
    });
    const { ticket } = await desk.execute(open(0), { actor: customer });
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
    const solved = await desk.get(ticket.id, { actor: admin });
    now += DAY + 3_600_000;
    await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'note', visibility: 'internal' },
      { actor: agent },
    );
    const noted = await desk.get(ticket.id, { actor: admin });
    const [rule] = defined.automations;
    const at = new Date(start + 2 * DAY);
    const expected = `${new Date(start + DAY).toISOString()}/1`;
    expect(await episodeOf(desk, rule!, ticket.id, at.getTime(), noted.version)).toBe(expected);
    expect(await episodeOf(desk, rule!, ticket.id, at.getTime(), solved.version)).toBe(expected);
    expect(firingKey('auto-close-solved', ticket.id, expected, 0)).toBe(
      `rules:auto-close-solved:${ticket.id}@${expected}#0`,
    );
  });

  it('starts a new episode when the condition was false in between, even within one millisecond', async () => {
    const defined = defineRules({
      templates: { n: 'n' },
      automations: [
        {
          id: 'watch',
          when: {
            all: [
              { field: 'tags', op: 'contains', value: 'watch' },
              { hoursSince: 'created', gte: 0 },
            ],
          },
          then: [{ type: 'note', template: 'n' }],
        },
      ],
    });
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(start) },
      extensions: [rules(defined)],
    });
    const { ticket } = await desk.execute({ ...open(0), tags: ['watch'] }, { actor: customer });
    const [rule] = defined.automations;
    const before = await episodeOf(desk, rule!, ticket.id, start);
    await desk.execute({ type: 'untag', ticketId: ticket.id, tags: ['watch'] }, { actor: agent });
    await desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['watch'] }, { actor: agent });
    const after = await episodeOf(desk, rule!, ticket.id, start);
    // True from the opening; untagged and tagged again in the same millisecond: the second run.
    expect(before).toBe(`${new Date(start).toISOString()}/1`);
    expect(after).toBe(`${new Date(start).toISOString()}/2`);
  });

  it('is worked out from the history, and whether it is armed is kept in the rules slice, which a customer does not see', async () => {
    const defined = defineRules({
      templates: { n: 'n' },
      automations: [
        {
          id: 'watch',
          when: {
            all: [
              { field: 'tags', op: 'contains', value: 'watch' },
              { hoursSince: 'created', gte: 1 },
            ],
          },
          then: [{ type: 'note', template: 'n' }],
        },
      ],
    });
    const [rule] = defined.automations;
    let now = start;
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date(now) },
      extensions: [rules(defined)],
    });
    const { ticket } = await desk.execute({ ...open(0), tags: ['watch'] }, { actor: customer });
    expect(isArmed(rule!, await desk.get(ticket.id, { actor: admin }))).toBe(true);
    now += 2 * 3_600_000;
    await desk.tick();
    const fired = await desk.get(ticket.id, { actor: admin });
    expect(fired.ext.rules).toMatchObject({ runs: { watch: new Date(now).toISOString() } });
    // Its note left the condition true: not armed until it has been false at a change.
    expect(isArmed(rule!, fired)).toBe(false);
    expect(await episodeOf(desk, rule!, ticket.id, now)).toBe(
      `${new Date(start + 3_600_000).toISOString()}/1`,
    );
    await desk.execute({ type: 'untag', ticketId: ticket.id, tags: ['watch'] }, { actor: agent });
    expect(isArmed(rule!, await desk.get(ticket.id, { actor: admin }))).toBe(true);
    expect((await desk.get(ticket.id, { actor: customer })).ext.rules).toBeUndefined();
  });
});
