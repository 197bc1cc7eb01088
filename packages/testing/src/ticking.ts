import type { Actor, Helpdesk, StoredEvent } from '@tessera/core';
import { expect } from 'vitest';

/** The tickets of the ticking scenario, by what each one is due for. */
export interface TickingTickets {
  /** Solved at the start: an auto-close (`classics.autoCloseSolved({ days: 1 })`) is due. */
  solved: string[];
  /**
   * Pending at the start: two notes are due at the same instant, a reminder
   * (`classics.pendingReminder({ hours: 24 })`) and a nudge (the same under `id: 'pending-nudge'`).
   * Whichever process posts one first moves the ticket on, so processes decide the other on
   * different versions: each must still be posted once.
   */
  pending: string[];
  /** Open and unanswered: an SLA first-reply warning and then a breach are due. */
  open: string[];
}

const agent: Actor = { kind: 'agent', id: 'ticking-agent', name: 'Agent' };
const admin: Actor = { kind: 'admin', id: 'ticking-admin' };

/**
 * A scenario for several processes ticking one store at once: tickets each due for exactly one
 * firing of each kind, and the instants to tick at. `start` is a Monday 09:00 in Berlin; with a
 * first-reply target of 120 working minutes and a 30-minute warning (an office calendar of 08:00–18:00
 * Berlin, Monday to Friday), the warning falls due before `times[0]` and the breach before
 * `times[1]`; `times[2]` and `times[3]` are more than a day later, when the auto-close and the
 * reminder are due (and still true, so a second firing would show).
 */
export const tickingScenario = {
  start: new Date('2026-11-02T08:00:00.000Z'),
  times: [
    new Date('2026-11-02T09:40:00.000Z'),
    new Date('2026-11-02T10:20:00.000Z'),
    new Date('2026-11-05T09:00:00.000Z'),
    new Date('2026-11-05T10:00:00.000Z'),
  ],
  /** The first-reply SLA policy the scenario expects (give it an `office` calendar as above). */
  policy: { id: 'first-reply', calendar: 'office', targets: { firstReply: 120 }, warnBefore: 30 },
  /** The text of the reminder note the scenario expects. */
  reminder: 'Still waiting on the customer',
  /** The text of the second note due at the same instant (automation id `pending-nudge`). */
  nudge: 'Nudge the customer',
};

/**
 * Opens `perGroup` tickets of each group on a desk whose clock reads `tickingScenario.start`.
 *
 * @example
 * const tickets = await seedTicking(desk, 15);
 */
export async function seedTicking(desk: Helpdesk, perGroup: number): Promise<TickingTickets> {
  const tickets: TickingTickets = { solved: [], pending: [], open: [] };
  for (let i = 0; i < perGroup * 3; i++) {
    const customer: Actor = { kind: 'customer', id: `ticking-c${i}`, name: `Customer ${i}` };
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'portal',
        requester: { id: customer.id },
        subject: `S${i}`,
        body: 'help',
      },
      { actor: customer },
    );
    const group = (['solved', 'pending', 'open'] as const)[i % 3]!;
    tickets[group].push(ticket.id);
    if (group === 'open') continue;
    // Answered in time: no SLA event is due on these.
    await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
      { actor: agent },
    );
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: group }, { actor: agent });
  }
  return tickets;
}

const notes = (events: StoredEvent[], text: string) =>
  events.filter(
    (e) =>
      e.type === 'MessagePosted' &&
      (e.data as { author: Actor }).author.kind === 'automation' &&
      (e.data as { body: string }).body.includes(text),
  ).length;

/**
 * Asserts that every firing the scenario makes due appears exactly once in each ticket's history,
 * however many processes ticked: one auto-close per solved ticket, one reminder and one nudge per
 * pending ticket, one SLA warning and one breach per open ticket, and none of them anywhere else.
 *
 * @example
 * const tickets = await seedTicking(desk, 15);
 * // each process, on the same store: a desk of its own, ticking at the scenario's instants
 * for (const at of tickingScenario.times) await desk.tick(at);
 * await expectTickedOnce(desk, tickets);
 */
export async function expectTickedOnce(desk: Helpdesk, tickets: TickingTickets): Promise<void> {
  const count = (events: StoredEvent[]) => ({
    closes: events.filter(
      (e) => e.type === 'StatusChanged' && (e.data as { category: string }).category === 'closed',
    ).length,
    reminders: notes(events, tickingScenario.reminder),
    nudges: notes(events, tickingScenario.nudge),
    // SLA's own event types: core's event union does not name them.
    warnings: events.filter((e) => (e.type as string) === 'SlaWarning').length,
    breaches: events.filter((e) => (e.type as string) === 'SlaBreached').length,
  });
  const expected = {
    solved: { closes: 1, reminders: 0, nudges: 0, warnings: 0, breaches: 0 },
    pending: { closes: 0, reminders: 1, nudges: 1, warnings: 0, breaches: 0 },
    open: { closes: 0, reminders: 0, nudges: 0, warnings: 1, breaches: 1 },
  };
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const group of ['solved', 'pending', 'open'] as const) {
    for (const id of tickets[group]) {
      const { events } = await desk.history(id, { actor: admin });
      got[`${group} ${id}`] = count(events);
      want[`${group} ${id}`] = expected[group];
    }
  }
  // One comparison over every ticket, so a failure lists each ticket that fired twice or never.
  expect(got).toEqual(want);
}
