import type { NewEvent, StoredEvent } from './events';
import type { BlobRef, Channel, Party, Priority, StatusCategory } from './model';

export type ExpectedVersion = number | 'no-stream' | 'any';

/**
 * The append-only log. Adapters implement it; `@tessera/testing`'s `eventStoreConformance` checks one.
 */
export interface EventStore {
  /**
   * Appends all events or none. Throws `ConflictError` when the stream is not at `expectedVersion`
   * (`'no-stream'`: it must not exist; a number: its last version; `'any'`: no check).
   */
  append(
    streamId: string,
    events: NewEvent[],
    opts: { expectedVersion: ExpectedVersion },
  ): Promise<{ nextVersion: number; positions: string[] }>;
  /** The stream's events in version order, from `fromVersion` (default 1). Empty if it does not exist. */
  readStream(streamId: string, opts?: { fromVersion?: number }): Promise<StoredEvent[]>;
  /** Events in global order after `after` (exclusive). A tailing reader never sees a gap fill in later. */
  readAll(opts?: { after?: string; limit?: number }): Promise<StoredEvent[]>;
  /** The next number of a sequence (1, 2, 3…), unique under concurrency. */
  nextNumber(sequence: string): Promise<number>;
  /** Optional: the store tells about commits (including other processes' ones) as they happen. */
  watch?(onCommit: () => void): () => void;
}

/** The SLA part of a ticket summary, as the SLA extension fills it. */
export interface SlaSummary {
  policyId?: string;
  /** The earliest deadline of a running metric. */
  nextDeadline?: string;
  breached: boolean;
  /** A warning has been recorded or the next deadline is within the policy's warning window. */
  atRisk: boolean;
}

/** The row the ticket index keeps per ticket, for queues, views and search. */
export interface TicketSummary {
  id: string;
  tenantId?: string;
  number: number;
  subject: string;
  status: string;
  category: StatusCategory;
  type?: string;
  team?: string;
  assignee?: string;
  priority: Priority;
  tags: string[];
  requester: Party;
  organization?: string;
  channel: Channel;
  createdAt: string;
  updatedAt: string;
  lastUpdatedBy?: { id: string; kind: string };
  lastCustomerMessageAt?: string;
  lastAgentReplyAt?: string;
  /** Whether the last public message came from the customer side (waiting on the agent). */
  awaitingAgent: boolean;
  /** The earliest instant an extension wants `tick` to look at this ticket. */
  dueAt?: string;
  sla?: SlaSummary;
  /** What other extensions add, by extension name. */
  ext?: Record<string, unknown>;
  version: number;
  /**
   * Only on the results of a text search (`filter.text`): where the ticket matched, drawn from the
   * text the asking actor may match (a customer's snippet never shows an internal note).
   */
  snippet?: Snippet;
}

/**
 * A short piece of a ticket's text around what a search matched. `marks` are `[start, end)` offsets
 * into `text` of each matched word, in order and not overlapping, so a UI marks them without parsing
 * markup out of user-written text (see `snippetHtml` for an escaped HTML rendering).
 */
export interface Snippet {
  text: string;
  marks: [start: number, end: number][];
}

/**
 * The searchable text of one ticket, split by who may match it. The desk builds it from the ticket
 * (`searchDocument`) and hands it to `TicketIndex.upsert` with the row.
 */
export interface SearchDocument {
  /**
   * What every actor who sees the ticket may match: its number (`#123`), the subject, the
   * requester's name and email, every public message and its attachments' file names.
   */
  public: string;
  /** What only staff may match: internal notes and their attachments' file names. */
  internal: string;
}

/** A filter value: one value, or an array meaning "one of these". */
export type OneOrMany<T> = T | T[];

/**
 * A filter on ticket summaries: every key given must hold (AND); an array means "one of";
 * `null` means "has none".
 */
export interface TicketFilter {
  tenantId?: string | null;
  ids?: string[];
  /** Tickets with one of these human numbers. */
  numbers?: number[];
  status?: OneOrMany<string>;
  category?: OneOrMany<StatusCategory>;
  type?: OneOrMany<string> | null;
  /** An array may include `null`: "one of these teams, or no team" (how agents' scope is written). */
  team?: OneOrMany<string | null> | null;
  assignee?: OneOrMany<string | null> | null;
  priority?: OneOrMany<Priority>;
  channel?: OneOrMany<Channel>;
  /** Tickets carrying all of these tags. */
  tags?: string[];
  requesterId?: OneOrMany<string>;
  organization?: OneOrMany<string> | null;
  /**
   * Tickets matching any of these filters (each itself an AND of its keys). Used for scopes such as
   * a customer's "my tickets or my organization's".
   */
  anyOf?: Omit<TicketFilter, 'anyOf'>[];
  /**
   * A search (see `parseSearch` for the syntax: words, `"phrases"`, `-word`, `or`, `prefix*`, `#123`):
   * tickets whose search document holds every word, in the part `TicketQuery.textScope` allows.
   */
  text?: string;
  awaitingAgent?: boolean;
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  slaBreached?: boolean;
  slaAtRisk?: boolean;
  slaDeadlineBefore?: string;
  /** Tickets with `dueAt` at or before this instant. */
  dueBefore?: string;
}

export type SortField =
  | 'number'
  | 'createdAt'
  | 'updatedAt'
  | 'priority'
  | 'lastCustomerMessageAt'
  | 'slaNextDeadline'
  | 'dueAt'
  /** Best match first (the engine's rank of the `filter.text` search); only with a text filter. */
  | 'relevance';

export interface TicketQuery {
  filter?: TicketFilter;
  /** Default: `updatedAt` descending. Ties break by id in the same direction. Tickets without the sort value come last. */
  sort?: { field: SortField; direction?: 'asc' | 'desc' };
  /** Default 50, at most 500. */
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
  /**
   * Which part of the search document `filter.text` matches: `'public'` (the default, and what a
   * customer's query always gets) or `'all'`, public and internal (staff). The desk sets it from the
   * actor; an adapter that cannot tell must treat a missing value as `'public'`.
   */
  textScope?: 'public' | 'all';
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Which tenant's rows a call reads or writes. `tenantId` undefined means the rows of NO tenant
 * (a desk created without `tenantId`), never "every tenant": one store may hold several tenants'
 * desks, and a port call made for one of them must not see the others.
 */
export interface TenantScope {
  tenantId?: string;
}

/** One row of `TicketIndex.upsertMany`: what one `upsert` call takes. */
export interface IndexRow {
  summary: TicketSummary;
  position?: string;
  search?: SearchDocument;
}

/**
 * The ticket rows behind queues, views and search. Rows are keyed by (tenant, id): the same
 * ticket id in two tenants is two rows, and `summary.tenantId` (absent: no tenant) says whose
 * row an upsert writes.
 */
export interface TicketIndex {
  /**
   * Writes a ticket's row, keyed by (`summary.tenantId` or no tenant, `summary.id`). Must keep the
   * row with the highest `version`: an upsert with a lower version than the stored row changes
   * nothing (writers in several processes may finish out of order); an equal version replaces it
   * (a rebuild, or an extension's summary changing). A `position` advances the checkpoint of the
   * row's tenant (never moves it back). `search` is the row's searchable text, written with the row
   * (in the same transaction where the adapter has them) and kept or dropped by the same version
   * rule; without it the adapter searches the row's number, subject and requester only.
   */
  upsert(summary: TicketSummary, position?: string, search?: SearchDocument): Promise<void>;
  /**
   * Optional: several rows, each as `upsert` writes it (the same version and checkpoint rules, in
   * order), in one transaction where the adapter has them — all or none. `desk.rebuild()` writes
   * with it when the adapter has it, else row by row: a full-text engine indexes a batch at once
   * much faster than row by row.
   */
  upsertMany?(rows: readonly IndexRow[]): Promise<void>;
  /** That tenant's row (no scope: the no-tenant row), never another tenant's row with the same id. */
  get(id: string, scope?: TenantScope): Promise<TicketSummary | undefined>;
  /**
   * Rows matching `query.filter`. `filter.tenantId` a string: that tenant's rows only; `null`: the
   * no-tenant rows only; absent: every row (the desk always passes a string or `null`). An empty
   * array for a "one of" key (`status: []`, `ids: []`) matches nothing. Any string, including one
   * holding U+0000, is an ordinary value: it never makes the adapter fail. Order and cursors are
   * exact within one tenant; across tenants (no `tenantId`) two rows with the same id and sort value
   * tie, so page within one tenant. `filter.text` searches the rows' documents in the part
   * `textScope` allows (`matchesSearch` is the meaning, stemming aside); a text that does not parse
   * is a `ValidationError`; each result of a search with words gets a `snippet` of the allowed part,
   * and the `relevance` sort ranks by the engine's score. `clear` drops the documents with the rows.
   */
  query(query: TicketQuery): Promise<Page<TicketSummary>>;
  /**
   * Optional: how many rows `query` would return over all its pages, for dashboards. The desk pages
   * through `query` when an adapter does not have it.
   */
  count?(query: Pick<TicketQuery, 'filter' | 'textScope'>): Promise<number>;
  /** The position of the last event folded into that tenant's rows. */
  checkpoint(scope?: TenantScope): Promise<string | undefined>;
  setCheckpoint(position: string, scope?: TenantScope): Promise<void>;
  /**
   * Removes that tenant's rows and checkpoint (before a rebuild of that tenant); no scope: the
   * no-tenant rows. Other tenants' rows and checkpoints stay as they are.
   */
  clear(scope?: TenantScope): Promise<void>;
}

/** Which email Message-IDs belong to which ticket, per tenant: the same Message-ID in two tenants is two entries. */
export interface MessageIndex {
  /** Records that an email Message-ID belongs to a ticket of that tenant; `false` if the tenant already knew it. */
  put(messageId: string, ticketId: string, scope?: TenantScope): Promise<boolean>;
  /** The ticket of that tenant the Message-ID belongs to; another tenant's entry is not seen. */
  get(messageId: string, scope?: TenantScope): Promise<string | undefined>;
}

export interface OutboundEmail {
  from: string;
  to: string[];
  cc?: string[];
  replyTo?: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
  text: string;
  html?: string;
  attachments?: { filename: string; contentType: string; content: Uint8Array; contentId?: string }[];
  /**
   * The SMTP envelope. `from` is the MAIL FROM (Return-Path) that bounces go to: the email channel
   * sets it to the ticket's signed reply address (VERP), so a bounce that quotes nothing of the
   * original still finds its ticket. `to` defaults to `to` and `cc`.
   */
  envelope?: { from: string; to?: string[] };
}

export interface MailTransport {
  send(mail: OutboundEmail): Promise<{ accepted: string[]; rejected: string[] }>;
}

export interface BlobMeta {
  contentType: string;
  filename?: string;
  /** The tenant the blob belongs to (absent: no tenant). Only a read with that scope finds it. */
  tenantId?: string;
  /** Who stored it, e.g. `{ kind: 'customer', id: 'c1' }` or `{ kind: 'channel', id: 'email' }`. */
  owner?: { kind: string; id: string };
  /** The ticket it was stored for, when known. */
  ticketId?: string;
}

/**
 * Attachment bytes and what is known about them. Blobs are scoped like every port: a read with
 * another tenant's scope (or without a scope, for a tenant's blob) finds nothing.
 */
export interface BlobStore {
  put(bytes: Uint8Array, meta: BlobMeta): Promise<BlobRef>;
  /** The bytes, or `undefined` for an unknown blob or one of another tenant. */
  get(ref: BlobRef | string, scope?: TenantScope): Promise<Uint8Array | undefined>;
  /** The metadata it was stored with and its size, or `undefined` as `get` would. */
  stat(ref: BlobRef | string, scope?: TenantScope): Promise<(BlobMeta & { size: number }) | undefined>;
}

/** What `createHelpdesk` takes as `store`, and what every shipped adapter returns. */
export interface Store {
  events: EventStore;
  index: TicketIndex;
  messages: MessageIndex;
  blobs: BlobStore;
  close?(): Promise<void>;
}
