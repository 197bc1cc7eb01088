import { type Actor, ConfigError, createHelpdesk, inMemoryStore, type Store } from '@tessera/core';
import { expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { sla } from './extension';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

it('adds sla to the index, and tick records a warning and a breach once each, however often or late it runs', async () => {
  let now = new Date('2026-01-05T10:00:00Z');
  const cal = businessCalendar({
    timeZone: 'UTC',
    week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] },
  });
  const store = inMemoryStore();
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    extensions: [
      sla({
        calendars: { cal },
        policies: [{ id: 'std', calendar: 'cal', targets: { firstReply: 60 }, warnBefore: 15 }],
      }),
    ],
  });
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: 'Down', body: 'Help' },
    { actor: customer },
  );
  const row = await store.index.get(ticket.id);
  expect(row?.sla).toEqual({
    policyId: 'std',
    breached: false,
    atRisk: false,
    nextDeadline: '2026-01-05T11:00:00.000Z',
  });
  expect(row?.dueAt).toBe('2026-01-05T10:45:00.000Z');

  now = new Date('2026-01-05T10:40:00Z');
  expect((await desk.tick()).commands).toBe(0);
  now = new Date('2026-01-05T10:50:00Z');
  await desk.tick();
  await desk.tick();
  expect((await desk.query({ queue: 'sla-at-risk' }, { actor: agent })).items.map((s) => s.id)).toEqual([
    ticket.id,
  ]);
  // A late tick, long after the deadline, records the breach once — and a repeated one nothing more.
  now = new Date('2026-01-06T15:00:00Z');
  await desk.tick();
  await desk.tick(new Date('2026-01-06T16:00:00Z'));
  const { events } = await desk.history(ticket.id, { actor: { kind: 'admin', id: 'admin' } });
  const marks = events.filter(
    (e) => (e.type as string) === 'SlaWarning' || (e.type as string) === 'SlaBreached',
  );
  expect(marks.map((e) => [e.type, (e.data as { deadline: string }).deadline])).toEqual([
    ['SlaWarning', '2026-01-05T11:00:00.000Z'],
    ['SlaBreached', '2026-01-05T11:00:00.000Z'],
  ]);
  expect(marks.every((e) => e.actor.kind === 'system' && e.ruleId === 'sla:std')).toBe(true);
  const after = await store.index.get(ticket.id);
  expect(after?.sla).toMatchObject({ breached: true });
  expect(after?.dueAt).toBeUndefined();
  // Bookkeeping does not touch updatedAt: "hours since updated" stays honest.
  expect(after?.updatedAt).toBe('2026-01-05T10:00:00.000Z');
});

it('takes its clock from the desk, never the system clock: outside a desk it says so', () => {
  const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });
  const ext = sla({
    calendars: { cal },
    policies: [{ id: 'p', calendar: 'cal', targets: { firstReply: 60 } }],
  });
  expect(() => ext.due?.({} as never)).toThrow(ConfigError);
});

it('is no longer at risk once the warned metric is achieved, while others still run', async () => {
  let now = new Date('2026-01-05T10:00:00Z');
  const cal = businessCalendar({
    timeZone: 'UTC',
    week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] },
  });
  const store = inMemoryStore();
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    extensions: [
      sla({
        calendars: { cal },
        policies: [
          { id: 'std', calendar: 'cal', targets: { firstReply: 60, resolution: 480 }, warnBefore: 15 },
        ],
      }),
    ],
  });
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: 'Down', body: 'Help' },
    { actor: customer },
  );
  now = new Date('2026-01-05T10:50:00Z');
  await desk.tick();
  expect((await store.index.get(ticket.id))?.sla).toMatchObject({ atRisk: true });
  now = new Date('2026-01-05T10:55:00Z');
  await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
    { actor: agent },
  );
  // First reply made in time; resolution (due 18:00… next day) is far from its warning.
  expect((await store.index.get(ticket.id))?.sla).toMatchObject({
    atRisk: false,
    breached: false,
    nextDeadline: '2026-01-06T10:00:00.000Z',
  });
});

it('two desks ticking the same instant, one deciding on an older version, record each breach once', async () => {
  const now = new Date('2026-01-05T12:00:00Z');
  const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });
  const store = inMemoryStore();
  const make = (s: Store) =>
    createHelpdesk({
      store: s,
      clock: { now: () => now },
      extensions: [
        sla({ calendars: { cal }, policies: [{ id: 'std', calendar: 'cal', targets: { firstReply: 60 } }] }),
      ],
    });
  const first = make(store);
  now.setTime(Date.parse('2026-01-05T10:00:00Z'));
  const ids: string[] = [];
  const versions = new Map<string, number>();
  for (let i = 0; i < 3; i++) {
    const { ticket } = await first.execute(
      { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: `s${i}`, body: 'Help' },
      { actor: customer },
    );
    ids.push(ticket.id);
  }
  now.setTime(Date.parse('2026-01-05T12:00:00Z'));
  // An internal note lands on each ticket after the second desk read it.
  for (const id of ids) {
    const { ticket } = await first.execute(
      { type: 'postMessage', ticketId: id, body: 'looking', visibility: 'internal' },
      { actor: agent },
    );
    versions.set(`ticket-${id}`, ticket.version - 1);
  }
  const written = new Set<string>();
  const second = make({
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
  });
  await Promise.all([first.tick(), second.tick()]);
  for (const id of ids) {
    const { events } = await first.history(id, { actor: { kind: 'admin', id: 'admin' } });
    expect(events.filter((e) => (e.type as string) === 'SlaBreached').map((e) => e.data)).toEqual([
      { metric: 'firstReply', policyId: 'std', deadline: '2026-01-05T11:00:00.000Z' },
    ]);
  }
});

it('evaluates a ticket that is not frozen afresh for due after summarize, even at the same instant', async () => {
  const now = new Date('2026-01-05T10:00:00Z');
  const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });
  const extension = sla({
    calendars: { cal },
    policies: [{ id: 'std', calendar: 'cal', targets: { firstReply: 60 }, warnBefore: 15 }],
  });
  const desk = createHelpdesk({ clock: { now: () => now }, extensions: [extension] });
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: 'Down', body: 'Help' },
    { actor: customer },
  );
  // The desk's ticket is frozen: summarize and due agree on it (the warning 15 minutes before).
  const summary = extension.summarize!(ticket, {} as never);
  expect(summary?.sla).toMatchObject({ nextDeadline: '2026-01-05T11:00:00.000Z' });
  expect(extension.due!(ticket)?.toISOString()).toBe('2026-01-05T10:45:00.000Z');
  // A private copy answered in between: due must see the reply, not what summarize found.
  const copy = structuredClone(ticket) as typeof ticket;
  extension.summarize!(copy, {} as never);
  copy.messages.push({ ...copy.messages[0]!, id: 'm2', author: agent, body: 'On it' });
  copy.lastAgentReplyAt = now.toISOString();
  expect(extension.due!(copy)).toBeUndefined();
});
