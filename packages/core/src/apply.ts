import { produce } from 'immer';
import type { NewEvent, StoredEvent } from './events';
import type { Ticket } from './model';

/** Bookkeeping events record what the system did; they do not count as an update of the ticket. */
const BOOKKEEPING = new Set(['SlaWarning', 'SlaBreached', 'EmailSent', 'EmailDeliveryFailed']);

type Applicable = (NewEvent | StoredEvent) & { version?: number; streamId?: string };

function opened(event: Applicable & { type: 'TicketOpened' }): Ticket {
  const d = event.data;
  const ticket: Ticket = {
    id: d.ticketId,
    number: d.number,
    subject: d.subject,
    status: d.status,
    category: d.category,
    workflowId: d.workflowId,
    priority: d.priority,
    tags: [...d.tags],
    fields: { ...d.fields },
    requester: { ...d.requester },
    followers: [],
    cc: [...(d.cc ?? [])],
    channel: d.channel,
    messages: [],
    links: d.followUpOf ? [{ to: d.followUpOf, relation: 'follow-up-of' }] : [],
    mergedFrom: [],
    timeLoggedMinutes: 0,
    deliveries: [],
    sla: [],
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
    statusChangedAt: event.occurredAt,
    statusHistory: [{ status: d.status, category: d.category, at: event.occurredAt }],
    ruleRuns: event.ruleId === undefined ? {} : { [event.ruleId]: event.occurredAt },
    lastUpdatedBy: event.actor,
    version: event.version ?? 1,
  };
  if (d.tenantId !== undefined) ticket.tenantId = d.tenantId;
  if (d.type !== undefined) ticket.type = d.type;
  if (d.team !== undefined) ticket.team = d.team;
  return ticket;
}

/**
 * The one place each event's effect on a ticket is written: a mutation of a draft. `evolve` runs
 * it under immer; `fold` runs it on one fresh private object for a whole stream.
 */
export function apply(t: Ticket, event: Applicable): void {
  if (event.version !== undefined) t.version = event.version;
  else t.version += 1;
  if (event.ruleId !== undefined) t.ruleRuns[event.ruleId] = event.occurredAt;
  if (!BOOKKEEPING.has(event.type)) {
    t.updatedAt = event.occurredAt;
    t.lastUpdatedBy = event.actor;
  }
  switch (event.type) {
    case 'TicketOpened':
      return; // handled by `opened`; a second TicketOpened in a stream is never decided
    case 'MessagePosted': {
      const d = event.data;
      const message: Ticket['messages'][number] = {
        id: d.messageId,
        author: d.author,
        visibility: d.visibility,
        body: d.body,
        channel: d.channel,
        at: event.occurredAt,
        attachments: d.attachments,
      };
      if (d.html !== undefined) message.html = d.html;
      if (d.email !== undefined) message.email = d.email;
      t.messages.push(message);
      if (d.author.kind === 'customer') t.lastCustomerMessageAt = event.occurredAt;
      else if (d.visibility === 'public' && (d.author.kind === 'agent' || d.author.kind === 'admin')) {
        t.lastAgentReplyAt = event.occurredAt;
      }
      if (d.email?.cc) for (const cc of d.email.cc) if (!t.cc.includes(cc)) t.cc.push(cc);
      return;
    }
    case 'StatusChanged': {
      const d = event.data;
      t.status = d.to;
      t.category = d.category;
      t.statusChangedAt = event.occurredAt;
      t.statusHistory.push({ status: d.to, category: d.category, at: event.occurredAt });
      if (d.category === 'solved') t.solvedAt = event.occurredAt;
      if (d.category === 'closed') t.closedAt = event.occurredAt;
      return;
    }
    case 'Assigned':
      if (event.data.assignee !== undefined) t.assignee = event.data.assignee;
      if (event.data.team !== undefined) t.team = event.data.team;
      return;
    case 'Unassigned':
      delete t.assignee;
      if (event.data.team) delete t.team;
      return;
    case 'PriorityChanged':
      t.priority = event.data.to;
      return;
    case 'TypeChanged':
      t.type = event.data.to;
      t.workflowId = event.data.workflowId;
      return;
    case 'TagsChanged': {
      const removed = new Set(event.data.removed);
      t.tags = t.tags.filter((tag) => !removed.has(tag)).concat(event.data.added);
      return;
    }
    case 'FieldsChanged':
      for (const [key, value] of Object.entries(event.data.changes)) {
        if (value === null) delete t.fields[key];
        else t.fields[key] = value;
      }
      return;
    case 'FollowerAdded':
      t.followers.push(event.data.follower);
      return;
    case 'FollowerRemoved':
      t.followers = t.followers.filter((f) => f.id !== event.data.followerId);
      return;
    case 'TimeLogged':
      t.timeLoggedMinutes += event.data.minutes;
      return;
    case 'RatingRequested':
      t.ratingRequestedAt = event.occurredAt;
      return;
    case 'RatingReceived': {
      const rating: NonNullable<Ticket['rating']> = { score: event.data.score, at: event.occurredAt };
      if (event.data.comment !== undefined) rating.comment = event.data.comment;
      t.rating = rating;
      return;
    }
    case 'TicketMerged':
      t.mergedInto = event.data.into;
      return;
    case 'TicketReceivedMerge':
      t.mergedFrom.push(event.data.from);
      return;
    case 'TicketLinked':
      t.links.push({ to: event.data.to, relation: event.data.relation });
      return;
    case 'SlaWarning':
    case 'SlaBreached':
      t.sla.push({
        metric: event.data.metric,
        kind: event.type === 'SlaWarning' ? 'warning' : 'breach',
        policyId: event.data.policyId,
        deadline: event.data.deadline,
        at: event.occurredAt,
      });
      return;
    case 'EmailSent':
      t.deliveries.push({
        messageId: event.data.messageId,
        emailMessageId: event.data.emailMessageId,
        status: 'sent',
        recipients: event.data.recipients,
        attempts: event.data.attempts,
        at: event.occurredAt,
      });
      return;
    case 'EmailDeliveryFailed': {
      const d = event.data;
      const delivery: Ticket['deliveries'][number] = {
        messageId: d.messageId,
        status: 'failed',
        recipients: d.recipients,
        attempts: d.attempts,
        permanent: d.permanent,
        error: d.error,
        at: event.occurredAt,
      };
      if (d.emailMessageId !== undefined) delivery.emailMessageId = d.emailMessageId;
      t.deliveries.push(delivery);
      return;
    }
  }
}

/**
 * The ticket after one more event, as a new object; `state` is left untouched (immer).
 *
 * @example
 * const next = evolve(ticket, storedEvent);
 */
export function evolve(state: Ticket | undefined, event: Applicable): Ticket {
  if (event.type === 'TicketOpened') return opened(event);
  if (state === undefined) throw new Error(`cannot apply ${event.type} before TicketOpened`);
  return produce(state, (draft) => {
    apply(draft, event);
  });
}

/**
 * The ticket after several more events, as a new object, in one immer `produce`; `state` is left
 * untouched. Starts fresh at a TicketOpened.
 *
 * @example
 * const next = evolveAll(ticket, committedEvents);
 */
export function evolveAll(state: Ticket | undefined, events: readonly Applicable[]): Ticket | undefined {
  let i = 0;
  while (i < events.length && (state === undefined || events[i]!.type === 'TicketOpened')) {
    if (events[i]!.type === 'TicketOpened')
      state = opened(events[i] as Applicable & { type: 'TicketOpened' });
    i++;
  }
  if (state === undefined || i >= events.length) return state;
  const rest = events.slice(i);
  return produce(state, (draft) => {
    for (const e of rest) apply(draft, e);
  });
}

/**
 * Folds a whole stream into a ticket, mutating one fresh private object (no proxy per event).
 *
 * @example
 * const ticket = fold(await store.events.readStream('ticket-T1'));
 */
export function fold(events: readonly Applicable[]): Ticket | undefined {
  let state: Ticket | undefined;
  for (const event of events) {
    if (event.type === 'TicketOpened') state = opened(event);
    else if (state !== undefined) apply(state, event);
  }
  return state;
}
