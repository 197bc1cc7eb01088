import type { Command } from './commands';
import type { DecideContext } from './decide-context';
import {
  decideAddFollower,
  decideAssign,
  decideLink,
  decideLogTime,
  decideRemoveFollower,
  decideSetFields,
  decideSetPriority,
  decideTags,
  decideUnassign,
} from './decide-fields';
import {
  decideChangeStatus,
  decideMerge,
  decidePostMessage,
  decideRate,
  decideRequestRating,
  decideSetType,
} from './decide-lifecycle';
import { messagePosted, normalizeTags, stripNulls, takenId, workflowOf } from './decided-events';
import { ClosedError, ForbiddenError, NotFoundError, ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { Ticket } from './model';
import { seesEverything } from './redact';
import { DEFAULT_LIMITS, validateCommand } from './validate';

export type { DecideContext, IdGenerator } from './decide-context';
export { takenId } from './decided-events';
export { type WorkflowSet, workflowSet } from './workflow-set';

type Of<K extends Command['type']> = Extract<Command, { type: K }>;

/**
 * Decides what a command means for a ticket: the events to append, or a typed error (and nothing).
 * The workflow's machine says which moves are allowed; the policy says who may do what. Pure.
 * Validates the command first — for callers outside the desk; the desk validates once at its
 * boundary and calls `decideCommand`.
 *
 * @example
 * let n = 0;
 * const ctx: DecideContext = {
 *   actor: agent,
 *   now: '2026-01-01T09:00:00.000Z',
 *   ids: { next: () => `id${++n}` },
 *   workflows: workflowSet([support]),
 *   policy: defaultPolicy(),
 * };
 * const events = decide(ticket, { type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, ctx);
 */
export function decide(state: Ticket | undefined, input: Command, ctx: DecideContext): DomainEvent[] {
  return decideCommand(state, validateCommand(input, ctx.limits ?? DEFAULT_LIMITS), ctx);
}

/**
 * `decide` for a command already validated (by `validateCommand`): the common checks, then the
 * command's own decider from `DECIDERS`.
 *
 * @example
 * const ctx = { actor: agent, now: '2026-03-02T09:00:00.000Z', ids: { next: () => 'm1' }, workflows: workflowSet([support]), policy: defaultPolicy() };
 * decideCommand(ticket, validateCommand({ type: 'tag', ticketId: ticket.id, tags: ['vip'] }), ctx);
 */
export function decideCommand(
  state: Ticket | undefined,
  command: Command,
  ctx: DecideContext,
): DomainEvent[] {
  const ticket = command.type === 'openTicket' ? state : admitOnTicket(state, command, ctx);
  const decider = DECIDERS[command.type] as (
    t: Ticket | undefined,
    c: Command,
    ctx: DecideContext,
  ) => DomainEvent[];
  return decider(ticket, command, ctx);
}

/**
 * Whether this `openTicket` may be decided — who may open first, so a refused actor learns nothing
 * of the id; then the id (the same answer whoever asks); then the ticket type. Everything that can
 * refuse an open is here, so the desk asks it before it draws a number (a refusal burns none) and
 * then builds the events once with `openTicketEvents`.
 *
 * @example
 * const ctx = { actor: customer, now: '2026-03-02T09:00:00.000Z', ids: { next: () => 'm1' }, workflows: workflowSet([support]), policy: defaultPolicy() };
 * admitOpenTicket(undefined, { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'S', body: 'B' }, ctx); // throws ForbiddenError / ValidationError
 */
export function admitOpenTicket(
  state: Ticket | undefined,
  command: Of<'openTicket'>,
  ctx: DecideContext,
): void {
  const refusal = ctx.policy.authorize(ctx.actor, command, undefined);
  if (refusal !== undefined)
    throw new ForbiddenError(refusal, { details: { actor: ctx.actor.id, command: command.type } });
  if (state !== undefined) throw takenId(state.id);
  if (command.ticketType !== undefined && !ctx.workflows.knowsType(command.ticketType)) {
    throw new ValidationError([
      { path: 'ticketType', message: `unknown ticket type ${JSON.stringify(command.ticketType)}` },
    ]);
  }
}

/**
 * The events of an admitted `openTicket` (see `admitOpenTicket`), with the id and number the
 * service allocated in `ctx`.
 *
 * @example
 * const ctx = { actor: customer, now: '2026-03-02T09:00:00.000Z', ids: { next: () => 'm1' }, workflows: workflowSet([support]), policy: defaultPolicy() };
 * openTicketEvents({ type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'S', body: 'B' }, { ...ctx, ticketId: 'T1', number: 42 });
 */
export function openTicketEvents(command: Of<'openTicket'>, ctx: DecideContext): DomainEvent[] {
  const { actor, workflows } = ctx;
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

/**
 * The checks every command on an existing ticket passes first: a ticket the actor may not see
 * answers exactly as a missing one (probing learns nothing); a merged ticket is closed; a closed one
 * accepts nothing of core's (extensions' commands may still record on it); then the policy.
 */
function admitOnTicket(
  state: Ticket | undefined,
  command: Exclude<Command, Of<'openTicket'>>,
  ctx: DecideContext,
): Ticket {
  const { actor } = ctx;
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
  if (state.category === 'closed') {
    throw new ClosedError(`ticket ${state.id} is closed and accepts nothing more`, {
      details: { ticketId: state.id, closedReplies: workflowOf(state, ctx.workflows).closedReplies },
    });
  }
  const refusal = ctx.policy.authorize(actor, command, state);
  if (refusal !== undefined)
    throw new ForbiddenError(refusal, { details: { actor: actor.id, command: command.type } });
  return state;
}

/** A command's decider, on the ticket that passed the common checks (`openTicket`: the one its id names, if any). */
type Decider<K extends Command['type']> = (
  ticket: K extends 'openTicket' ? Ticket | undefined : Ticket,
  command: Of<K>,
  ctx: DecideContext,
) => DomainEvent[];

/**
 * One decider per command, as `apply.ts`'s `TOUCHES` is one entry per event: a new command does not
 * compile until it has one.
 */
const DECIDERS: { [K in Command['type']]: Decider<K> } = {
  openTicket: (existing, command, ctx) => {
    admitOpenTicket(existing, command, ctx);
    return openTicketEvents(command, ctx);
  },
  postMessage: decidePostMessage,
  changeStatus: decideChangeStatus,
  assign: decideAssign,
  unassign: decideUnassign,
  setPriority: decideSetPriority,
  setType: decideSetType,
  tag: decideTags,
  untag: decideTags,
  setFields: decideSetFields,
  addFollower: decideAddFollower,
  removeFollower: decideRemoveFollower,
  logTime: decideLogTime,
  requestRating: decideRequestRating,
  rate: decideRate,
  merge: decideMerge,
  link: decideLink,
};
