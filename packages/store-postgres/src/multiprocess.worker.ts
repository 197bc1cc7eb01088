// A desk process for the multi-process ticking test (multiprocess.int.test.ts): its own
// createHelpdesk over one PostgreSQL schema with the rules and SLA extensions. `seed` opens the
// scenario's tickets and prints them; `tick` says `ready`, waits for `go` on stdin (so every
// process ticks at once), ticks each of the scenario's instants `repeat` times, and exits.
import { createHelpdesk } from '@tessera/core';
import { classics, defineRules, rules } from '@tessera/rules';
import { businessCalendar, sla } from '@tessera/sla';
import { seedTicking, tickingScenario } from '@tessera/testing';
import { postgresStore } from './store';

const [url, schema, mode, id, arg] = process.argv.slice(2) as [string, string, string, string, string];
const store = postgresStore({ connectionString: url, schema });
let now = tickingScenario.start;
const office = businessCalendar({
  timeZone: 'Europe/Berlin',
  week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:00', '18:00']]])),
});
const desk = createHelpdesk({
  store,
  clock: { now: () => now },
  maxRetries: 1000,
  // A command a tick issued that failed is a failure of this test: the parent requires empty stderr.
  onError: (error, where) => process.stderr.write(`${id} ${where.extension} ${where.ticketId}: ${error}\n`),
  extensions: [
    sla({ calendars: { office }, policies: [tickingScenario.policy] }),
    rules(
      defineRules({
        automations: [
          classics.autoCloseSolved({ days: 1 }),
          classics.pendingReminder({ hours: 24, note: 'reminder' }),
          classics.pendingReminder({ hours: 24, note: 'nudge', id: 'pending-nudge' }),
        ],
        templates: { reminder: tickingScenario.reminder, nudge: tickingScenario.nudge },
      }),
    ),
  ],
});

if (mode === 'seed') {
  const tickets = await seedTicking(desk, Number(arg));
  process.stdout.write(`tickets ${JSON.stringify(tickets)}\n`);
} else {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk) => {
      if (String(chunk).includes('go')) resolve();
    });
  });
  for (const at of tickingScenario.times) {
    now = at;
    for (let r = 0; r < Number(arg); r++) {
      const { due, commands } = await desk.tick(at);
      process.stdout.write(`ticked ${at.toISOString()} ${due} ${commands}\n`);
    }
  }
  process.stdout.write('done\n');
}
await desk.close();
await store.close();
process.exit(0);
