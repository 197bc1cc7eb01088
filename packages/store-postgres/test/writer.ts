// A writer process for the PostgreSQL multi-process and fault tests.
import { createHelpdesk } from '@tessera/core';
import { writeUntilKilled } from '@tessera/testing';
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
  await writeUntilKilled(store, createHelpdesk({ store }), id, (line) => process.stdout.write(`${line}\n`));
}
