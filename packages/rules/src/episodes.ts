import type { ExtensionContext, StoredEvent, Ticket } from '@tessera/core';
import { conditionView } from './firing';
import { parseInstant } from './hours-since';
import type { CompiledRule } from './rule-model';

/** One automation's history in brief: what its firing key and its re-arming depend on. */
export interface AutomationTrack {
  /**
   * Whether it may fire: it never fired, or its condition was false at an event since it last did
   * (judged as the rules slice judges it: see `RulesState.latest`).
   */
  armed: boolean;
  /** How many true periods of its condition have begun. */
  runs: number;
  /** The current true period: the instant (ms) it began and its ordinal; null while false. */
  since: { at: number; run: number } | null;
  /**
   * By the ticket as the latest event left it: the instants after the ticket's clock at which the
   * condition's truth flips (at one of its thresholds), each with the truth from then on.
   */
  ahead: [number, boolean][];
}

/** The true periods of each automation, from the events of one ticket fed to it in order. */
export interface AutomationPeriods {
  /** Folds the next event: `ticket` is the ticket as it stood after it. */
  step(ticket: Ticket, event: StoredEvent): void;
  /** The automation's track after the events stepped so far (an idle one for an unknown rule). */
  track(rule: CompiledRule): AutomationTrack;
  /**
   * The start of the true period the automation is in at `now`, and its ordinal (`<ISO>/<n>`):
   * what its firing's key names. Thresholds after the latest event count up to `now`. When the
   * condition does not hold by this account (a clock behind the log's), the ticket's last update and
   * version (`<ISO>/<version>v`), so the key is still one per version.
   */
  episode(rule: CompiledRule, ticket: Pick<Ticket, 'updatedAt' | 'version'>, now: Date): string;
}

/** Starts, continues or ends the current true period, as the condition is found at `at`. */
function observe(
  track: { runs: number; since: { at: number; run: number } | null },
  at: number,
  holds: boolean,
) {
  if (!holds) track.since = null;
  else if (track.since === null) {
    track.runs += 1;
    track.since = { at, run: track.runs };
  }
}

/**
 * Follows each automation's condition along a ticket's history: judged after each event at the
 * ticket's clock (the latest instant of its events so far: an event stamped earlier counts at it),
 * and at the instants between two events at which its time conditions flip — so a change undone in
 * the same millisecond still ends a true period, and a period begun by time alone starts at its
 * threshold. Every process that decides a firing on the same history finds the same periods.
 *
 * A condition that its parts not reading the time make false (`CompiledRule.possible`) is false at
 * every instant until they change, so its thresholds are not computed.
 *
 * @example
 * const [autoClose] = defineRules({ automations: [classics.autoCloseSolved({ days: 1 })] }).automations;
 * const periods = automationPeriods([autoClose!], false);
 * for (const [i, e] of events.entries()) periods.step(fold(events.slice(0, i + 1))!, e);
 * periods.episode(autoClose!, ticket, new Date('2026-03-04T09:00:00Z'));
 * // → '2026-03-03T09:00:00.000Z/1' (solved on the 2nd at 09:00: true a day later, the first time)
 */
export function automationPeriods(
  automations: readonly CompiledRule[],
  readsSla: boolean,
): AutomationPeriods {
  const view = conditionView(readsSla);
  const tracks = new Map<string, AutomationTrack>(
    automations.map((rule) => [rule.id, { armed: true, runs: 0, since: null, ahead: [] }]),
  );
  const ids = new Set(automations.map((rule) => rule.id));
  let clock = Number.NEGATIVE_INFINITY;
  // The instant `armed` is judged at: the latest of the events at which an automation was judged
  // for it (a firing, or any event while one is disarmed), as the rules slice keeps it.
  let judged = Number.NEGATIVE_INFINITY;
  const judge = (rule: CompiledRule, ticket: Ticket, at: number) => rule.test({ ticket, now: new Date(at) });
  return {
    step(ticket, event) {
      const at = parseInstant(event.occurredAt);
      clock = Math.max(clock, at);
      const fired = event.ruleId !== undefined && ids.has(event.ruleId);
      if (fired || [...tracks.values()].some((t) => !t.armed)) judged = Math.max(judged, at);
      const seen = view(ticket);
      for (const rule of automations) {
        const track = tracks.get(rule.id)!;
        // The flips the ticket before this event had scheduled, up to this instant.
        for (const [point, truth] of track.ahead) if (point < clock) observe(track, point, truth);
        let holds = false;
        const ahead: [number, boolean][] = [];
        if (rule.possible === undefined || rule.possible({ ticket: seen })) {
          holds = judge(rule, seen, clock);
          const points = rule.thresholds
            .map((threshold) => threshold(ticket))
            .filter((point): point is number => point !== undefined && point > clock)
            .sort((a, b) => a - b);
          // Only the points where the truth flips: observing the truth it already has changes nothing.
          let truth = holds;
          for (const point of points) {
            const then = judge(rule, seen, point);
            if (then !== truth) ahead.push([point, then]);
            truth = then;
          }
        }
        observe(track, clock, holds);
        track.ahead = ahead;
        // A firing disarms the rule until its condition is false at an event (this one counts).
        if (event.ruleId === rule.id) track.armed = !judge(rule, seen, judged);
        else if (!track.armed && !judge(rule, seen, judged)) track.armed = true;
      }
    },
    track(rule) {
      const track = tracks.get(rule.id) ?? { armed: true, runs: 0, since: null, ahead: [] };
      return { ...track, since: track.since && { ...track.since }, ahead: [...track.ahead] };
    },
    episode(rule, ticket, now) {
      const track = tracks.get(rule.id);
      const probe = { runs: track?.runs ?? 0, since: track?.since ?? null };
      // Every point ahead lies after the ticket's clock, so `now` alone bounds them.
      for (const [point, holds] of track?.ahead ?? [])
        if (point <= now.getTime()) observe(probe, point, holds);
      return probe.since !== null
        ? `${new Date(probe.since.at).toISOString()}/${probe.since.run}`
        : `${ticket.updatedAt}/${ticket.version}v`;
    },
  };
}

/**
 * The automations' true periods on a ticket, from its history as the desk replays it up to the
 * ticket's version — what a firing decided on that version names in its key.
 *
 * @example
 * async function keyOf(ctx: ExtensionContext, rule: CompiledRule, now: Date) {
 *   const periods = await periodsOf(ctx, [rule], false, ticket);
 *   return firingKey(rule.id, ticket.id, periods.episode(rule, ticket, now), 0);
 * }
 */
export async function periodsOf(
  ctx: Pick<ExtensionContext, 'replay'>,
  automations: readonly CompiledRule[],
  readsSla: boolean,
  ticket: Pick<Ticket, 'id' | 'version'>,
): Promise<AutomationPeriods> {
  const periods = automationPeriods(automations, readsSla);
  await ctx.replay(ticket.id, (t, e) => periods.step(t, e), { toVersion: ticket.version });
  return periods;
}
