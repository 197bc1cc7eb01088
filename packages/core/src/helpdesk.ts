import type { Command, ExecuteOptions, ModuleCommand } from './commands';
import type { IdGenerator } from './decide-context';
import type { StoredEvent, Upcaster } from './events';
import type { ExecuteResult, Extension } from './extension';
import type { Actor, BlobRef, Ticket } from './model';
import type { Policy } from './policy';
import type { BlobMeta, Page, Store, TicketFilter, TicketQuery, TicketSummary } from './ports';
import type { RebuildProgress } from './projector';
import type { SavedQueue } from './query-scope';
import type { CommitHandler } from './tail';
import type { Limits } from './validate';
import type { Workflow } from './workflow';
import type { WorkflowSet } from './workflow-set';

export interface Clock {
  now(): Date;
}

export interface HelpdeskOptions {
  /** Default: `inMemoryStore()`. */
  store?: Store;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `crypto.randomUUID()`. */
  ids?: IdGenerator;
  /** Scopes every stream, number, index row, Message-ID, blob and query. */
  tenantId?: string;
  /** The first is the default. Default: the built-in workflow. */
  workflows?: Workflow[];
  /** Ticket type → workflow id. */
  types?: Record<string, string>;
  /** Default: `defaultPolicy()` with the three options below. */
  policy?: Policy;
  /** Custom fields customers never see (for the default policy, and the built-in redaction). */
  internalFields?: string[];
  /** Whether customers may solve or close their own tickets (for the default policy). */
  customersMayClose?: boolean;
  /** Which tickets a customer sees (for the default policy). */
  visibility?: 'requester' | 'organization';
  extensions?: Extension[];
  limits?: Partial<Limits>;
  /** Upgrades events stored with an older schemaVersion, on read: by event type. */
  upcasters?: Partial<Record<string, Upcaster>>;
  /** How often `execute` re-reads and re-decides after a conflict with another writer (default 8). */
  maxRetries?: number;
  /** How deep extensions' reactions may cascade before `ConfigError` (default 8). */
  maxCascadeDepth?: number;
  /** Told about commands `tick` ran for an extension that the ticket refused; the tick goes on. */
  onError?: (error: unknown, where: { extension: string; ticketId: string }) => void;
}

export interface QueryOptions extends Omit<TicketQuery, 'filter'> {
  actor: Actor;
}

export interface History {
  /** The ticket's events up to `asOf`, as the actor may see them. */
  events: StoredEvent[];
  /** The ticket as it was at `asOf` (or now), redacted as `get`; undefined if it did not exist yet. */
  ticket: Ticket | undefined;
}

export interface HistoryOptions {
  actor: Actor;
  asOf?: Date | string;
}

/** Who uploads a blob, and for which ticket (see `desk.upload`). */
export interface UploadOptions {
  actor: Actor;
  ticketId?: string;
}

export interface Helpdesk {
  /** Runs one of core's commands or an installed extension's (see docs/commands.md, docs/extensions.md). */
  execute(command: Command | ModuleCommand, options: ExecuteOptions): Promise<ExecuteResult>;
  get(ticketId: string, options: { actor: Actor }): Promise<Ticket>;
  /** The ticket's events and the ticket as of `asOf`, redacted for the actor exactly as `get` is. */
  history(ticketId: string, options: HistoryOptions): Promise<History>;
  /**
   * Index rows the actor may see. `filter.text` is a search (see `parseSearch`), ranked by relevance
   * unless `sort` says otherwise; a saved `queue` may carry more filter keys beside it (a search in a
   * queue: `{ queue: 'unassigned', text: 'refund' }`).
   */
  query(
    filter: TicketFilter | ({ queue: SavedQueue } & TicketFilter),
    options: QueryOptions,
  ): Promise<Page<TicketSummary>>;
  tick(now?: Date): Promise<{ due: number; commands: number }>;
  subscribe(handler: CommitHandler): () => void;
  rebuild(options?: { onProgress?: (p: RebuildProgress) => void }): Promise<RebuildProgress>;
  /** Finds a ticket by its human number. */
  findByNumber(number: number, options: { actor: Actor }): Promise<Ticket | undefined>;
  /**
   * Stores an attachment for this actor (and ticket, when given) and returns its ref: the blob an
   * actor may then name in `attachments[].blob` of their `openTicket` or `postMessage`.
   */
  upload(
    bytes: Uint8Array,
    meta: Pick<BlobMeta, 'contentType' | 'filename'>,
    options: UploadOptions,
  ): Promise<BlobRef>;
  readonly store: Store;
  readonly workflows: WorkflowSet;
  readonly extensions: readonly Extension[];
  /** Stops subscriptions and watchers (does not close the store). */
  close(): Promise<void>;
}
