import type { ExtensionContext } from '@tessera/core';
import type { TeamConfig } from './rule-model';

export type IsAvailable = (agentId: string, team: string) => boolean;

/**
 * Chooses an agent of a team: round-robin (the next available member after the last one chosen) or
 * balanced (the available member with the fewest live tickets). Returns undefined when nobody is
 * available, so the ticket stays with the team.
 */
export function assignmentPicker(teams: Readonly<Record<string, TeamConfig>>, isAvailable?: IsAvailable) {
  const last = new Map<string, number>();
  const available = (team: string) =>
    (teams[team]?.members ?? [])
      .filter((m) => m.available !== false && (isAvailable?.(m.id, team) ?? true))
      .map((m) => m.id);

  return async (
    team: string,
    strategy: 'round-robin' | 'balanced',
    ctx: ExtensionContext,
  ): Promise<string | undefined> => {
    const members = available(team);
    if (members.length === 0) return undefined;
    if (strategy === 'round-robin') {
      const all = (teams[team]?.members ?? []).map((m) => m.id);
      if (!last.has(team)) {
        // First pick in this process: carry on after the member who has the team's newest
        // assigned ticket, so a restart does not send the next tickets to the first member again.
        const newest = await ctx.query({
          filter: { team, assignee: all },
          sort: { field: 'number', direction: 'desc' },
          limit: 1,
        });
        const previous = newest.items[0]?.assignee;
        if (previous !== undefined) last.set(team, all.indexOf(previous));
      }
      const start = last.get(team) ?? -1;
      for (let step = 1; step <= all.length; step++) {
        const i = (start + step) % all.length;
        if (members.includes(all[i]!)) {
          last.set(team, i);
          return all[i];
        }
      }
      return undefined;
    }
    let best: { id: string; open: number } | undefined;
    for (const id of members) {
      let open = 0;
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await ctx.query({
          filter: { assignee: id, category: ['new', 'open', 'pending', 'on_hold'] },
          limit: 500,
          ...(cursor ? { cursor } : {}),
        });
        open += result.items.length;
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      if (best === undefined || open < best.open) best = { id, open };
    }
    return best?.id;
  };
}
