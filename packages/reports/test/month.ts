// The scripted month of the reports tests: March 2026, two teams (berlin, with a business calendar
// and an SLA policy; tokyo, with neither), one ticket of no team. Europe/Berlin changes to summer
// time on Sunday 29 March (02:00 → 03:00), so that local day is 23 hours long.
// The figures each test expects are worked out by hand in month.test.ts.
import { type Actor, createHelpdesk, type Helpdesk, inMemoryStore, type Store } from '@tessera/core';
import { businessCalendar, type SlaPolicy, sla } from '@tessera/sla';
import { type ReportsExtension, reports } from '../src/index';

export const office = businessCalendar({
  timeZone: 'Europe/Berlin',
  week: {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
  },
});

export const admin: Actor = { kind: 'admin', id: 'boss' };
export const ana: Actor = { kind: 'agent', id: 'ana', teams: ['berlin'] };
export const bo: Actor = { kind: 'agent', id: 'bo', teams: ['berlin'] };
export const kenji: Actor = { kind: 'agent', id: 'kenji', teams: ['tokyo'] };
export const customer: Actor = { kind: 'customer', id: 'c1', email: 'c1@example.com' };
const ack: Actor = { kind: 'automation', id: 'ack' };

const policies: SlaPolicy[] = [
  {
    id: 'berlin',
    when: { field: 'team', op: 'is', value: 'berlin' },
    calendar: 'office',
    targets: { firstReply: 240 },
    pauseIn: ['pending'],
  },
];

/** The period: the local month of March 2026 in Berlin (it starts at +01:00 and ends at +02:00). */
export const MARCH = { from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00' } as const;

export interface Month {
  desk: Helpdesk;
  rep: ReportsExtension;
  ids: Record<'t1' | 't2' | 't3' | 't4' | 't5' | 't6' | 't7' | 't8', string>;
}

/**
 * Plays the month on a desk over `store` (a fresh in-memory one by default), with the clock set to
 * each step's instant; with `tenantId`, as that tenant of a shared store.
 */
export async function playMonth(store: Store = inMemoryStore(), tenantId?: string): Promise<Month> {
  let now = new Date('2026-02-20T00:00:00Z');
  const rep = reports({ calendars: { berlin: office }, slaPolicies: policies });
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    ...(tenantId === undefined ? {} : { tenantId }),
    extensions: [sla({ policies, calendars: { office } }), rep],
  });
  const at = (iso: string) => {
    now = new Date(iso);
  };
  const open = async (iso: string, team: string | undefined, assignee: string | undefined, by: Actor) => {
    at(iso);
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: team === 'tokyo' ? 'portal' : 'email',
        requester: { id: 'c1', email: 'c1@example.com' },
        subject: `ticket opened ${iso}`,
        body: 'help',
        ...(team === undefined ? {} : { team }),
      },
      { actor: by },
    );
    if (assignee !== undefined)
      await desk.execute(
        { type: 'assign', ticketId: ticket.id, assignee, ...(team ? { team } : {}) },
        { actor: by },
      );
    return ticket.id;
  };
  const reply = async (
    iso: string,
    ticketId: string,
    by: Actor,
    visibility: 'public' | 'internal' = 'public',
  ) => {
    at(iso);
    await desk.execute({ type: 'postMessage', ticketId, body: 'answer', visibility }, { actor: by });
  };
  const status = async (iso: string, ticketId: string, to: string, by: Actor) => {
    at(iso);
    await desk.execute({ type: 'changeStatus', ticketId, status: to }, { actor: by });
  };
  const log = async (iso: string, ticketId: string, minutes: number, by: Actor) => {
    at(iso);
    await desk.execute({ type: 'logTime', ticketId, minutes }, { actor: by });
  };
  const rate = async (iso: string, ticketId: string, score: number) => {
    at(iso);
    await desk.execute({ type: 'rate', ticketId, score }, { actor: customer });
  };

  // T6 (tokyo): opened before the month, solved on 2 March.
  const t6 = await open('2026-02-20T00:00:00Z', 'tokyo', 'kenji', kenji);
  await status('2026-03-02T00:00:00Z', t6, 'solved', kenji);

  // T1 (berlin): Monday 2 March, replied in 1.5 h, solved the next morning, rated 5.
  const t1 = await open('2026-03-02T09:00:00+01:00', 'berlin', 'ana', ana);
  await reply('2026-03-02T10:30:00+01:00', t1, ana);
  await log('2026-03-02T11:00:00+01:00', t1, 30, ana);
  await status('2026-03-03T09:00:00+01:00', t1, 'solved', ana);
  await rate('2026-03-03T12:00:00+01:00', t1, 5);

  // T2 (berlin): Thursday 16:00; a note is no reply; replied Friday, pending over the weekend,
  // the customer's answer reopens it; solved, reopened by the customer, solved again by bo; rated 2, then 4.
  const t2 = await open('2026-03-05T16:00:00+01:00', 'berlin', 'ana', ana);
  await reply('2026-03-05T16:30:00+01:00', t2, ana, 'internal');
  await reply('2026-03-06T10:00:00+01:00', t2, ana);
  await status('2026-03-06T10:05:00+01:00', t2, 'pending', ana);
  await reply('2026-03-09T09:00:00+01:00', t2, customer);
  await status('2026-03-10T17:00:00+01:00', t2, 'solved', ana);

  // T5 (tokyo): 10 March, replied in 2 h, solved a day later, rated 3.
  const t5 = await open('2026-03-10T01:00:00Z', 'tokyo', 'kenji', kenji);
  await log('2026-03-10T02:00:00Z', t5, 60, kenji);
  await reply('2026-03-10T03:00:00Z', t5, kenji);
  await status('2026-03-11T01:00:00Z', t5, 'solved', kenji);
  await rate('2026-03-11T02:00:00Z', t5, 3);
  // Handed to yuki after its rating: the rating stays kenji's.
  at('2026-03-11T03:00:00Z');
  await desk.execute({ type: 'assign', ticketId: t5, assignee: 'yuki', team: 'tokyo' }, { actor: kenji });

  await reply('2026-03-12T10:00:00+01:00', t2, customer);
  await log('2026-03-12T14:00:00+01:00', t2, 45, bo);
  await status('2026-03-12T15:00:00+01:00', t2, 'solved', bo);
  await rate('2026-03-12T16:00:00+01:00', t2, 2);
  await rate('2026-03-13T10:00:00+01:00', t2, 4);

  // T4 (berlin): Monday 16 March, an automatic acknowledgement (no reply), the SLA's 4 working
  // hours run out at 13:00 and a tick records the breach; bo replies the next morning; merged into T3 on 30 March.
  const t4 = await open('2026-03-16T09:00:00+01:00', 'berlin', 'bo', bo);
  await reply('2026-03-16T09:01:00+01:00', t4, ack);
  at('2026-03-16T14:00:00+01:00');
  await desk.tick();
  await reply('2026-03-17T09:00:00+01:00', t4, bo);

  // T3 (berlin): Saturday 28 March 22:00 (+01:00); replied Sunday 22:00 (+02:00), 23 hours later;
  // 20 minutes logged at 00:30 on Monday 30 March Berlin time (still 29 March in UTC). Open at the end.
  const t3 = await open('2026-03-28T22:00:00+01:00', 'berlin', 'ana', ana);
  await reply('2026-03-29T22:00:00+02:00', t3, ana);
  await log('2026-03-29T22:30:00Z', t3, 20, ana);
  at('2026-03-30T09:00:00+02:00');
  await desk.execute({ type: 'merge', ticketId: t4, into: t3 }, { actor: bo });

  // T7 (no team): 31 March 23:30 Berlin; T8 (no team): 1 April 00:30 Berlin, after the period.
  const t7 = await open('2026-03-31T21:30:00Z', undefined, undefined, admin);
  const t8 = await open('2026-03-31T22:30:00Z', undefined, undefined, admin);
  at('2026-04-02T00:00:00Z');
  return { desk, rep, ids: { t1, t2, t3, t4, t5, t6, t7, t8 } };
}
