import {
  type Actor,
  ConfigError,
  checkOptions,
  type Extension,
  type ExtensionContext,
  ForbiddenError,
  queueFilter,
  type SavedQueue,
  type StatusCategory,
  type TicketFilter,
  type TicketSummary,
  validateActor,
  type WorkingTimeCalendar,
} from '@tessera/core';
import { type AgentRow, computeAgents } from './agents';
import { type CalendarOf, computeReport, type FactRow, type Report, type TargetedOf } from './compute';
import { factsState, type ReportFacts, rowFacts } from './facts';
import { checkSpec, type ReportSpec } from './periods';

export interface ReportsOptions {
  /** Working-time calendars by team id: a ticket's business durations use its team's. */
  calendars?: Record<string, WorkingTimeCalendar>;
  /** The calendar of tickets whose team has none (or that have no team). */
  calendar?: WorkingTimeCalendar;
  /**
   * The policies given to `@tessera/sla` (only `id` and `targets` are read): a first reply or
   * resolution counts as achieved when the ticket's policy has a target for it and no breach of it
   * was recorded. Without them, only breaches are counted.
   */
  slaPolicies?: readonly {
    id: string;
    targets: { readonly firstReply?: number; readonly resolution?: number };
  }[];
}

/** Who asks, for `report`, `agents` and `counts`. */
export interface AskedBy {
  actor: Actor;
}

/** The period of the per-agent table (no rows to cut, so no groupBy). */
export type AgentsSpec = Omit<ReportSpec, 'groupBy'>;

/** The live counts of a dashboard: each saved queue as the asking actor opens it, breached, urgent. */
export type Counts = Record<SavedQueue, number> & { breached: number; urgent: number };

/** The reports module: an extension with its three reads. */
export interface ReportsExtension extends Extension<ReportFacts> {
  /** A report of the period, grouped (see docs/reports.md); `ForbiddenError` for a customer. */
  report(spec: ReportSpec, options: AskedBy): Promise<Report>;
  /** The per-agent table of the period. */
  agents(spec: AgentsSpec, options: AskedBy): Promise<AgentRow[]>;
  /** The live counts of a dashboard, in one call. */
  counts(options: AskedBy): Promise<Counts>;
}

const QUEUES: readonly SavedQueue[] = [
  'mine',
  'unassigned',
  'waiting-on-agent',
  'waiting-on-customer',
  'sla-at-risk',
];
const LIVE: StatusCategory[] = ['new', 'open', 'pending', 'on_hold'];
const READERS = new Set<string>(['agent', 'admin', 'system', 'automation']);
/** The index's largest page: a report reads every row in its scope, so it reads them in as few pages as it can. */
const PAGE = 500;
/** How far back the second pass of a read looks: more than any clock skew between the desk's processes. */
const CATCH_UP_MS = 60_000;

/** Refuses a customer (or a kind no one knows) before anything is read; checks the actor's shape. */
function reader(options: unknown): Actor {
  const actor = (options as { actor?: { kind?: unknown } } | undefined)?.actor;
  if (!READERS.has(actor?.kind as string))
    throw new ForbiddenError('reports are for agents (their teams) and admins');
  checkOptions(options, ['actor'], 'options');
  return validateActor(actor);
}

const isCalendar = (c: unknown): c is WorkingTimeCalendar =>
  typeof (c as WorkingTimeCalendar | undefined)?.workingTimeBetween === 'function';

/**
 * The reports module: install it in a desk and it keeps, with each ticket's index row, the facts
 * a report needs — incrementally on every commit, in the store's own table (SQLite, PostgreSQL) or
 * in memory, rebuilt by `desk.rebuild()`. Its `report`, `agents` and `counts` read those rows as the
 * asking actor: agents their teams' tickets (and those of no team), admins all, customers nothing.
 *
 * @example
 * const rep = reports({ calendars: { billing: office } });
 * const desk = createHelpdesk({ store: inMemoryStore(), extensions: [rep] });
 * const { rows, total } = await rep.report(
 *   { from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', timeZone: 'Europe/Berlin', groupBy: 'day' },
 *   { actor: { kind: 'admin', id: 'boss' } },
 * );
 * const live = await rep.counts({ actor: { kind: 'agent', id: 'ana', teams: ['billing'] } }); // { mine: 2, unassigned: 5, … }
 */
export function reports(options: ReportsOptions = {}): ReportsExtension {
  checkOptions(options, ['calendars', 'calendar', 'slaPolicies'], 'reports');
  const problems = [];
  for (const [team, c] of Object.entries(options.calendars ?? {})) {
    if (!isCalendar(c))
      problems.push({ path: `reports.calendars.${team}`, message: 'a working-time calendar' });
  }
  if (options.calendar !== undefined && !isCalendar(options.calendar))
    problems.push({ path: 'reports.calendar', message: 'a working-time calendar' });
  if (options.slaPolicies !== undefined && !Array.isArray(options.slaPolicies))
    problems.push({ path: 'reports.slaPolicies', message: 'the list of SLA policies' });
  if (problems.length > 0) throw new ConfigError(problems);
  const targets = new Map<string, readonly string[]>();
  for (const p of options.slaPolicies ?? []) {
    const metrics = Object.entries(p?.targets ?? {}).filter(([, v]) => v !== undefined);
    targets.set(
      p?.id,
      metrics.map(([m]) => m),
    );
  }
  const targeted: TargetedOf = (s, metric) =>
    s.sla?.policyId !== undefined && (targets.get(s.sla.policyId)?.includes(metric) ?? false);
  const calendars = new Map(Object.entries(options.calendars ?? {}));
  const business = calendars.size > 0 || options.calendar !== undefined;
  const calendarOf: CalendarOf = (s) =>
    (s.team !== undefined ? calendars.get(s.team) : undefined) ?? options.calendar;

  let context: ExtensionContext | undefined;
  const ctx = (): ExtensionContext => {
    if (context) return context;
    throw new ConfigError([
      { path: 'extensions', message: 'reports() reads its desk: pass it to createHelpdesk({ extensions })' },
    ]);
  };

  /**
   * Every index row the actor may read that a period can count: created before its end. Paged by
   * the index's own order (last update first: the one every store keeps an index for, so each page
   * is a seek, not a sort of the whole table). A row updated while the pages are read moves ahead
   * of the cursor and could be missed, so a second pass reads the rows updated since a minute
   * before the first began, and each ticket counts once, as last read.
   */
  async function rowsOf(actor: Actor, to: number, filter: TicketFilter | undefined): Promise<FactRow[]> {
    const c = ctx();
    const scoped: TicketFilter = { ...filter, createdBefore: new Date(to).toISOString() };
    if (filter?.createdBefore !== undefined && filter.createdBefore < scoped.createdBefore!)
      scoped.createdBefore = filter.createdBefore;
    const since = new Date(c.now().getTime() - CATCH_UP_MS).toISOString();
    const rows = new Map<string, FactRow>();
    const read = async (f: TicketFilter) => {
      let cursor: string | undefined;
      do {
        const page = await c.query({ filter: f, limit: PAGE, ...(cursor ? { cursor } : {}) }, { actor });
        for (const summary of page.items) rows.set(summary.id, { summary, facts: rowFacts(summary) });
        cursor = page.nextCursor;
      } while (cursor);
    };
    await read(scoped);
    await read({
      ...scoped,
      updatedAfter:
        scoped.updatedAfter !== undefined && scoped.updatedAfter > since ? scoped.updatedAfter : since,
    });
    return [...rows.values()];
  }

  return {
    name: 'reports',
    state: factsState,
    init(c) {
      context = c;
    },
    summarize(ticket, summary): TicketSummary {
      const facts = ticket.ext.reports as ReportFacts | undefined;
      if (facts === undefined) return summary;
      return { ...summary, ext: { ...summary.ext, reports: facts } };
    },
    async report(spec, asked) {
      const actor = reader(asked);
      const period = checkSpec(spec);
      ctx();
      return computeReport(
        await rowsOf(actor, period.to, period.filter),
        period,
        calendarOf,
        business,
        targeted,
      );
    },
    async agents(spec, asked) {
      const actor = reader(asked);
      const period = checkSpec(spec, []);
      ctx();
      return computeAgents(await rowsOf(actor, period.to, period.filter), period, calendarOf, business);
    },
    async counts(asked) {
      const actor = reader(asked);
      const c = ctx();
      const filters: [keyof Counts, TicketFilter][] = [
        ...QUEUES.map((q): [keyof Counts, TicketFilter] => [q, queueFilter(q, actor)]),
        ['breached', { slaBreached: true, category: LIVE }],
        ['urgent', { priority: 'urgent', category: LIVE }],
      ];
      const values = await Promise.all(filters.map(([, f]) => c.count(f, { actor })));
      return Object.fromEntries(filters.map(([k], i) => [k, values[i]])) as Counts;
    },
  };
}
