// A writer process for the multi-process and fault tests: appends batches (and runs desk commands)
// to one SQLite file until told to stop or killed.
import { createHelpdesk, isTesseraError } from '@tessera/core';
import { sqliteStore } from '../src/store';

const [filename, mode, id, countArg] = process.argv.slice(2) as [string, string, string, string];
const store = sqliteStore({ filename, busyTimeoutMs: 30_000 });
const count = Number(countArg ?? '0');

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

if (mode === 'shared') {
  // Several processes append to the same five streams; conflicts are retried, nothing else may fail.
  for (let n = 0; n < count; n++) await batch(`batch-shared-${n % 5}`, n);
  process.stdout.write('done\n');
  await store.close();
} else {
  // Until killed: raw three-event batches, and desk commands on tickets, recording Message-IDs as
  // the email channel does (after the append). Each line on stdout says what has been committed
  // and indexed, so the test can hold the store to it after the kill.
  const desk = createHelpdesk({ store });
  const admin = { kind: 'admin' as const, id };
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
