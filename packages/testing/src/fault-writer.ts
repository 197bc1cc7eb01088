import { type EventStore, type Helpdesk, isTesseraError, type Store } from '@tessera/core';

/**
 * Appends one three-event batch (`TagsChanged`, event ids `<writer>-<n>-<part>`) to `stream` at
 * the version it reads, retrying on conflict: what several writer processes append to check that
 * batches stay whole (`expectIntactLog`'s `batches`).
 *
 * @example
 * await appendBatch(store.events, 'batch-shared-0', 'w1', 7);
 */
export async function appendBatch(
  events: EventStore,
  stream: string,
  writer: string,
  n: number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const current = (await events.readStream(stream)).length;
    const batch = [0, 1, 2].map((part) => ({
      type: 'TagsChanged' as const,
      data: { added: [`${writer}-${n}-${part}`], removed: [] },
      eventId: `${writer}-${n}-${part}`,
      occurredAt: '2026-01-01T00:00:00.000Z',
      actor: { kind: 'system' as const, id: writer },
      schemaVersion: 1,
    }));
    try {
      await events.append(stream, batch, { expectedVersion: current === 0 ? 'no-stream' : current });
      return;
    } catch (error) {
      if (isTesseraError(error, 'conflict') && attempt < 1000) continue;
      throw error;
    }
  }
}

/**
 * The writer of the SIGKILL tests, until the process is killed: raw batches, and desk commands on
 * tickets tagged with the writer's id, recording Message-IDs as the email channel does (after the
 * append). `say` gets a line for each thing committed and indexed — `ready`, `indexed <ticket>
 * <version>`, `message <Message-ID> <ticket>` — so the test can hold the store to it after the kill.
 *
 * @example
 * await writeUntilKilled(store, createHelpdesk({ store }), 'k1', (line) => process.stdout.write(`${line}\n`));
 */
export async function writeUntilKilled(
  store: Store,
  desk: Helpdesk,
  id: string,
  say: (line: string) => void,
): Promise<never> {
  const admin = { kind: 'admin' as const, id };
  say('ready');
  for (let n = 0; ; n++) {
    await appendBatch(store.events, `batch-${id}-${n % 3}`, id, n);
    const opened = await desk.execute(
      {
        type: 'openTicket',
        channel: 'api',
        requester: { id: 'c1' },
        subject: `t${n}`,
        body: 'b',
        tags: [id],
      },
      { actor: admin },
    );
    const ticketId = opened.ticket.id;
    say(`indexed ${ticketId} ${opened.ticket.version}`);
    const messageId = `<${id}.${n}@writer.test>`;
    const posted = await desk.execute(
      { type: 'postMessage', ticketId, body: 'reply', visibility: 'public', email: { messageId } },
      // Email bookkeeping on a message is the system's to set (as the email channel does).
      { actor: { kind: 'system', id } },
    );
    say(`indexed ${ticketId} ${posted.ticket.version}`);
    await store.messages.put(messageId, ticketId);
    say(`message ${messageId} ${ticketId}`);
    const pending = await desk.execute(
      { type: 'changeStatus', ticketId, status: 'pending' },
      { actor: admin },
    );
    say(`indexed ${ticketId} ${pending.ticket.version}`);
  }
}
