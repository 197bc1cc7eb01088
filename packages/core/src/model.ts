/** Any JSON value: what custom fields, event data and metadata may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A person or system a ticket is about or involves. */
export interface Party {
  id: string;
  email?: string;
  name?: string;
  organizationId?: string;
}

export type ActorKind = 'customer' | 'agent' | 'admin' | 'system' | 'automation';

/** Who does something. Every event records its actor. */
export interface Actor extends Party {
  kind: ActorKind;
  teams?: string[];
}

export const CHANNELS = ['email', 'portal', 'web-form', 'chat', 'api', 'phone', 'agent'] as const;
/** Where a ticket or message came from. */
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Each priority's rank, low → 0 … urgent → 3, for ordering (`gt`, sorting); a string that is no priority has none. */
export const PRIORITY_RANK: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(PRIORITIES.map((p, i) => [p, i])),
);

export type Visibility = 'public' | 'internal';

export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'merged'] as const;
/** The category of a status: what it means for the ticket whatever the workflow calls it. */
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

/** A file stored in the BlobStore. */
export interface BlobRef {
  id: string;
  size: number;
  contentType: string;
  sha256?: string;
}

/** An attachment as metadata on a message; the bytes live in the BlobStore when `blob` is set. */
export interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  blob?: BlobRef;
  /** For inline images in HTML (`cid:` references). */
  contentId?: string;
  inline?: boolean;
}

/** What the email channel records about a message that came or went by mail. */
export interface EmailMeta {
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  from?: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  /** `human`, `auto-reply`, `bulk`, `bounce` or `loop` as classified on the way in. */
  classification?: string;
}

export interface Message {
  id: string;
  author: Actor;
  visibility: Visibility;
  body: string;
  html?: string;
  channel: Channel;
  at: string;
  attachments: Attachment[];
  email?: EmailMeta;
  /** An internal note that is also a notification to these recipients (see `postMessage`). */
  notify?: NotifyTarget;
}

/** Who an internal note is also sent to as a notification, and (when it differs) the text sent. */
export interface NotifyTarget {
  to: string[];
  text?: string;
}

export interface Link {
  to: string;
  relation: string;
}

export interface Rating {
  score: number;
  comment?: string;
  at: string;
}

/**
 * A ticket as `desk.get` and `desk.execute` return it: the fold of its events.
 * Times are ISO-8601 strings in UTC.
 */
export interface Ticket {
  id: string;
  number: number;
  tenantId?: string;
  subject: string;
  status: string;
  category: StatusCategory;
  workflowId: string;
  type?: string;
  team?: string;
  assignee?: string;
  priority: Priority;
  tags: string[];
  fields: Record<string, JsonValue>;
  requester: Party;
  followers: Party[];
  /** Addresses copied on the ticket's mail (email channel), besides the requester and followers. */
  cc: string[];
  channel: Channel;
  messages: Message[];
  links: Link[];
  mergedInto?: string;
  mergedFrom: string[];
  timeLoggedMinutes: number;
  ratingRequestedAt?: string;
  rating?: Rating;
  createdAt: string;
  updatedAt: string;
  statusChangedAt: string;
  /** Every status the ticket has been in, from the first, with when it entered it (SLA pauses read this). */
  statusHistory: { status: string; category: StatusCategory; at: string }[];
  solvedAt?: string;
  closedAt?: string;
  lastCustomerMessageAt?: string;
  lastAgentReplyAt?: string;
  lastUpdatedBy?: Actor;
  /** Each installed extension's slice of the ticket, by extension name (see `Extension.state`). */
  ext: Readonly<Record<string, unknown>>;
  version: number;
}
