import type { Command } from './commands';
import type { Actor, Ticket } from './model';
import type { TicketFilter } from './ports';

/**
 * Decides what an actor may do and see. Replace it through `createHelpdesk({ policy })`.
 * `authorize` returns a reason when the answer is no.
 */
export interface Policy {
  authorize(actor: Actor, command: Command, ticket: Ticket | undefined): string | undefined;
  canView(actor: Actor, ticket: Ticket): boolean;
  /** The ticket as this actor may see it (internal notes and internal fields removed for customers). */
  redact(actor: Actor, ticket: Ticket): Ticket;
  /** The filter that limits queries to the tickets this actor may see; `undefined` for all. */
  scope(actor: Actor): TicketFilter | undefined;
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
const SYSTEM_ONLY = new Set<Command['type']>(['recordSla', 'recordDelivery', 'claimDelivery']);

/**
 * The default policy: customers open tickets, post public messages and rate tickets they requested
 * (or their organization's, with `visibility: 'organization'`); followers and addresses copied on a
 * ticket see it and post public messages too. Customers may close their own only if
 * `customersMayClose`, and never see internal notes or internal fields. Agents act on tickets of
 * their teams and on tickets with no team; admins, automations and the system on all.
 *
 * @example
 * createHelpdesk({ policy: defaultPolicy({ customersMayClose: true, internalFields: ['margin'] }) });
 */
export function defaultPolicy(options: DefaultPolicyOptions = {}): Policy {
  const internalFields = new Set(options.internalFields ?? []);
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
      default:
        return true;
    }
  };

  return {
    canView,
    authorize(actor, command, ticket) {
      if (SYSTEM_ONLY.has(command.type) && actor.kind !== 'system' && actor.kind !== 'automation') {
        return `${command.type} is recorded by the system only`;
      }
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
          if (command.type === 'addFollower' && command.follower.organizationId !== actor.organizationId) {
            return 'customers may add followers from their own organization only';
          }
          if (command.type === 'changeStatus') {
            if (!options.customersMayClose) return 'customers may not change the status';
            return undefined; // the decider checks the target is a solved or closed status
          }
          return undefined;
        }
      }
    },
    redact(actor, ticket) {
      if (actor.kind !== 'customer') return ticket;
      const fields = Object.fromEntries(
        Object.entries(ticket.fields).filter(([key]) => !internalFields.has(key)),
      );
      return {
        ...ticket,
        fields,
        messages: ticket.messages.filter((m) => m.visibility === 'public'),
        timeLoggedMinutes: 0,
        sla: [],
        sendClaims: [],
      };
    },
    scope(actor) {
      switch (actor.kind) {
        case 'customer':
          return options.visibility === 'organization' && actor.organizationId !== undefined
            ? { anyOf: [{ requesterId: actor.id }, { organization: actor.organizationId }] }
            : { requesterId: actor.id };
        case 'agent':
          return { team: [...(actor.teams ?? []), null] };
        default:
          return undefined;
      }
    },
  };
}
