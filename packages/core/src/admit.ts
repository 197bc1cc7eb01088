import type { Command } from './commands';
import { ForbiddenError } from './errors';
import type { Actor, Attachment, Party } from './model';
import type { BlobStore, TenantScope } from './ports';

/** Actors the desk trusts with bookkeeping flags and any stored blob: its own. */
const isDesk = (actor: Actor) => actor.kind === 'system' || actor.kind === 'automation';

/** Who a customer is, from the actor alone. */
export function partyOf(actor: Actor): Party {
  const party: Party = { id: actor.id };
  if (actor.email !== undefined) party.email = actor.email;
  if (actor.name !== undefined) party.name = actor.name;
  if (actor.organizationId !== undefined) party.organizationId = actor.organizationId;
  return party;
}

/**
 * A command as the desk accepts it from this actor. For a customer, who they are comes from the
 * actor, never the command: `openTicket`'s requester and a follower they add (only themself) are
 * the actor's own id, email, name and organization — a chosen email would receive the agents'
 * replies, a chosen organization would show the ticket to that whole organization.
 *
 * Unless `trusted` (a command an extension issues through its context, such as the email channel
 * filing mail), the bookkeeping flags — `automatic`, `email`, `followUpOf` — are refused with a
 * `ForbiddenError` for every actor but system and automation: they are records of what a channel
 * saw, and a customer's `automatic: true` reply would leave a pending ticket pending.
 *
 * @example
 * admitCommand({ type: 'openTicket', channel: 'portal', requester: { id: 'c1', email: 'x@evil' }, subject: 's', body: 'b' },
 *   { kind: 'customer', id: 'c1', email: 'c1@example.com' }, false);
 * // → requester { id: 'c1', email: 'c1@example.com' }
 */
export function admitCommand(command: Command, actor: Actor, trusted: boolean): Command {
  if (!trusted && !isDesk(actor)) {
    const flags =
      command.type === 'openTicket'
        ? (['email', 'followUpOf'] as const).filter((k) => command[k] !== undefined)
        : command.type === 'postMessage'
          ? (['email', 'automatic'] as const).filter((k) => command[k] !== undefined)
          : [];
    if (flags.length > 0) {
      throw new ForbiddenError(`${flags.join(' and ')} on ${command.type} are set by the system only`, {
        details: { command: command.type, fields: flags },
      });
    }
  }
  if (actor.kind !== 'customer') return command;
  if (command.type === 'openTicket' && command.requester.id === actor.id) {
    return { ...command, requester: partyOf(actor) };
  }
  if (command.type === 'addFollower' && command.follower.id === actor.id) {
    return { ...command, follower: partyOf(actor) };
  }
  return command;
}

/** The attachments of a command that name a stored blob. */
export function blobAttachments(command: Command): Attachment[] {
  if (command.type !== 'openTicket' && command.type !== 'postMessage') return [];
  return (command.attachments ?? []).filter((a) => a.blob !== undefined);
}

/**
 * Refuses attachments whose blob this actor may not attach: a blob must be in the desk's tenant
 * and stored by this actor (an upload the desk issued to them, `desk.upload`) or stored for this
 * ticket. The desk's own actors and extensions are trusted. An unknown blob and someone else's
 * are refused alike, so the answer tells nothing about other people's blobs.
 *
 * @example
 * await checkBlobs(command, actor, 'T1', store.blobs, { tenantId: 'acme' }, false);
 */
export async function checkBlobs(
  command: Command,
  actor: Actor,
  ticketId: string | undefined,
  blobs: BlobStore,
  scope: TenantScope,
  trusted: boolean,
): Promise<void> {
  if (trusted || isDesk(actor)) return;
  for (const [i, attachment] of blobAttachments(command).entries()) {
    const ref = attachment.blob!;
    const meta = await blobs.stat(ref, scope);
    const mine =
      meta !== undefined &&
      (meta.tenantId ?? undefined) === scope.tenantId &&
      ((meta.owner?.kind === actor.kind && meta.owner.id === actor.id) ||
        (ticketId !== undefined && meta.ticketId === ticketId));
    if (!mine) {
      throw new ForbiddenError(`attachments[${i}].blob ${ref.id} is not an upload of yours for this ticket`, {
        details: { command: command.type, blob: ref.id },
      });
    }
  }
}
