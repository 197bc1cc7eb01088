import type { Command } from './commands';
import type { DecideContext } from './decide-context';
import { normalizeTags } from './decided-events';
import { ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { JsonValue, Ticket } from './model';
import { DEFAULT_LIMITS } from './validate';

// The deciders of the commands that change what a ticket holds, not where it stands: each decides
// nothing when the command would change nothing.

/** A command of one type. */
type Of<K extends Command['type']> = Extract<Command, { type: K }>;

/** An assignment to an agent, a team or both; nothing when it changes nothing. */
export function decideAssign(ticket: Ticket, command: Of<'assign'>, _ctx: DecideContext): DomainEvent[] {
  const assignee = command.assignee ?? ticket.assignee;
  const team = command.team ?? ticket.team;
  if (assignee === ticket.assignee && team === ticket.team) return [];
  return [
    {
      type: 'Assigned',
      data: {
        ...(command.assignee === undefined ? {} : { assignee: command.assignee }),
        ...(command.team === undefined ? {} : { team: command.team }),
        ...(ticket.assignee === undefined ? {} : { previousAssignee: ticket.assignee }),
        ...(ticket.team === undefined ? {} : { previousTeam: ticket.team }),
        strategy: command.strategy ?? 'manual',
      },
    },
  ];
}

/** Clears the assignee (and the team when asked). */
export function decideUnassign(ticket: Ticket, command: Of<'unassign'>, _ctx: DecideContext): DomainEvent[] {
  const clearTeam = command.team === true && ticket.team !== undefined;
  if (ticket.assignee === undefined && !clearTeam) return [];
  return [
    {
      type: 'Unassigned',
      data: {
        team: clearTeam,
        ...(ticket.assignee === undefined ? {} : { previousAssignee: ticket.assignee }),
        ...(ticket.team === undefined ? {} : { previousTeam: ticket.team }),
      },
    },
  ];
}

/** A priority change. */
export function decideSetPriority(
  ticket: Ticket,
  command: Of<'setPriority'>,
  _ctx: DecideContext,
): DomainEvent[] {
  if (ticket.priority === command.priority) return [];
  return [{ type: 'PriorityChanged', data: { from: ticket.priority, to: command.priority } }];
}

/** Tags added or removed (normalised, at most `maxTags`). */
export function decideTags(ticket: Ticket, command: Of<'tag' | 'untag'>, ctx: DecideContext): DomainEvent[] {
  const tags = normalizeTags(command.tags);
  const added = command.type === 'tag' ? tags.filter((t) => !ticket.tags.includes(t)) : [];
  const removed = command.type === 'untag' ? tags.filter((t) => ticket.tags.includes(t)) : [];
  if (added.length === 0 && removed.length === 0) return [];
  const limit = ctx.limits?.maxTags ?? DEFAULT_LIMITS.maxTags;
  if (ticket.tags.length + added.length > limit) {
    throw new ValidationError([{ path: 'tags', message: `a ticket carries at most ${limit} tags` }]);
  }
  return [{ type: 'TagsChanged', data: { added, removed } }];
}

/** Custom fields changed; `null` removes one. */
export function decideSetFields(
  ticket: Ticket,
  command: Of<'setFields'>,
  _ctx: DecideContext,
): DomainEvent[] {
  const changes: Record<string, JsonValue> = {};
  const previous: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(command.fields)) {
    const before = ticket.fields[key];
    if (JSON.stringify(before ?? null) === JSON.stringify(value)) continue;
    changes[key] = value;
    previous[key] = before ?? null;
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'FieldsChanged', data: { changes, previous } }];
}

/** A follower added (once). */
export function decideAddFollower(
  ticket: Ticket,
  command: Of<'addFollower'>,
  _ctx: DecideContext,
): DomainEvent[] {
  if (ticket.followers.some((f) => f.id === command.follower.id)) return [];
  return [{ type: 'FollowerAdded', data: { follower: command.follower } }];
}

/** A follower removed. */
export function decideRemoveFollower(
  ticket: Ticket,
  command: Of<'removeFollower'>,
  _ctx: DecideContext,
): DomainEvent[] {
  if (!ticket.followers.some((f) => f.id === command.followerId)) return [];
  return [{ type: 'FollowerRemoved', data: { followerId: command.followerId } }];
}

/** Time logged by the actor. */
export function decideLogTime(_ticket: Ticket, command: Of<'logTime'>, ctx: DecideContext): DomainEvent[] {
  const { actor } = ctx;
  return [
    {
      type: 'TimeLogged',
      data: {
        minutes: command.minutes,
        agentId: actor.id,
        ...(command.note === undefined ? {} : { note: command.note }),
        ...(command.billable === undefined ? {} : { billable: command.billable }),
      },
    },
  ];
}

/** A link to another ticket (once per target and relation). */
export function decideLink(ticket: Ticket, command: Of<'link'>, _ctx: DecideContext): DomainEvent[] {
  if (command.to === ticket.id)
    throw new ValidationError([{ path: 'to', message: 'a ticket cannot be linked to itself' }]);
  if (ticket.links.some((l) => l.to === command.to && l.relation === command.relation)) return [];
  return [{ type: 'TicketLinked', data: { to: command.to, relation: command.relation } }];
}
