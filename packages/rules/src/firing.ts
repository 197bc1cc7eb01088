import { apply, fold, type StoredEvent, type Ticket } from '@tessera/core';
import type { CompiledRule } from './definition';

/** How a condition reads a ticket (the SLA view, or the ticket itself). */
type View = (ticket: Ticket) => Ticket;

/**
 * Whether an automation may fire: unless it fired and its condition has held at every change since.
 * The log is the marker (events carry the rule's id), so this survives restarts and other processes.
 * One fold up to the firing, then one step per later event on the same private object (nothing
 * keeps an earlier state): linear in the ticket's history.
 *
 * @example
 * if (armed(rule, await ctx.history(ticket.id), view)) fire();
 */
export function armed(rule: CompiledRule, events: readonly StoredEvent[], view: View): boolean {
  const lastFire = events.findLastIndex((e) => e.ruleId === rule.id);
  if (lastFire < 0) return true;
  const state = fold(events.slice(0, lastFire + 1));
  for (let i = lastFire; i < events.length; i++) {
    if (i > lastFire && state) apply(state, events[i]!);
    if (state && !rule.test({ ticket: view(state), now: new Date(events[i]!.occurredAt) })) return true;
  }
  return false;
}

/**
 * The instant at which an automation's condition last became true — the start of the true period
 * ("episode") a firing belongs to — read from the ticket's history alone, so every process that
 * decides the same firing computes the same value, whatever version it decided on.
 *
 * Between two events the ticket does not change, so the condition can change truth only at an
 * event or at one of the rule's thresholds (the instants its time conditions flip): it is evaluated
 * at those points only — at every event, as `armed` does, so a change undone in the same
 * millisecond still ends a true period. An unrelated change (a note) in a true period leaves the start where it was; a change that made
 * the condition false starts a new episode when it becomes true again.
 *
 * Returns the instant and the run's ordinal (`<ISO>/<n>`: the n-th time the condition became true).
 * Falls back to the last event's instant and version (`<ISO>/<version>v`) when the condition does not hold at `now` by this walk
 * (a clock behind the log's), so the key is still the same for every process at that version.
 *
 * @example
 * firingEpisode(autoClose, events, new Date('2026-03-04T09:00:00Z'), (t) => t);
 * // → '2026-03-03T09:00:00.000Z/1' (solved on the 2nd at 09:00: true a day later, the first time)
 */
export function firingEpisode(
  rule: CompiledRule,
  events: readonly StoredEvent[],
  now: Date,
  view: View,
): string | undefined {
  let state: Ticket | undefined;
  // The start of the current true run: its instant, and how many runs began up to it — not the
  // version then in effect, which differs between a process that saw an unrelated event before
  // the start and one that did not; two runs may start in one millisecond (a tag removed and
  // added back), and the count tells them apart.
  let since: { at: number; run: number } | undefined;
  let runs = 0;
  const nowMs = now.getTime();
  const observe = (at: number) => {
    if (state && rule.test({ ticket: view(state), now: new Date(at) })) since ??= { at, run: ++runs };
    else since = undefined;
  };
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.type === 'TicketOpened') state = fold([event]);
    else if (state) apply(state, event);
    const from = Date.parse(event.occurredAt);
    const last = i === events.length - 1;
    const to = last ? Math.max(nowMs, from) : Date.parse(events[i + 1]!.occurredAt);
    const points = [from];
    for (const threshold of rule.thresholds) {
      const at = state ? threshold(state) : undefined;
      if (at !== undefined && at > from && (last ? at <= to : at < to)) points.push(at);
    }
    points.sort((a, b) => a - b);
    for (const at of points) observe(at);
  }
  if (since !== undefined) return `${new Date(since.at).toISOString()}/${since.run}`;
  const last = events.at(-1);
  return last && `${last.occurredAt}/${last.version}v`;
}

/**
 * The idempotency key of one action of one automation firing: the rule, the ticket and the episode
 * name the firing, the index names the action. Never a stream version: two processes that decided
 * the same firing on different versions must produce the same key, so the append proves it once.
 *
 * @example
 * firingKey('auto-close-solved', 'T-1', '2026-03-03T09:00:00.000Z/1', 0);
 * // → 'rules:auto-close-solved:T-1@2026-03-03T09:00:00.000Z/1#0'
 */
export function firingKey(ruleId: string, ticketId: string, episode: string, index: number): string {
  return `rules:${ruleId}:${ticketId}@${episode}#${index}`;
}
