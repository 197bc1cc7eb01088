import { createHelpdesk, inMemoryStore } from '@tessera/core';
import { classics, defineRules, rules } from '@tessera/rules';
import { businessCalendar, sla } from '@tessera/sla';
import { describe, expect, it } from 'vitest';
import { expectTickedOnce, seedTicking, tickingScenario } from './ticking';

const office = businessCalendar({
  timeZone: 'Europe/Berlin',
  week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:00', '18:00']]])),
});

function tickingDesk() {
  let now = tickingScenario.start;
  const store = inMemoryStore();
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    extensions: [
      sla({ calendars: { office }, policies: [tickingScenario.policy] }),
      rules(
        defineRules({
          automations: [
            classics.autoCloseSolved({ days: 1 }),
            classics.pendingReminder({ hours: 24, note: 'reminder' }),
            classics.pendingReminder({ hours: 24, note: 'nudge', id: 'pending-nudge' }),
          ],
          templates: { reminder: tickingScenario.reminder, nudge: tickingScenario.nudge },
        }),
      ),
    ],
  });
  return { desk, store, setNow: (at: Date) => (now = at) };
}

describe('the ticking scenario', () => {
  it('makes each firing due once when ticked, and its check fails on a firing twice or never', async () => {
    const { desk, store, setNow } = tickingDesk();
    const tickets = await seedTicking(desk, 2);
    // Before any tick, nothing has fired: the check must say so.
    await expect(expectTickedOnce(desk, tickets)).rejects.toThrow();
    for (const at of tickingScenario.times) {
      setNow(at);
      await desk.tick(at);
      await desk.tick(at);
    }
    await expectTickedOnce(desk, tickets);
    // A second warning on one open ticket (as a second process deciding apart would append) fails it.
    const [warning] = (
      await desk.history(tickets.open[0]!, { actor: { kind: 'admin', id: 'x' } })
    ).events.filter((e) => (e.type as string) === 'SlaWarning');
    const { streamId, version, position, ...again } = warning!;
    await store.events.append(streamId, [{ ...again, eventId: `${again.eventId}-again` }], {
      expectedVersion: 'any',
    });
    await expect(expectTickedOnce(desk, tickets)).rejects.toThrow();
  }, 60_000);
});
