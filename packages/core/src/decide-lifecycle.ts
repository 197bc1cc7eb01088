import type { Command } from './commands';
import type { DecideContext } from './decide-context';
import { messagePosted, statusChanged, workflowOf } from './decided-events';
import { ForbiddenError, InvalidTransitionError, ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { StatusCategory, Ticket } from './model';

// The deciders of the commands that move a ticket through its lifecycle. The workflow's machine
// says which manual moves and reply moves exist; what is decided here besides is lifecycle policy,
// written down in docs/lifecycle.md: an agent's first public reply leaves `new` even without a
// reply target, customers may only solve or close, a type change maps the status by category
// (never back to `new`), ratings follow solving, every workflow can merge.

/** A command of one type. */
type Of<K extends Command['type']> = Extract<Command, { type: K }>;

/** A message; a public one by the customer or an agent moves the status as the workflow says (lifecycle policy: an agent's first public reply takes a ticket out of `new` even when the workflow names no target). */
export function decidePostMessage(
  ticket: Ticket,
  command: Of<'postMessage'>,
  ctx: DecideContext,
): DomainEvent[] {
  const { actor, workflows } = ctx;
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

/** A manual move, as the workflow's machine allows it (policy: customers may only solve or close). */
export function decideChangeStatus(
  ticket: Ticket,
  command: Of<'changeStatus'>,
  ctx: DecideContext,
): DomainEvent[] {
  const { actor, workflows } = ctx;
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
  // An automation's change says so, so a trigger on a person's change (`reason: 'manual'`) and the
  // log tell them apart; which rule it was is the event's `ruleId`.
  const reason =
    ticket.category === 'solved' && category !== 'closed'
      ? 'reopen'
      : actor.kind === 'automation'
        ? 'automation'
        : 'manual';
  return [statusChanged(ticket, workflow, command.status, reason)];
}

/** A type change; a new workflow maps the status by category (lifecycle policy, see docs/lifecycle.md). */
export function decideSetType(ticket: Ticket, command: Of<'setType'>, ctx: DecideContext): DomainEvent[] {
  const { workflows } = ctx;
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

/** A rating request, on solved tickets only (lifecycle policy). */
export function decideRequestRating(
  ticket: Ticket,
  _command: Of<'requestRating'>,
  _ctx: DecideContext,
): DomainEvent[] {
  if (ticket.category !== 'solved') {
    throw new InvalidTransitionError(
      `a rating is requested on solved tickets; ticket ${ticket.id} is ${ticket.status}`,
    );
  }
  return [{ type: 'RatingRequested', data: {} }];
}

/** A rating, once solved or requested (lifecycle policy). */
export function decideRate(ticket: Ticket, command: Of<'rate'>, _ctx: DecideContext): DomainEvent[] {
  if (ticket.category !== 'solved' && ticket.ratingRequestedAt === undefined) {
    throw new InvalidTransitionError(`ticket ${ticket.id} can be rated once solved; it is ${ticket.status}`);
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

/** A merge: every workflow has the `merged` status without declaring it (lifecycle policy). */
export function decideMerge(ticket: Ticket, command: Of<'merge'>, _ctx: DecideContext): DomainEvent[] {
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
