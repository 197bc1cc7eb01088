import type { Command } from './commands';
import { decideBookkeeping } from './decide-bookkeeping';
import { messagePosted, statusChanged, stripNulls, takenId } from './decided-events';
import {
  ClosedError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from './errors';
import type { DomainEvent } from './events';
import type { Actor, JsonValue, StatusCategory, Ticket } from './model';
import type { Policy } from './policy';
import { seesEverything } from './redact';
import { DEFAULT_LIMITS, type Limits, validateCommand } from './validate';
import type { Workflow } from './workflow';
import type { WorkflowSet } from './workflow-set';

export { takenId } from './decided-events';
export { type WorkflowSet, workflowSet } from './workflow-set';

/** Generates ids; no domain code calls Math.random(). */
export interface IdGenerator {
  next(): string;
}

export interface DecideContext {
  actor: Actor;
  /** ISO time of the decision, from the injected clock. */
  now: string;
  ids: IdGenerator;
  workflows: WorkflowSet;
  policy: Policy;
  limits?: Limits;
  /** For openTicket: the ticket's id and its number, allocated by the service. */
  ticketId?: string;
  number?: number;
  tenantId?: string;
  /**
   * Related tickets (the one a ticket was merged into) the actor may see; an error names only
   * those. Without it, staff are told and customers are not.
   */
  visibleRelated?: ReadonlySet<string>;
}

function workflowOf(state: Ticket, workflows: WorkflowSet): Workflow {
  return workflows.get(state.workflowId) ?? workflows.default;
}

const normalizeTags = (tags: readonly string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()))];

/**
 * Decides what a command means for a ticket: the events to append, or a typed error (and nothing).
 * The workflow's machine says which moves are allowed; the policy says who may do what. Pure.
 *
 * @example
 * const events = decide(ticket, { type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, ctx);
 */
export function decide(state: Ticket | undefined, input: Command, ctx: DecideContext): DomainEvent[] {
  const command = validateCommand(input, ctx.limits ?? DEFAULT_LIMITS);
  const { actor, workflows } = ctx;

  if (command.type === 'openTicket') {
    // Who may open is asked first, so a refused actor learns nothing of the id; then the same
    // answer whoever asks and whether or not they may see that ticket.
    const refusal = ctx.policy.authorize(actor, command, undefined);
    if (refusal !== undefined)
      throw new ForbiddenError(refusal, { details: { actor: actor.id, command: command.type } });
    if (state !== undefined) throw takenId(state.id);
  } else {
    // A ticket the actor may not see answers exactly as a missing one: probing learns nothing.
    if (state === undefined || !ctx.policy.canView(actor, state)) {
      throw new NotFoundError(`ticket ${command.ticketId} does not exist`, {
        details: { ticketId: command.ticketId },
      });
    }
    if (state.category === 'merged') {
      // Where it went only for those who may see that ticket (it may be another customer's).
      const into = state.mergedInto;
      const shown =
        into !== undefined &&
        (ctx.visibleRelated === undefined ? seesEverything(actor) : ctx.visibleRelated.has(into));
      throw new ClosedError(
        shown ? `ticket ${state.id} was merged into ${into}` : `ticket ${state.id} was merged`,
        { details: { ticketId: state.id, ...(shown ? { mergedInto: into } : {}) } },
      );
    }
    // A message posted before closing may still be sent, and its delivery recorded.
    if (
      state.category === 'closed' &&
      command.type !== 'recordDelivery' &&
      command.type !== 'claimDelivery'
    ) {
      throw new ClosedError(`ticket ${state.id} is closed and accepts nothing more`, {
        details: { ticketId: state.id, closedReplies: workflowOf(state, workflows).closedReplies },
      });
    }
  }
  const refusal = ctx.policy.authorize(actor, command, state);
  if (refusal !== undefined)
    throw new ForbiddenError(refusal, { details: { actor: actor.id, command: command.type } });

  switch (command.type) {
    case 'openTicket': {
      if (command.ticketType !== undefined && !workflows.knowsType(command.ticketType)) {
        throw new ValidationError([
          { path: 'ticketType', message: `unknown ticket type ${JSON.stringify(command.ticketType)}` },
        ]);
      }
      const workflow = workflows.forType(command.ticketType);
      const ticketId = command.ticketId ?? ctx.ticketId;
      if (ticketId === undefined || ctx.number === undefined) {
        throw new ValidationError([{ path: 'ticketId', message: 'the service allocates the id and number' }]);
      }
      const opened: DomainEvent = {
        type: 'TicketOpened',
        data: {
          ticketId,
          number: ctx.number,
          subject: command.subject.trim(),
          channel: command.channel,
          requester: command.requester,
          workflowId: workflow.id,
          status: workflow.initial,
          category: workflow.categoryOf(workflow.initial) ?? 'new',
          priority: command.priority ?? 'normal',
          tags: normalizeTags(command.tags ?? []),
          fields: stripNulls(command.fields ?? {}),
          ...(ctx.tenantId === undefined ? {} : { tenantId: ctx.tenantId }),
          ...(command.ticketType === undefined ? {} : { type: command.ticketType }),
          ...(command.team === undefined ? {} : { team: command.team }),
          ...(command.cc === undefined ? {} : { cc: command.cc }),
          ...(command.followUpOf === undefined ? {} : { followUpOf: command.followUpOf }),
        },
      };
      return [opened, messagePosted(command, actor, ctx, 'public')];
    }

    case 'postMessage': {
      const ticket = state!;
      const workflow = workflowOf(ticket, workflows);
      const events: DomainEvent[] = [messagePosted(command, actor, ctx, command.visibility)];
      if (command.visibility !== 'public' || command.automatic) return events;
      const who =
        actor.kind === 'customer'
          ? 'customer'
          : actor.kind === 'agent' || actor.kind === 'admin'
            ? 'agent'
            : undefined;
      if (who === undefined) return events;
      let target = workflow.replyTarget(ticket.status, who);
      // An agent's first public reply takes a ticket out of `new` even when the workflow names no target.
      if (target === undefined && who === 'agent' && ticket.category === 'new') {
        target = workflow.movesFrom(ticket.status).find((s) => workflow.categoryOf(s) === 'open');
      }
      if (target !== undefined && target !== ticket.status) {
        events.push(
          statusChanged(ticket, workflow, target, who === 'customer' ? 'customer-reply' : 'agent-reply'),
        );
      }
      return events;
    }

    case 'changeStatus': {
      const ticket = state!;
      const workflow = workflowOf(ticket, workflows);
      if (!workflow.hasStatus(command.status)) {
        throw new ValidationError([
          {
            path: 'status',
            message: `unknown status ${JSON.stringify(command.status)} in workflow ${workflow.id}; use one of ${workflow.statuses
              .map((s) => s.id)
              .join(', ')}`,
          },
        ]);
      }
      if (command.status === ticket.status) return [];
      const category = workflow.categoryOf(command.status);
      if (actor.kind === 'customer' && category !== 'solved' && category !== 'closed') {
        throw new ForbiddenError('customers may only solve or close their own tickets');
      }
      if (!workflow.canMove(ticket.status, command.status)) {
        throw new InvalidTransitionError(
          `workflow ${workflow.id} does not allow ${ticket.status} → ${command.status}; allowed: ${
            workflow.movesFrom(ticket.status).join(', ') || 'none'
          }`,
          {
            details: { from: ticket.status, to: command.status, allowed: workflow.movesFrom(ticket.status) },
          },
        );
      }
      const reason = ticket.category === 'solved' && category !== 'closed' ? 'reopen' : 'manual';
      return [statusChanged(ticket, workflow, command.status, reason)];
    }

    case 'assign': {
      const ticket = state!;
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

    case 'unassign': {
      const ticket = state!;
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

    case 'setPriority': {
      const ticket = state!;
      if (ticket.priority === command.priority) return [];
      return [{ type: 'PriorityChanged', data: { from: ticket.priority, to: command.priority } }];
    }

    case 'setType': {
      const ticket = state!;
      if (!workflows.knowsType(command.ticketType)) {
        throw new ValidationError([
          { path: 'ticketType', message: `unknown ticket type ${JSON.stringify(command.ticketType)}` },
        ]);
      }
      if (ticket.type === command.ticketType) return [];
      const from = workflowOf(ticket, workflows);
      const to = workflows.forType(command.ticketType);
      const events: DomainEvent[] = [
        {
          type: 'TypeChanged',
          data: {
            to: command.ticketType,
            fromWorkflow: from.id,
            workflowId: to.id,
            ...(ticket.type === undefined ? {} : { from: ticket.type }),
          },
        },
      ];
      if (from.id !== to.id) {
        // Map the status by category. A category the new workflow lacks falls back to a live one
        // (open, pending, on hold, in that order) — never back to new for a ticket that has left it;
        // a workflow with none of those cannot take the ticket.
        const fallbacks: StatusCategory[] =
          ticket.category === 'new' ? ['new'] : [ticket.category, 'open', 'pending', 'on_hold'];
        const mapped =
          to.hasStatus(ticket.status) && to.categoryOf(ticket.status) === ticket.category
            ? ticket.status
            : fallbacks.map((c) => to.firstOfCategory(c)).find((s) => s !== undefined);
        if (mapped === undefined) {
          throw new InvalidTransitionError(
            `workflow ${to.id} has no status for a ticket in ${ticket.status} (${ticket.category})`,
            { details: { ticketType: command.ticketType, workflowId: to.id } },
          );
        }
        const category = to.categoryOf(mapped) ?? ticket.category;
        // Also when the id stays but the new workflow files it under another category.
        if (mapped !== ticket.status || category !== ticket.category) {
          events.push({
            type: 'StatusChanged',
            data: {
              from: ticket.status,
              to: mapped,
              fromCategory: ticket.category,
              category,
              reason: 'type-change',
            },
          });
        }
      }
      return events;
    }

    case 'tag':
    case 'untag': {
      const ticket = state!;
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

    case 'setFields': {
      const ticket = state!;
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

    case 'addFollower': {
      const ticket = state!;
      if (ticket.followers.some((f) => f.id === command.follower.id)) return [];
      return [{ type: 'FollowerAdded', data: { follower: command.follower } }];
    }

    case 'removeFollower': {
      const ticket = state!;
      if (!ticket.followers.some((f) => f.id === command.followerId)) return [];
      return [{ type: 'FollowerRemoved', data: { followerId: command.followerId } }];
    }

    case 'logTime':
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

    case 'requestRating': {
      const ticket = state!;
      if (ticket.category !== 'solved') {
        throw new InvalidTransitionError(
          `a rating is requested on solved tickets; ticket ${ticket.id} is ${ticket.status}`,
        );
      }
      return [{ type: 'RatingRequested', data: {} }];
    }

    case 'rate': {
      const ticket = state!;
      if (ticket.category !== 'solved' && ticket.ratingRequestedAt === undefined) {
        throw new InvalidTransitionError(
          `ticket ${ticket.id} can be rated once solved; it is ${ticket.status}`,
        );
      }
      return [
        {
          type: 'RatingReceived',
          data: {
            score: command.score,
            ...(command.comment === undefined ? {} : { comment: command.comment }),
          },
        },
      ];
    }

    case 'merge': {
      const ticket = state!;
      if (command.into === ticket.id)
        throw new ValidationError([{ path: 'into', message: 'a ticket cannot be merged into itself' }]);
      // Every workflow has the `merged` status without declaring it.
      return [
        { type: 'TicketMerged', data: { into: command.into } },
        {
          type: 'StatusChanged',
          data: {
            from: ticket.status,
            to: 'merged',
            fromCategory: ticket.category,
            category: 'merged',
            reason: 'merge',
          },
        },
      ];
    }

    case 'link': {
      const ticket = state!;
      if (command.to === ticket.id)
        throw new ValidationError([{ path: 'to', message: 'a ticket cannot be linked to itself' }]);
      if (ticket.links.some((l) => l.to === command.to && l.relation === command.relation)) return [];
      return [{ type: 'TicketLinked', data: { to: command.to, relation: command.relation } }];
    }

    case 'recordSla':
    case 'claimDelivery':
    case 'recordDelivery':
      return decideBookkeeping(state!, command, ctx.now);
  }
}
