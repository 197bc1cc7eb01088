import type { Command } from './commands';
import type { DecideContext } from './decide-context';
import { ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { Actor, JsonValue, Ticket } from './model';
import type { Workflow } from './workflow';
import type { WorkflowSet } from './workflow-set';

// The events and refusals several deciders build the same way.

/**
 * The refusal of an `openTicket` whose `ticketId` names a stream that exists, the same for every
 * actor (customers may not choose ids at all).
 *
 * @example
 * throw takenId('T1'); // ValidationError: ticketId: ticket id T1 cannot be used
 */
export function takenId(ticketId: string, cause?: unknown): ValidationError {
  return new ValidationError(
    [{ path: 'ticketId', message: `ticket id ${ticketId} cannot be used` }],
    cause === undefined ? {} : { cause },
  );
}

/**
 * Fields without the ones set to `null` (null removes a field; a new ticket has none to remove).
 *
 * @example
 * stripNulls({ plan: 'gold', seats: null }); // → { plan: 'gold' }
 */
export function stripNulls(fields: Record<string, JsonValue>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
}

/**
 * The MessagePosted event of an `openTicket` or `postMessage`, authored by the actor.
 *
 * @example
 * messagePosted(command, actor, ctx, 'public');
 */
export function messagePosted(
  command: Extract<Command, { type: 'openTicket' | 'postMessage' }>,
  actor: Actor,
  ctx: DecideContext,
  visibility: 'public' | 'internal',
): DomainEvent {
  const channel = command.channel ?? (actor.kind === 'customer' ? 'portal' : 'agent');
  return {
    type: 'MessagePosted',
    data: {
      messageId: ctx.ids.next(),
      author: actor,
      visibility,
      body: command.body,
      channel,
      attachments: command.attachments ?? [],
      ...(command.html === undefined ? {} : { html: command.html }),
      ...(command.email === undefined ? {} : { email: command.email }),
      ...(command.type === 'postMessage' && command.automatic ? { automatic: true } : {}),
      ...(command.type === 'postMessage' && command.notify ? { notify: command.notify } : {}),
    },
  };
}

/**
 * A StatusChanged event from the ticket's status to `to`, with the category the workflow gives it.
 *
 * @example
 * statusChanged(ticket, workflow, 'open', 'agent-reply');
 */
export function statusChanged(
  ticket: Ticket,
  workflow: Workflow,
  to: string,
  reason: 'manual' | 'automation' | 'customer-reply' | 'agent-reply' | 'reopen',
): DomainEvent {
  return {
    type: 'StatusChanged',
    data: {
      from: ticket.status,
      to,
      fromCategory: ticket.category,
      category: workflow.categoryOf(to) ?? ticket.category,
      reason,
    },
  };
}

/**
 * The workflow a ticket follows (the default one when its id is no longer configured).
 *
 * @example
 * workflowOf(ticket, ctx.workflows).canMove('open', 'solved');
 */
export function workflowOf(ticket: Ticket, workflows: WorkflowSet): Workflow {
  return workflows.get(ticket.workflowId) ?? workflows.default;
}

/**
 * Tags as a ticket keeps them: trimmed, lower-cased, each once.
 *
 * @example
 * normalizeTags([' VIP', 'vip']); // → ['vip']
 */
export const normalizeTags = (tags: readonly string[]): string[] => [
  ...new Set(tags.map((t) => t.trim().toLowerCase())),
];
