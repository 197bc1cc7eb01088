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
}

type OneOrMany<T> = T | T[];

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
  /** Case-insensitive substring of the subject. */
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
  | 'dueAt';

export interface TicketQuery {
  filter?: TicketFilter;
  /** Default: `updatedAt` descending. Ties break by id in the same direction. Tickets without the sort value come last. */
  sort?: { field: SortField; direction?: 'asc' | 'desc' };
  /** Default 50, at most 500. */
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface TicketIndex {
  /**
   * Writes a ticket's row. Must keep the row with the highest `version`: an upsert with a lower
   * version than the stored row changes nothing (writers in several processes may finish out of
   * order); an equal version replaces it (a rebuild, or an extension's summary changing).
   */
  upsert(summary: TicketSummary, position?: string): Promise<void>;
  get(id: string): Promise<TicketSummary | undefined>;
  query(query: TicketQuery): Promise<Page<TicketSummary>>;
  /** The position of the last event folded into the index. */
  checkpoint(): Promise<string | undefined>;
  setCheckpoint(position: string): Promise<void>;
  /** Removes every row and the checkpoint (before a rebuild). */
  clear(): Promise<void>;
}

export interface MessageIndex {
  /** Records that an email Message-ID belongs to a ticket; `false` if it was already known. */
  put(messageId: string, ticketId: string): Promise<boolean>;
  get(messageId: string): Promise<string | undefined>;
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
}

export interface BlobStore {
  put(bytes: Uint8Array, meta: BlobMeta): Promise<BlobRef>;
  get(ref: BlobRef | string): Promise<Uint8Array | undefined>;
}

/** What `createHelpdesk` takes as `store`, and what every shipped adapter returns. */
export interface Store {
  events: EventStore;
  index: TicketIndex;
  messages: MessageIndex;
  blobs: BlobStore;
  close?(): Promise<void>;
}
