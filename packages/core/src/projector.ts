import { apply, deepFreeze, evolve } from './apply';
import type { StoredEvent } from './events';
import type { Extension } from './extension';
import type { Ticket } from './model';
import type { ModuleSet } from './modules';
import type { IndexRow, Store, TenantScope, TicketSummary } from './ports';
import { searchDocument } from './search-document';
import type { StreamNames } from './streams';
import { toSummary } from './summary';

/** How many rows a rebuild hands `TicketIndex.upsertMany` at once. */
const REBUILD_BATCH = 500;

export interface RebuildProgress {
  events: number;
  tickets: number;
  position?: string;
}

/**
 * The projector: a ticket's index row (with its extensions' parts) and the rebuild of one
 * tenant's rows from the log.
 *
 * @example
 * const p = projector({ store, extensions, scope: {}, names: streamNames(undefined), upcast: (e) => e });
 * await p.index(ticket, position);
 */
export function projector(deps: {
  store: Store;
  extensions: readonly Extension[];
  scope: TenantScope;
  names: StreamNames;
  upcast: (events: StoredEvent[]) => StoredEvent[];
  modules: ModuleSet;
}) {
  const { store, extensions, scope, names, upcast, modules } = deps;

  function summarize(ticket: Ticket): TicketSummary {
    let summary = toSummary(ticket);
    let dueAt: Date | undefined;
    for (const ext of extensions) {
      summary = ext.summarize?.(ticket, summary) ?? summary;
      const due = ext.due?.(ticket);
      if (due !== undefined && (dueAt === undefined || due < dueAt)) dueAt = due;
    }
    if (dueAt !== undefined) summary.dueAt = dueAt.toISOString();
    else delete summary.dueAt;
    // Frozen, so an index may keep it without copying.
    return deepFreeze(summary);
  }

  return {
    summarize,
    /** Index adapters keep the row with the highest version, so a slower writer cannot put back an older one. */
    async index(ticket: Ticket, position: string | undefined) {
      // The row's words go with it, so a search finds the ticket by its messages the moment its row is there.
      await store.index.upsert(summarize(ticket), position, searchDocument(ticket));
    },
    /**
     * Clears and rebuilds this tenant's index rows only, reading the whole log (what extensions keep
     * elsewhere, such as the email channel's Message-IDs, they rebuild in `onRebuild`).
     */
    async rebuild(onProgress?: (p: RebuildProgress) => void): Promise<RebuildProgress> {
      await store.index.clear(scope);
      const tickets = new Map<string, Ticket>();
      let after: string | undefined;
      let count = 0;
      for (;;) {
        const page = await store.events.readAll({ ...(after === undefined ? {} : { after }), limit: 2000 });
        if (page.length === 0) break;
        for (const raw of upcast(page.filter(names.owns))) {
          const t = tickets.get(raw.streamId);
          if (raw.type === 'TicketOpened') tickets.set(raw.streamId, evolve(undefined, raw, modules));
          else if (t) apply(t, raw, modules);
        }
        count += page.length;
        after = page[page.length - 1]!.position;
        onProgress?.({ events: count, tickets: tickets.size, position: after });
      }
      // In batches where the index takes them (one transaction each), else row by row.
      const rows: IndexRow[] = [];
      for (const ticket of tickets.values()) {
        const summary = summarize(ticket);
        const search = searchDocument(ticket);
        if (store.index.upsertMany === undefined) await store.index.upsert(summary, undefined, search);
        else if (rows.push({ summary, search }) === REBUILD_BATCH) {
          await store.index.upsertMany(rows);
          rows.length = 0;
        }
      }
      if (rows.length > 0) await store.index.upsertMany!(rows);
      if (after !== undefined) await store.index.setCheckpoint(after, scope);
      const progress: RebuildProgress = {
        events: count,
        tickets: tickets.size,
        ...(after === undefined ? {} : { position: after }),
      };
      onProgress?.(progress);
      return progress;
    },
  };
}
