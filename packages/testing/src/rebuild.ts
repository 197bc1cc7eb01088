import {
  type Actor,
  AdapterError,
  createHelpdesk,
  type Helpdesk,
  type MessageIndex,
  type Store,
} from '@tessera/core';

const admin: Actor = { kind: 'admin', id: 'root' };
// Email bookkeeping is the system's to set, as the email channel does.
const mail: Actor = { kind: 'system', id: 'mail' };

/**
 * Fills a desk for the "rebuild reproduces the live index byte for byte" tests: `count` tickets
 * opened by mail with tags, every second one assigned, two in three solved, every fourth retagged
 * and answered by mail; each Message-ID is recorded in `messages` after its append, as the email
 * channel does. Returns how many Message-IDs it recorded (`count + ceil(count / 4)`).
 *
 * @example
 * const recorded = await seedRebuildTickets(desk, store.messages, 20); // 25
 */
export async function seedRebuildTickets(
  desk: Helpdesk,
  messages: MessageIndex,
  count: number,
): Promise<number> {
  let recorded = 0;
  for (let i = 0; i < count; i++) {
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'email',
        requester: { id: `c${i % 4}`, organizationId: 'acme' },
        subject: `S${i}`,
        body: 'b',
        tags: ['x', `t${i % 3}`],
        email: { messageId: `<open.${i}@test>` },
      },
      { actor: mail },
    );
    await messages.put(`<open.${i}@test>`, ticket.id);
    recorded++;
    if (i % 2)
      await desk.execute(
        { type: 'assign', ticketId: ticket.id, assignee: 'a1', team: 'ops' },
        { actor: admin },
      );
    if (i % 3)
      await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: admin });
    if (i % 4 === 0) {
      await desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['y'] }, { actor: admin });
      await desk.execute({ type: 'untag', ticketId: ticket.id, tags: ['x'] }, { actor: admin });
      await desk.execute(
        {
          type: 'postMessage',
          ticketId: ticket.id,
          body: 'r',
          visibility: 'public',
          email: { messageId: `<reply.${i}@test>` },
        },
        { actor: mail },
      );
      await messages.put(`<reply.${i}@test>`, ticket.id);
      recorded++;
    }
  }
  return recorded;
}

/**
 * Rebuilds a store's index as a desk with the email channel does: core's ticket index, then the
 * channel's Message-ID index from the log (core's rebuild knows no Message-IDs; the email channel
 * fills them). The channel's transport refuses to send: a rebuild sends nothing. `@tessera/email`
 * is loaded when it runs, so this package does not need it otherwise.
 *
 * @example
 * await rebuildWithEmail(store);
 */
export async function rebuildWithEmail(store: Store): Promise<void> {
  const { emailChannel } = await import('@tessera/email');
  const transport = {
    send: async () => {
      throw new AdapterError('rebuildWithEmail: a rebuild sends no mail');
    },
  };
  const desk = createHelpdesk({
    store,
    extensions: [
      emailChannel({
        address: 'support@rebuild.test',
        secret: 'rebuild-with-email-secret-0123456789',
        transport,
      }),
    ],
  });
  try {
    await desk.rebuild();
  } finally {
    await desk.close();
  }
}
