// The scripted month (test/month.ts) with every figure worked out by hand. H = one hour in ms.
import { ForbiddenError, ValidationError } from '@tessera/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportRow } from '../src/index';
import { admin, ana, customer, kenji, MARCH, type Month, playMonth } from './month';

const H = 3_600_000;
const berlinDays = { ...MARCH, timeZone: 'Europe/Berlin', groupBy: 'day' } as const;

/** Every day or week row keeps backlog(end) = backlog(start) + opened − solved + reopened − merged, and rows chain. */
function expectBacklogIdentity(rows: ReportRow[]) {
  rows.forEach((r, i) => {
    expect(r.backlog, String(r.key)).toBe(r.backlogStart + r.opened - r.solved + r.reopened - r.merged);
    if (i > 0) expect(r.backlogStart, String(r.key)).toBe(rows[i - 1]!.backlog);
  });
}

describe('a scripted month, by hand', () => {
  let month: Month;
  beforeAll(async () => {
    month = await playMonth();
  });

  it('totals the month over both teams', async () => {
    const { total } = await month.rep.report(berlinDays, { actor: admin });
    // Opened in March: T1–T5 and T7 (T6 opened in February, T8 at 00:30 on 1 April Berlin time).
    expect(total.opened).toBe(6);
    // Solves: T6 (2 Mar), T1 (3 Mar), T2 (10 Mar), T5 (11 Mar), T2 again after its reopen (12 Mar).
    expect(total.solved).toBe(5);
    expect(total.reopened).toBe(1);
    expect(total.merged).toBe(1); // T4 into T3
    // Live on 1 March 00:00: T6. Live at the end: T3 and T7 — 1 + 6 − 5 + 1 − 1 = 2.
    expect(total.backlogStart).toBe(1);
    expect(total.backlog).toBe(2);
    // First replies: T1 1.5 h, T5 2 h, T2 18 h (Thu 16:00 → Fri 10:00; the note is none), T3 23 h
    // (across the DST night), T4 24 h (the acknowledgement is none). Rank ⌈2.5⌉ = 3 → 18 h, ⌈4.5⌉ = 5 → 24 h.
    expect(total.firstReply).toEqual({
      count: 5,
      medianMs: 18 * H,
      p90Ms: 24 * H,
      // Working time (Mon–Fri 09–17 Berlin, berlin team only): T3 0 (a weekend), T1 1.5 h, T2 2 h
      // (1 h Thursday, 1 h Friday), T4 8 h. Rank 2 of 4 → 1.5 h, rank ⌈3.6⌉ = 4 → 8 h.
      businessMedianMs: 1.5 * H,
      businessP90Ms: 8 * H,
    });
    // Resolutions, creation → each solve: T1 24 h, T5 24 h, T2 121 h (5 Mar 16:00 → 10 Mar 17:00;
    // the pending weekend counts), T2 167 h (→ 12 Mar 15:00), T6 240 h. Rank 3 → 121 h, rank 5 → 240 h.
    // Working time: T1 8 h; T2 1 + 8 + 8 + 8 = 25 h, then + 8 + 6 = 39 h. Rank 2 of 3 → 25 h, rank 3 → 39 h.
    expect(total.resolution).toEqual({
      count: 5,
      medianMs: 121 * H,
      p90Ms: 240 * H,
      businessMedianMs: 25 * H,
      businessP90Ms: 39 * H,
    });
    // The berlin policy's first reply: met by T1, T2, T3; T4 breached at 13:00 on 16 March.
    expect(total.sla).toEqual({ firstReply: { achieved: 3, breached: 1 } });
    // Latest ratings: T1 5, T2 4 (its 2 was replaced), T5 3.
    expect(total.csat).toEqual({ ratings: 3, positive: 2, percent: 66.7 });
    expect(total.timeLoggedMinutes).toBe(30 + 45 + 20 + 60);
  });

  it('cuts days at Berlin midnights, the DST day 23 hours long', async () => {
    const { rows } = await month.rep.report(berlinDays, { actor: admin });
    expect(rows.map((r) => r.key)).toEqual(
      Array.from({ length: 31 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`),
    );
    expectBacklogIdentity(rows);
    const day = (d: number) => rows[d - 1]!;
    expect(day(1)).toMatchObject({ opened: 0, backlogStart: 1, backlog: 1 });
    // 2 March: T6 solved at 01:00, T1 opened, replied (1.5 h) and 30 minutes logged.
    expect(day(2)).toMatchObject({ opened: 1, solved: 1, backlog: 1, timeLoggedMinutes: 30 });
    expect(day(2).firstReply).toMatchObject({ count: 1, medianMs: 1.5 * H });
    expect(day(2).sla).toEqual({ firstReply: { achieved: 1, breached: 0 } });
    expect(day(12)).toMatchObject({ solved: 1, reopened: 1, timeLoggedMinutes: 45 });
    expect(day(12).csat).toEqual({ ratings: 0, positive: 0, percent: null }); // T2's 2 was replaced on the 13th
    expect(day(13).csat).toEqual({ ratings: 1, positive: 1, percent: 100 });
    expect(day(16).sla).toEqual({ firstReply: { achieved: 0, breached: 1 } });
    // T3 opened at 22:00 on Saturday 28 March; its reply at 22:00 (+02:00) on the 29th, 23 hours later.
    expect(day(28)).toMatchObject({ opened: 1, backlog: 2 }); // T3 and T4 (merged on the 30th)
    expect(day(29).firstReply).toMatchObject({ count: 1, medianMs: 23 * H, businessMedianMs: 0 });
    // 29 March 22:30Z is 00:30 on the 30th in Berlin (it would be the 29th at +01:00 or in UTC).
    expect(day(29).timeLoggedMinutes).toBe(0);
    expect(day(30)).toMatchObject({ merged: 1, timeLoggedMinutes: 20, backlog: 1 });
    expect(day(31)).toMatchObject({ opened: 1, backlog: 2 });
  });

  it('cuts ISO weeks in the zone, the first and last clipped to the period', async () => {
    const { rows } = await month.rep.report({ ...berlinDays, groupBy: 'week' }, { actor: admin });
    expect(rows.map((r) => r.key)).toEqual([
      '2026-W09',
      '2026-W10',
      '2026-W11',
      '2026-W12',
      '2026-W13',
      '2026-W14',
    ]);
    expectBacklogIdentity(rows);
    // W10 (2–8 March): T1 and T2 opened; T6 and T1 solved; first replies of T1 and T2.
    expect(rows[1]).toMatchObject({ opened: 2, solved: 2, backlogStart: 1, backlog: 1 });
    expect(rows[1]!.firstReply.count).toBe(2);
    expect(rows[5]).toMatchObject({ opened: 1, merged: 1, timeLoggedMinutes: 20, backlog: 2 });
  });

  it('groups by the current team, null last', async () => {
    const { rows } = await month.rep.report({ ...berlinDays, groupBy: 'team' }, { actor: admin });
    expect(rows.map((r) => r.key)).toEqual(['berlin', 'tokyo', null]);
    const [berlin, tokyo, none] = rows;
    expect(berlin).toMatchObject({
      opened: 4,
      solved: 3,
      reopened: 1,
      merged: 1,
      backlogStart: 0,
      backlog: 1,
    });
    expect(tokyo).toMatchObject({ opened: 1, solved: 2, backlogStart: 1, backlog: 0, timeLoggedMinutes: 60 });
    // Tokyo has no calendar and there is no default: its durations have no working time.
    expect(tokyo!.resolution).toEqual({
      count: 2,
      medianMs: 24 * H,
      p90Ms: 240 * H,
      businessMedianMs: null,
      businessP90Ms: null,
    });
    expect(none).toMatchObject({ opened: 1, backlog: 1 });
  });

  it('the per-agent table: solves by the solver, first replies by the replier, CSAT by the assignee', async () => {
    const rows = await month.rep.agents({ ...MARCH, timeZone: 'Europe/Berlin' }, { actor: admin });
    expect(rows.map((r) => r.agentId)).toEqual(['ana', 'bo', 'kenji']);
    const [a, b, k] = rows;
    // ana: solved T1 and T2's first solve; first replies T1 1.5 h, T2 18 h, T3 23 h; T1 (5) and T2 (4) are hers.
    expect(a).toMatchObject({ agentId: 'ana', solved: 2, timeLoggedMinutes: 50 });
    expect(a!.firstReply).toMatchObject({ count: 3, medianMs: 18 * H, p90Ms: 23 * H });
    expect(a!.csat).toEqual({ ratings: 2, positive: 2, percent: 100 });
    // bo: T2's second solve, T4's reply (24 h), 45 minutes; T4 was never rated.
    expect(b).toMatchObject({
      solved: 1,
      timeLoggedMinutes: 45,
      csat: { ratings: 0, positive: 0, percent: null },
    });
    expect(b!.firstReply).toMatchObject({ count: 1, medianMs: 24 * H, businessMedianMs: 8 * H });
    // kenji: T6 and T5, T5's reply in 2 h, its 3 is not positive (T5 is yuki's now, but was kenji's when rated).
    expect(k).toMatchObject({
      solved: 2,
      timeLoggedMinutes: 60,
      csat: { ratings: 1, positive: 0, percent: 0 },
    });
  });

  it('an agent reads their teams and the tickets of no team; a customer nothing', async () => {
    const mine = await month.rep.report(berlinDays, { actor: ana });
    // T1–T4 (berlin) and T7 (no team); not tokyo's T5 and T6.
    expect(mine.total).toMatchObject({ opened: 5, solved: 3, backlogStart: 0, backlog: 2 });
    const tokyo = await month.rep.report(berlinDays, { actor: kenji });
    expect(tokyo.total).toMatchObject({ opened: 2, solved: 2, backlogStart: 1, backlog: 1 });
    await expect(month.rep.report(berlinDays, { actor: customer })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(month.rep.agents(MARCH as never, { actor: customer })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(month.rep.counts({ actor: customer })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      month.rep.report(berlinDays, { actor: { kind: 'guest', id: 'g' } as never }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('a filter narrows the rows further', async () => {
    const { total } = await month.rep.report(
      { ...berlinDays, filter: { channel: 'portal' } },
      { actor: admin },
    );
    expect(total).toMatchObject({ opened: 1, solved: 2 }); // tokyo's tickets came by the portal
  });

  it('refuses a bad spec with a ValidationError', async () => {
    const bad = [
      { ...berlinDays, to: MARCH.from },
      { ...berlinDays, groupBy: 'month' },
      { ...berlinDays, timeZone: 'Mars/Olympus' },
      { ...berlinDays, from: '2026-03-01' },
      { ...berlinDays, from: 'yesterday' },
      { ...berlinDays, colour: 'blue' },
      { ...berlinDays, filter: 'open' },
    ];
    for (const spec of bad) {
      await expect(
        month.rep.report(spec as never, { actor: admin }),
        JSON.stringify(spec),
      ).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('the per-agent table takes no groupBy', async () => {
    await expect(month.rep.agents({ ...berlinDays } as never, { actor: admin })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('counts the dashboard in one call', async () => {
    // Live now: T3 (ana, berlin, replied last by ana), T7 and T8 (no team, unassigned, opened by an
    // admin: the counts are of now, not of a period).
    expect(await month.rep.counts({ actor: ana })).toEqual({
      mine: 1,
      unassigned: 2,
      'waiting-on-agent': 0,
      'waiting-on-customer': 0,
      'sla-at-risk': 0,
      breached: 0,
      urgent: 0,
    });
  });
});
