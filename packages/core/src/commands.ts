import type {
  Actor,
  Attachment,
  Channel,
  EmailMeta,
  JsonValue,
  NotifyTarget,
  Party,
  Priority,
  Visibility,
} from './model';

/**
 * Opens a ticket. `ticketType` is the ticket's type (the design's `type?`, renamed because `type`
 * is the command's discriminant).
 */
export interface OpenTicket {
  type: 'openTicket';
  ticketId?: string;
  channel: Channel;
  requester: Party;
  subject: string;
  body: string;
  html?: string;
  ticketType?: string;
  team?: string;
  priority?: Priority;
  tags?: string[];
  fields?: Record<string, JsonValue>;
  attachments?: Attachment[];
  cc?: string[];
  email?: EmailMeta;
  /** Set by the service when a reply to a closed ticket opens a follow-up. */
  followUpOf?: string;
}

export interface PostMessage {
  type: 'postMessage';
  ticketId: string;
  body: string;
  html?: string;
  visibility: Visibility;
  channel?: Channel;
  attachments?: Attachment[];
  email?: EmailMeta;
  /** For mail the email channel classified as automatic: record it, but never move the status. */
  automatic?: boolean;
  /**
   * An internal note that is also a notification: the email channel mails it to the addresses in
   * `to` (other recipients are for your own `deliver` hooks), retried and recorded like any mail.
   * `text` is the mail's body when it should differ from the note's. Internal notes only.
   */
  notify?: NotifyTarget;
}

export interface ChangeStatus {
  type: 'changeStatus';
  ticketId: string;
  status: string;
}
export interface Assign {
  type: 'assign';
  ticketId: string;
  assignee?: string;
  team?: string;
  strategy?: string;
}
export interface Unassign {
  type: 'unassign';
  ticketId: string;
  /** Also clear the team. */
  team?: boolean;
}
export interface SetPriority {
  type: 'setPriority';
  ticketId: string;
  priority: Priority;
}
export interface SetType {
  type: 'setType';
  ticketId: string;
  ticketType: string;
}
export interface Tag {
  type: 'tag';
  ticketId: string;
  tags: string[];
}
export interface Untag {
  type: 'untag';
  ticketId: string;
  tags: string[];
}
export interface SetFields {
  type: 'setFields';
  ticketId: string;
  /** New values; `null` removes a field. */
  fields: Record<string, JsonValue>;
}
export interface AddFollower {
  type: 'addFollower';
  ticketId: string;
  follower: Party;
}
export interface RemoveFollower {
  type: 'removeFollower';
  ticketId: string;
  followerId: string;
}
export interface LogTime {
  type: 'logTime';
  ticketId: string;
  minutes: number;
  note?: string;
  billable?: boolean;
}
export interface RequestRating {
  type: 'requestRating';
  ticketId: string;
}
export interface Rate {
  type: 'rate';
  ticketId: string;
  score: number;
  comment?: string;
}
export interface Merge {
  type: 'merge';
  ticketId: string;
  into: string;
}
export interface LinkTickets {
  type: 'link';
  ticketId: string;
  to: string;
  relation: string;
}

/** Every command of core (`desk.execute` also takes the commands of installed extensions). */
export type Command =
  | OpenTicket
  | PostMessage
  | ChangeStatus
  | Assign
  | Unassign
  | SetPriority
  | SetType
  | Tag
  | Untag
  | SetFields
  | AddFollower
  | RemoveFollower
  | LogTime
  | RequestRating
  | Rate
  | Merge
  | LinkTickets;

export type CommandType = Command['type'];

/**
 * A command of an installed extension, as `desk.execute` takes it: its type and ticket, and the
 * extension's own fields (checked by the extension's `validate`). Declare an extension's command
 * types with `type`, not `interface`, so they fit this shape.
 */
export type ModuleCommand = { type: string; ticketId: string; [field: string]: unknown };

/** A command an extension issues, with who it runs as and which rule caused it. */
export interface IssuedCommand {
  command: Command | ModuleCommand;
  actor?: Actor;
  ruleId?: string;
  idempotencyKey?: string;
}

export interface ExecuteOptions {
  actor: Actor;
  idempotencyKey?: string;
  causationId?: string;
  correlationId?: string;
  ruleId?: string;
}
