import type {
  Actor,
  Attachment,
  Channel,
  EmailMeta,
  JsonValue,
  NotifyTarget,
  Party,
  Priority,
  StatusCategory,
  Visibility,
} from './model';

export interface TicketOpenedData {
  ticketId: string;
  number: number;
  tenantId?: string;
  subject: string;
  channel: Channel;
  requester: Party;
  workflowId: string;
  status: string;
  category: StatusCategory;
  type?: string;
  team?: string;
  priority: Priority;
  tags: string[];
  fields: Record<string, JsonValue>;
  cc?: string[];
  /** Set when a customer's reply to a closed ticket opened this one. */
  followUpOf?: string;
}

export interface MessagePostedData {
  messageId: string;
  author: Actor;
  visibility: Visibility;
  body: string;
  html?: string;
  channel: Channel;
  attachments: Attachment[];
  email?: EmailMeta;
  /** Recorded as automatic mail (an auto-reply, a list message): it moved no status. */
  automatic?: boolean;
  /** An internal note that is also a notification to these recipients (see `postMessage`). */
  notify?: NotifyTarget;
}

export interface StatusChangedData {
  from: string;
  to: string;
  fromCategory: StatusCategory;
  category: StatusCategory;
  /** Why it moved: a manual change, a reply per the workflow, a type change, a merge. */
  reason: 'manual' | 'automation' | 'customer-reply' | 'agent-reply' | 'type-change' | 'merge' | 'reopen';
}

export interface AssignedData {
  assignee?: string;
  team?: string;
  previousAssignee?: string;
  previousTeam?: string;
  /** How the assignee was chosen: manual, round-robin, balanced… */
  strategy?: string;
}

export interface UnassignedData {
  previousAssignee?: string;
  previousTeam?: string;
  /** Whether the team was cleared too. */
  team: boolean;
}

export interface PriorityChangedData {
  from: Priority;
  to: Priority;
}

export interface TypeChangedData {
  from?: string;
  to: string;
  fromWorkflow: string;
  workflowId: string;
}

export interface TagsChangedData {
  added: string[];
  removed: string[];
}

export interface FieldsChangedData {
  /** New values; `null` removes a field. */
  changes: Record<string, JsonValue>;
  previous: Record<string, JsonValue>;
}

export interface FollowerAddedData {
  follower: Party;
}
export interface FollowerRemovedData {
  followerId: string;
}

export interface TimeLoggedData {
  minutes: number;
  agentId: string;
  note?: string;
  billable?: boolean;
}

export type RatingRequestedData = Record<string, never>;
export interface RatingReceivedData {
  score: number;
  comment?: string;
}

export interface TicketMergedData {
  into: string;
}
export interface TicketReceivedMergeData {
  from: string;
}
export interface TicketLinkedData {
  to: string;
  relation: string;
}

/** The v1 event catalogue of core: event type → its data (extensions own their own events). */
export interface EventDataMap {
  TicketOpened: TicketOpenedData;
  MessagePosted: MessagePostedData;
  StatusChanged: StatusChangedData;
  Assigned: AssignedData;
  Unassigned: UnassignedData;
  PriorityChanged: PriorityChangedData;
  TypeChanged: TypeChangedData;
  TagsChanged: TagsChangedData;
  FieldsChanged: FieldsChangedData;
  FollowerAdded: FollowerAddedData;
  FollowerRemoved: FollowerRemovedData;
  TimeLogged: TimeLoggedData;
  RatingRequested: RatingRequestedData;
  RatingReceived: RatingReceivedData;
  TicketMerged: TicketMergedData;
  TicketReceivedMerge: TicketReceivedMergeData;
  TicketLinked: TicketLinkedData;
}

export type EventType = keyof EventDataMap;

export const EVENT_TYPES = [
  'TicketOpened',
  'MessagePosted',
  'StatusChanged',
  'Assigned',
  'Unassigned',
  'PriorityChanged',
  'TypeChanged',
  'TagsChanged',
  'FieldsChanged',
  'FollowerAdded',
  'FollowerRemoved',
  'TimeLogged',
  'RatingRequested',
  'RatingReceived',
  'TicketMerged',
  'TicketReceivedMerge',
  'TicketLinked',
] as const satisfies readonly EventType[];

/** The current schema version of every v1 event. */
export const SCHEMA_VERSION = 1;

/** A domain event: `{ type, data }`. */
export type DomainEvent = { [K in EventType]: { type: K; data: EventDataMap[K] } }[EventType];

/** The envelope every event carries besides its type and data. */
export interface EventMeta {
  eventId: string;
  occurredAt: string;
  actor: Actor;
  causationId?: string;
  correlationId?: string;
  ruleId?: string;
  /** The key the command was executed with: a retry with the same key is answered from the log. */
  idempotencyKey?: string;
  schemaVersion: number;
}

/** An event about to be appended: the store adds streamId, version and position. */
export type NewEvent = DomainEvent & EventMeta;

/** An event as stored: `version` counts from 1 in its stream; `position` is the global order. */
export type StoredEvent = NewEvent & { streamId: string; version: number; position: string };

/**
 * An event an extension decides: its own type (one of the extension's `events`) and JSON data.
 * Core adds the envelope (id, time, actor, causation) when it appends it.
 */
export interface NewDomainEvent<T extends string = string, D = Record<string, unknown>> {
  type: T;
  data: D;
}

/**
 * An extension's event as stored: its own type and data in core's envelope. In a ticket's stream
 * it sits among core's events; `readStream` and `history` type every event as `StoredEvent`, so an
 * extension narrows its own with `isExtensionEvent`.
 */
export type StoredExtensionEvent<T extends string = string, D = Record<string, unknown>> = EventMeta & {
  type: T;
  data: D;
  streamId: string;
  version: number;
  position: string;
};

/**
 * Whether a stored event is of this (extension) type, typing its data as the extension says.
 *
 * @example
 * const credits = isExtensionEvent<{ credits: number }>(event, 'IncidentsGranted') ? event.data.credits : 0;
 */
export function isExtensionEvent<D = Record<string, unknown>, T extends string = string>(
  event: { type: string },
  type: T,
): event is StoredExtensionEvent<T, D> {
  return event.type === type;
}

/** A stored event of one type. */
export type StoredEventOf<K extends EventType> = StoredEvent & { type: K };

/**
 * Upgrades an event stored with an older `schemaVersion` to the current shape, on read.
 * Return the event unchanged when it needs nothing.
 */
export type Upcaster = (event: StoredEvent) => StoredEvent;
