import { type Actor, type Command, createHelpdesk, inMemoryStore, type StoredEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { backtestSla, evaluateSla } from './evaluate';
import type { SlaPolicy } from './policy';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

const weekdays = (from: string, to: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [[from, to]]])) as Record<
    string,
    [string, string][]
  >;
const everyDay = (from: string, to: string) =>
  Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [[from, to]]]),
  ) as Record<string, [string, string][]>;

/** Runs commands at given instants and returns the ticket's log. */
async function history(
  steps: [string, Command | ((id: string) => Command), Actor][],
): Promise<StoredEvent[]> {
  let now = new Date(steps[0]![0]);
  const desk = createHelpdesk({ store: inMemoryStore(), clock: { now: () => now } });
  let id = '';
  for (const [at, cmd, actor] of steps) {
    now = new Date(at);
    const command = typeof cmd === 'function' ? cmd(id) : cmd;
    const r = await desk.execute(command, { actor });
    id ||= r.ticket.id;
  }
  return (await desk.history(id, { actor: { kind: 'admin', id: 'admin' } })).events;
}

const open = (priority: 'normal' | 'urgent' = 'normal', channel: 'email' | 'phone' = 'email'): Command => ({
  type: 'openTicket',
  channel,
  requester: { id: 'c1' },
  subject: 'Help',
  body: 'Please',
  priority,
});
const status =
  (s: string) =>
  (id: string): Command => ({ type: 'changeStatus', ticketId: id, status: s });
const reply = (id: string): Command => ({
  type: 'postMessage',
  ticketId: id,
  body: 'Answer',
  visibility: 'public',
});
const customerSays = (id: string): Command => ({
  type: 'postMessage',
  ticketId: id,
  body: 'More',
  visibility: 'public',
});

describe('Zammad reference cases', () => {
  it('first reply, next reply and resolution deadlines from a ticket opened by mail', async () => {
    const berlin = businessCalendar({ timeZone: 'Europe/Berlin', week: weekdays('08:00', '18:00') });
    const policy: SlaPolicy = {
      id: 'zammad',
      calendar: 'berlin',
      targets: { firstReply: 60, nextReply: 120, resolution: 180 },
    };
    const events = await history([['2013-03-21T09:30:00Z', open(), customer]]);
    const result = evaluateSla(events, [policy], { berlin }, new Date('2013-03-21T09:35:00Z'));
    const due = Object.fromEntries(result.metrics.map((m) => [m.metric, m.deadline]));
    expect(due).toEqual({
      firstReply: '2013-03-21T10:30:00.000Z',
      nextReply: '2013-03-21T11:30:00.000Z',
      resolution: '2013-03-21T12:30:00.000Z',
    });
    expect(result.nextDeadline).toBe('2013-03-21T10:30:00.000Z');
  });

  it('pending and on-hold time do not count when both pause', async () => {
    const cal = businessCalendar({ timeZone: 'Europe/Berlin', week: everyDay('09:00', '18:00') });
    const policy: SlaPolicy = {
      id: 'p',
      calendar: 'cal',
      targets: { firstReply: 120 },
      pauseIn: ['pending', 'on_hold'],
    };
    const events = await history([
      ['2013-06-04T09:00:00Z', open(), customer],
      ['2013-06-04T09:30:00Z', status('pending'), agent],
      ['2013-06-04T09:45:00Z', status('open'), agent],
      ['2013-06-04T10:00:00Z', status('on_hold'), agent],
      ['2013-06-04T10:30:00Z', status('open'), agent],
    ]);
    const [firstReply] = evaluateSla(events, [policy], { cal }, new Date('2013-06-04T10:31:00Z')).metrics;
    expect(firstReply).toMatchObject({
      metric: 'firstReply',
      status: 'active',
      deadline: '2013-06-04T11:45:00.000Z',
      usedMs: 46 * 60_000,
    });
    const paused = evaluateSla(events, [policy], { cal }, new Date('2013-06-04T10:10:00Z')).metrics[0];
    expect(paused).toMatchObject({ status: 'paused', usedMs: 45 * 60_000 });
    expect(paused?.deadline).toBeUndefined();
  });
});

describe('policies and metrics', () => {
  const cal = businessCalendar({ timeZone: 'UTC', week: everyDay('00:00', '24:00') });
  const calendars = { cal };
  const urgent: SlaPolicy = {
    id: 'urgent',
    when: { field: 'priority', op: 'is', value: 'urgent' },
    calendar: 'cal',
    targets: { firstReply: 30, resolution: 240 },
    warnBefore: 10,
  };
  const normal: SlaPolicy = { id: 'normal', calendar: 'cal', targets: { firstReply: 120, resolution: 1440 } };

  it('the first matching policy applies; a priority change re-picks it and recomputes from the original start', async () => {
    const events = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T10:20:00Z', (id) => ({ type: 'setPriority', ticketId: id, priority: 'urgent' }), agent],
    ]);
    const before = evaluateSla(
      events.slice(0, 2),
      [urgent, normal],
      calendars,
      new Date('2026-01-05T10:10:00Z'),
    );
    expect(before.policyId).toBe('normal');
    const after = evaluateSla(events, [urgent, normal], calendars, new Date('2026-01-05T10:21:00Z'));
    expect(after.policyId).toBe('urgent');
    expect(after.metrics[0]).toMatchObject({
      metric: 'firstReply',
      deadline: '2026-01-05T10:30:00.000Z',
      warnAt: '2026-01-05T10:20:00.000Z',
    });
    expect(after.atRisk).toBe(true);
  });

  it('achieved within the target; breached past it, and a breach stays breached after the reply', async () => {
    const events = await history([
      ['2026-01-05T10:00:00Z', open('urgent'), customer],
      ['2026-01-05T10:45:00Z', reply, agent],
    ]);
    const at1020 = evaluateSla(events, [urgent], calendars, new Date('2026-01-05T10:20:00Z')).metrics[0];
    expect(at1020).toMatchObject({ status: 'active', usedMs: 20 * 60_000 });
    const at1031 = evaluateSla(events, [urgent], calendars, new Date('2026-01-05T10:31:00Z')).metrics[0];
    expect(at1031).toMatchObject({ status: 'breached', breachedAt: '2026-01-05T10:30:00.000Z' });
    const later = evaluateSla(events, [urgent], calendars, new Date('2026-01-05T12:00:00Z'));
    expect(later.metrics[0]).toMatchObject({
      status: 'breached',
      breachedAt: '2026-01-05T10:30:00.000Z',
      achievedAt: '2026-01-05T10:45:00.000Z',
    });
    expect(later.breached).toBe(true);
    const quick = await history([
      ['2026-01-05T10:00:00Z', open('urgent'), customer],
      ['2026-01-05T10:30:00Z', reply, agent],
    ]);
    expect(
      evaluateSla(quick, [urgent], calendars, new Date('2026-01-05T12:00:00Z')).metrics[0],
    ).toMatchObject({
      status: 'achieved',
      achievedAt: '2026-01-05T10:30:00.000Z',
    });
  });

  it('resolution stops while solved and resumes on reopen; next reply counts each unanswered cycle', async () => {
    const policy: SlaPolicy = { id: 'p', calendar: 'cal', targets: { resolution: 120, nextReply: 30 } };
    const events = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T10:10:00Z', reply, agent],
      ['2026-01-05T11:00:00Z', status('solved'), agent],
      ['2026-01-05T15:00:00Z', customerSays, customer],
      ['2026-01-05T15:50:00Z', reply, agent],
    ]);
    const result = evaluateSla(events, [policy], calendars, new Date('2026-01-05T16:00:00Z'));
    const byName = Object.fromEntries(result.metrics.map((m) => [m.metric, m]));
    // 60 min before solving + 60 after reopening at 15:00
    expect(byName.resolution).toMatchObject({
      status: 'active',
      usedMs: 120 * 60_000,
      deadline: '2026-01-05T16:00:00.000Z',
    });
    expect(byName.nextReply).toMatchObject({ status: 'achieved', start: '2026-01-05T10:00:00.000Z' });
    expect(byName['nextReply:2']).toMatchObject({
      status: 'breached',
      start: '2026-01-05T15:00:00.000Z',
      breachedAt: '2026-01-05T15:30:00.000Z',
    });
  });

  it('resolution is achieved when the ticket was solved, not when it was later closed', async () => {
    const policy: SlaPolicy = { id: 'p', calendar: 'cal', targets: { resolution: 120 } };
    const events = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T11:00:00Z', status('solved'), agent],
      ['2026-01-05T15:00:00Z', status('closed'), agent],
    ]);
    const [resolution] = evaluateSla(events, [policy], calendars, new Date('2026-01-06T00:00:00Z')).metrics;
    expect(resolution).toMatchObject({
      status: 'achieved',
      achievedAt: '2026-01-05T11:00:00.000Z',
      usedMs: 60 * 60_000,
    });
  });

  it('a ticket an agent opened (a phone call) waits for the agent’s next public reply: the opening message is no reply', async () => {
    const policy: SlaPolicy = { id: 'p', calendar: 'cal', targets: { firstReply: 60 } };
    const events = await history([
      ['2026-01-05T10:00:00Z', open('normal', 'phone'), agent],
      ['2026-01-05T10:45:00Z', reply, agent],
    ]);
    const during = evaluateSla(events, [policy], calendars, new Date('2026-01-05T10:30:00Z')).metrics[0];
    expect(during).toMatchObject({ status: 'active', deadline: '2026-01-05T11:00:00.000Z' });
    const after = evaluateSla(events, [policy], calendars, new Date('2026-01-05T12:00:00Z')).metrics[0];
    expect(after).toMatchObject({ status: 'achieved', achievedAt: '2026-01-05T10:45:00.000Z' });
  });

  it('periodic update and reach-status targets', async () => {
    const policy: SlaPolicy = {
      id: 'p',
      calendar: 'cal',
      targets: { periodicUpdate: 60, reachStatus: { status: 'pending', within: 30 } },
    };
    const events = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T10:05:00Z', reply, agent],
      ['2026-01-05T10:20:00Z', status('pending'), agent],
      ['2026-01-05T11:30:00Z', reply, agent],
    ]);
    const result = evaluateSla(events, [policy], calendars, new Date('2026-01-05T11:40:00Z'));
    const byName = Object.fromEntries(result.metrics.map((m) => [m.metric, m]));
    expect(byName.periodicUpdate).toMatchObject({
      status: 'breached',
      breachedAt: '2026-01-05T11:05:00.000Z',
    });
    expect(byName['periodicUpdate:2']).toMatchObject({
      status: 'active',
      deadline: '2026-01-05T12:30:00.000Z',
    });
    expect(byName.reachStatus).toMatchObject({ status: 'achieved', achievedAt: '2026-01-05T10:20:00.000Z' });
  });

  it('backtests a policy over past histories', async () => {
    const fast = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T10:20:00Z', reply, agent],
    ]);
    const slow = await history([
      ['2026-01-05T10:00:00Z', open(), customer],
      ['2026-01-05T13:00:00Z', reply, agent],
    ]);
    const report = backtestSla(
      [fast, slow],
      { id: 'proposed', calendar: 'cal', targets: { firstReply: 60 } },
      calendars,
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(report).toEqual({
      tickets: 2,
      matched: 2,
      breached: 1,
      byMetric: { firstReply: { measured: 2, breached: 1 } },
    });
  });

  it('refuses policies that name unknown calendars or bad targets, listing each', () => {
    expect(() =>
      backtestSla(
        [],
        [
          {
            id: 'x',
            calendar: 'nope',
            targets: { firstReply: -5, sometime: 3 } as never,
            when: { field: 'colour', op: 'is', value: 1 },
          },
        ],
        calendars,
        new Date(),
      ),
    ).toThrow(
      /policies\[0\]\.calendar.*policies\[0\]\.targets\.sometime.*policies\[0\]\.targets\.firstReply.*policies\[0\]\.when\.field/,
    );
  });
});

describe("an automated message is not the agent's reply", () => {
  it('an acknowledgement by automation (and a notice by the system) before the agent answers stops no reply clock', async () => {
    const cal = businessCalendar({ timeZone: 'UTC', week: everyDay('00:00', '24:00') });
    const policy: SlaPolicy = {
      id: 'p',
      calendar: 'cal',
      targets: { firstReply: 60, nextReply: 60, periodicUpdate: 60 },
    };
    const automation: Actor = { kind: 'automation', id: 'rules' };
    const system: Actor = { kind: 'system', id: 'email-channel' };
    const ack = (id: string): Command => ({
      type: 'postMessage',
      ticketId: id,
      body: 'We got your request.',
      visibility: 'public',
    });
    const events = await history([
      ['2026-03-02T09:00:00Z', open(), customer],
      ['2026-03-02T09:01:00Z', ack, automation],
      ['2026-03-02T09:02:00Z', ack, system],
      ['2026-03-02T09:30:00Z', reply, agent],
    ]);
    const result = evaluateSla(events, [policy], { cal }, new Date('2026-03-02T09:45:00Z'));
    const stops = result.metrics.map((m) => [m.metric, m.status, m.achievedAt ?? m.deadline]);
    expect(stops).toEqual([
      ['firstReply', 'achieved', '2026-03-02T09:30:00.000Z'],
      ['nextReply', 'achieved', '2026-03-02T09:30:00.000Z'],
      // The periodic-update clock starts at the agent's reply only, not at the acknowledgements.
      ['periodicUpdate', 'active', '2026-03-02T10:30:00.000Z'],
    ]);
  });

  it('with no agent reply yet, the first-reply clock breaches despite the acknowledgement', async () => {
    const cal = businessCalendar({ timeZone: 'UTC', week: everyDay('00:00', '24:00') });
    const policy: SlaPolicy = { id: 'p', calendar: 'cal', targets: { firstReply: 60 } };
    const events = await history([
      ['2026-03-02T09:00:00Z', open(), customer],
      [
        '2026-03-02T09:01:00Z',
        (id) => ({ type: 'postMessage', ticketId: id, body: 'Thanks!', visibility: 'public' }),
        { kind: 'automation', id: 'rules' },
      ],
    ]);
    const result = evaluateSla(events, [policy], { cal }, new Date('2026-03-02T11:00:00Z'));
    expect(result.metrics.map((m) => [m.metric, m.status])).toEqual([['firstReply', 'breached']]);
    expect(result.breached).toBe(true);
  });
});
