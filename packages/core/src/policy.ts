import type { Command } from './commands';
import type { StoredEvent } from './events';
import type { Actor, Ticket } from './model';
import type { TicketFilter, TicketSummary } from './ports';
import { createRedaction } from './redact';

/**
 * Decides what an actor may do and see. Replace it through `createHelpdesk({ policy })`.
 * `authorize` returns a reason when the answer is no.
 */
export interface Policy {
  authorize(actor: Actor, command: Command, ticket: Ticket | undefined): string | undefined;
  canView(actor: Actor, ticket: Ticket): boolean;
  /**
   * The ticket as this actor may see it (for customers: no internal notes, internal fields or
   * bookkeeping). `visibleRelated` holds the linked and merged tickets the actor may see.
   */
  redact(actor: Actor, ticket: Ticket, context?: { visibleRelated?: ReadonlySet<string> }): Ticket;
  /** A ticket's index row as this actor may see it. Default: the desk's built-in redaction. */
  redactSummary?(actor: Actor, summary: TicketSummary): TicketSummary;
  /**
   * One event of a ticket's history as this actor may see it, or `undefined` to leave it out.
   * Default: the desk's built-in redaction.
   */
  redactEvent?(
    actor: Actor,
    event: StoredEvent,
    context?: { visibleRelated?: ReadonlySet<string> },
  ): StoredEvent | undefined;
  /**
   * The filter that limits queries to the tickets this actor may see; `undefined` for all, `null`
   * for none (an actor kind the policy does not know).
   */
  scope(actor: Actor): TicketFilter | undefined | null;
}

export interface DefaultPolicyOptions {
  /** Whether customers may solve or close their own tickets (default false). */
  customersMayClose?: boolean;
  /** Which tickets a customer sees: those they requested, or their whole organization's. */
  visibility?: 'requester' | 'organization';
  /** Custom fields customers never see. */
  internalFields?: string[];
}

const CUSTOMER_COMMANDS = new Set<Command['type']>([
  'openTicket',
  'postMessage',
  'rate',
  'changeStatus',
  'addFollower',
]);

/**
 * The default policy: customers open tickets, post public messages and rate tickets they requested
 * (or their organization's, with `visibility: 'organization'`); followers and addresses copied on a
 * ticket see it and post public messages too. Customers may close their own only if
 * `customersMayClose`, follow tickets only themselves, never choose a ticket id, and never see
 * internal notes, internal fields or bookkeeping (see `createRedaction`). Agents act on tickets of
 * their teams and on tickets with no team; admins, automations and the system on all. Any other
 * actor kind is refused everything and sees nothing (fail closed).
 *
 * @example
 * createHelpdesk({ policy: defaultPolicy({ customersMayClose: true, internalFields: ['margin'] }) });
 */
export function defaultPolicy(options: DefaultPolicyOptions = {}): Policy {
  const redaction = createRedaction(
    options.internalFields === undefined ? {} : { internalFields: options.internalFields },
  );
  const ownsTicket = (actor: Actor, ticket: Ticket) =>
    ticket.requester.id === actor.id ||
    (options.visibility === 'organization' &&
      actor.organizationId !== undefined &&
      ticket.requester.organizationId === actor.organizationId);
  /** Followers and addresses copied on the ticket take part in the conversation (see and post publicly). */
  const takesPart = (actor: Actor, ticket: Ticket) =>
    ownsTicket(actor, ticket) ||
    ticket.followers.some((f) => f.id === actor.id) ||
    (actor.email !== undefined && ticket.cc.some((c) => c.toLowerCase() === actor.email!.toLowerCase()));
  const agentReaches = (actor: Actor, ticket: Ticket | undefined) =>
    ticket === undefined || ticket.team === undefined || (actor.teams ?? []).includes(ticket.team);

  const canView = (actor: Actor, ticket: Ticket): boolean => {
    switch (actor.kind) {
      case 'customer':
        return takesPart(actor, ticket);
      case 'agent':
        return agentReaches(actor, ticket);
      case 'admin':
      case 'system':
      case 'automation':
        return true;
      default:
        // Fail closed: a kind this policy does not know ('guest', 'Customer', none) sees nothing.
        return false;
    }
  };

  return {
    canView,
    authorize(actor, command, ticket) {
      switch (actor.kind) {
        case 'admin':
        case 'system':
        case 'automation':
          return undefined;
        case 'agent':
          // Handing a ticket to another team is fine: the agent only needs to reach it now.
          return agentReaches(actor, ticket) ? undefined : `agent ${actor.id} is not in team ${ticket?.team}`;
        case 'customer': {
          if (!CUSTOMER_COMMANDS.has(command.type)) return `customers may not ${command.type}`;
          if (command.type === 'openTicket') {
            // A chosen id would tell whether someone else's ticket has it.
            if (command.ticketId !== undefined) return 'customers may not choose a ticket id';
            return command.requester.id === actor.id
              ? undefined
              : 'customers open tickets only for themselves';
          }
          if (!ticket) return `customer ${actor.id} may not act on this ticket`;
          if (command.type === 'postMessage' ? !takesPart(actor, ticket) : !ownsTicket(actor, ticket)) {
            return `customer ${actor.id} may not ${command.type} on this ticket`;
          }
          if (command.type === 'postMessage' && command.visibility !== 'public') {
            return 'customers post public messages only';
          }
          // A follower sees the ticket and its mail: a customer may only follow it themself.
          if (command.type === 'addFollower' && command.follower.id !== actor.id) {
            return 'customers may add only themselves as followers';
          }
          if (command.type === 'changeStatus') {
            if (!options.customersMayClose) return 'customers may not change the status';
            return undefined; // the decider checks the target is a solved or closed status
          }
          return undefined;
        }
        default:
          return `actor kind ${JSON.stringify(actor.kind)} may do nothing`;
      }
    },
    redact: (actor, ticket, context) => redaction.ticket(actor, ticket, context),
    redactSummary: (actor, summary) => redaction.summary(actor, summary),
    redactEvent: (actor, event, context) => redaction.event(actor, event, context),
    scope(actor) {
      switch (actor.kind) {
        case 'customer':
          return options.visibility === 'organization' && actor.organizationId !== undefined
            ? { anyOf: [{ requesterId: actor.id }, { organization: actor.organizationId }] }
            : { requesterId: actor.id };
        case 'agent':
          return { team: [...(actor.teams ?? []), null] };
        case 'admin':
        case 'system':
        case 'automation':
          return undefined;
        default:
          return null;
      }
    },
  };
}
