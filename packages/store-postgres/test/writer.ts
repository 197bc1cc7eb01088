// A writer process for the PostgreSQL multi-process and fault tests.
import { createHelpdesk, isTesseraError } from '@tessera/core';
import { postgresStore } from '../src/store';

const [url, schema, mode, id, ...rest] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  ...string[],
];
const store = postgresStore({ connectionString: url, schema });
const admin = { kind: 'admin' as const, id };

async function batch(stream: string, n: number) {
  for (let attempt = 0; ; attempt++) {
    const current = (await store.events.readStream(stream)).length;
    const events = [0, 1, 2].map((part) => ({
      type: 'TagsChanged' as const,
      data: { added: [`${id}-${n}-${part}`], removed: [] },
      eventId: `${id}-${n}-${part}`,
      occurredAt: new Date().toISOString(),
      actor: { kind: 'system' as const, id },
      schemaVersion: 1,
    }));
    try {
      await store.events.append(stream, events, { expectedVersion: current === 0 ? 'no-stream' : current });
      return;
    } catch (error) {
      if (isTesseraError(error, 'conflict') && attempt < 1000) continue;
      throw error;
    }
  }
}

if (mode === 'desks') {
  // Commands on shared tickets from this process's own desk; conflicts are retried by the desk.
  const desk = createHelpdesk({ store, maxRetries: 200 });
  const tickets = rest[0]!.split(',');
  const rounds = Number(rest[1]);
  let ok = 0;
  for (let r = 0; r < rounds; r++) {
    for (const ticketId of tickets) {
      await desk.execute(
        { type: 'postMessage', ticketId, body: `${id}:${r}`, visibility: 'internal' },
        { actor: admin },
      );
      ok++;
    }
  }
  process.stdout.write(`ok ${ok}\n`);
  await store.close();
} else if (mode === 'listen') {
  // Prints every commit it hears of, from any process.
  const desk = createHelpdesk({ store });
  desk.subscribe((events) => {
    for (const e of events) process.stdout.write(`event ${e.streamId} ${e.version}\n`);
  });
  process.stdout.write('listening\n');
  setTimeout(() => process.exit(0), Number(rest[0] ?? 15000));
} else {
  // Until killed: raw three-event batches, and desk commands on tickets, recording Message-IDs as
  // the email channel does (after the append). Each line on stdout says what has been committed
  // and indexed, so the test can hold the store to it after the kill.
  const desk = createHelpdesk({ store });
  const said = (line: string) => process.stdout.write(`${line}\n`);
  said('ready');
  for (let n = 0; ; n++) {
    await batch(`batch-${id}-${n % 3}`, n);
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
    said(`indexed ${ticketId} ${opened.ticket.version}`);
    const messageId = `<${id}.${n}@writer.test>`;
    const posted = await desk.execute(
      { type: 'postMessage', ticketId, body: 'reply', visibility: 'public', email: { messageId } },
      // Email bookkeeping on a message is the system's to set (as the email channel does).
      { actor: { kind: 'system', id } },
    );
    said(`indexed ${ticketId} ${posted.ticket.version}`);
    await store.messages.put(messageId, ticketId);
    said(`message ${messageId} ${ticketId}`);
    const pending = await desk.execute(
      { type: 'changeStatus', ticketId, status: 'pending' },
      { actor: admin },
    );
    said(`indexed ${ticketId} ${pending.ticket.version}`);
  }
}
