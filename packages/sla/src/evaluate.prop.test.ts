import type { Actor, StoredEvent } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { evaluateSla } from './evaluate';
import type { SlaPolicy } from './policy';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const day: [string, string][] = [
  ['08:00', '12:00'],
  ['13:00', '17:00'],
];
const calendars = {
  office: businessCalendar({
    timeZone: 'Europe/Berlin',
    week: { mon: day, tue: day, wed: day, thu: day, fri: day },
    holidays: ['2026-05-01', '2026-05-14'],
  }),
};
const policy: SlaPolicy = {
  id: 'p',
  calendar: 'office',
  targets: {
    firstReply: 60,
    nextReply: 120,
    periodicUpdate: 240,
    resolution: 960,
    reachStatus: { status: 'on_hold', within: 180 },
  },
  pauseIn: ['pending'],
  warnBefore: 30,
};

type Step = 'reply' | 'customer' | 'note' | 'pending' | 'open' | 'on_hold' | 'solved';
const categories: Record<string, string> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  on_hold: 'on_hold',
  solved: 'solved',
};

/** A plausible ticket history: opened by mail, then steps minutes apart. */
const historyArb = fc
  .tuple(
    fc.integer({ min: Date.parse('2026-03-02T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') }),
    fc.array(
      fc.tuple(
        fc.constantFrom<Step>('reply', 'customer', 'note', 'pending', 'open', 'on_hold', 'solved'),
        fc.integer({ min: 0, max: 3 * 1440 }),
      ),
      { maxLength: 12 },
    ),
  )
  .map(([opened, steps]) => {
    const events: StoredEvent[] = [];
    let at = Math.floor(opened / 1000) * 1000;
    let status = 'new';
    const push = (type: string, data: unknown, actor: Actor) =>
      events.push({
        type,
        data,
        eventId: `e${events.length + 1}`,
        streamId: 'ticket-t',
        version: events.length + 1,
        position: String(events.length + 1).padStart(6, '0'),
        occurredAt: new Date(at).toISOString(),
        actor,
        schemaVersion: 1,
      } as StoredEvent);
    const message = (author: Actor, visibility: 'public' | 'internal') =>
      push(
        'MessagePosted',
        {
          messageId: `m${events.length}`,
          author,
          visibility,
          body: 'b',
          channel: 'email',
          attachments: [],
        },
        author,
      );
    const move = (to: string, actor: Actor) => {
      if (to === status) return;
      push(
        'StatusChanged',
        { from: status, to, fromCategory: categories[status], category: categories[to], reason: 'manual' },
        actor,
      );
      status = to;
    };
    push(
      'TicketOpened',
      {
        ticketId: 't',
        number: 1,
        subject: 's',
        channel: 'email',
        requester: { id: 'c1' },
        workflowId: 'default',
        status: 'new',
        category: 'new',
        priority: 'normal',
        tags: [],
        fields: {},
      },
      customer,
    );
    message(customer, 'public');
    for (const [step, minutes] of steps) {
      at += minutes * 60_000;
      if (step === 'reply') message(agent, 'public');
      else if (step === 'note') message(agent, 'internal');
      else if (step === 'customer') {
        message(customer, 'public');
        if (status === 'pending' || status === 'solved') move('open', customer);
      } else move(step, agent);
    }
    return { events, last: at };
  });

describe('evaluateSla laws', { timeout: 120_000 }, () => {
  it('a breach, once it happened, stays with the same instant however much later one looks', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 20 * 1440 }), ({ events, last }, later) => {
        const at = (t: number) => evaluateSla(events, [policy], calendars, new Date(t));
        const first = at(last);
        expect(first.policyId).toBe('p');
        const second = at(last + later * 60_000);
        for (const m of first.metrics) {
          if (m.status !== 'breached') continue;
          const again = second.metrics.find((n) => n.metric === m.metric);
          expect(again).toMatchObject({ status: 'breached', breachedAt: m.breachedAt });
        }
        if (first.breached) expect(second.breached).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('a running metric breaches right after its deadline, and only then, unless it stops first', () => {
    let deadlines = 0;
    fc.assert(
      fc.property(historyArb, ({ events, last }) => {
        const now = evaluateSla(events, [policy], calendars, new Date(last));
        for (const m of now.metrics) {
          if (m.status !== 'active' || m.deadline === undefined) continue;
          deadlines++;
          const deadline = Date.parse(m.deadline);
          const look = (t: number) =>
            evaluateSla(events, [policy], calendars, new Date(t)).metrics.find((n) => n.metric === m.metric);
          expect(look(deadline)?.status).toBe('active');
          expect(look(deadline + 1)).toMatchObject({ status: 'breached', breachedAt: m.deadline });
          // At the deadline exactly the whole budget is used.
          expect(look(deadline)?.usedMs).toBe(m.target * 60_000);
        }
      }),
      { numRuns: 200 },
    );
    expect(deadlines).toBeGreaterThan(50); // the law was really exercised
  });

  it('working time used never exceeds the working time since the start, and a paused metric has no deadline', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 5 * 1440 }), ({ events, last }, later) => {
        const now = new Date(last + later * 60_000);
        const result = evaluateSla(events, [policy], calendars, now);
        expect(result.policyId).toBe('p');
        expect(result.metrics.length).toBeGreaterThanOrEqual(4);
        for (const m of result.metrics) {
          const end = m.achievedAt ?? now.toISOString();
          expect(m.usedMs).toBeLessThanOrEqual(
            calendars.office.workingTimeBetween(new Date(m.start), new Date(end)),
          );
          expect(m.usedMs).toBeGreaterThanOrEqual(0);
          if (m.status === 'paused') expect(m.deadline).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });
});
