import { createHelpdesk, type Store } from '@tessera/core';
import { seedTicking, tickingScenario } from './ticking';

/** Where a ticking process writes its lines and reads its `go` (the process's own by default). */
export interface TickingProcessIo {
  write(line: string): void;
  /** Resolves when the parent says `go`. */
  go(): Promise<void>;
}

const processIo: TickingProcessIo = {
  write: (line) => process.stdout.write(`${line}\n`),
  go: () =>
    new Promise<void>((resolve) => {
      process.stdin.on('data', (chunk) => {
        if (String(chunk).includes('go')) resolve();
      });
    }),
};

/**
 * One desk process of the multi-process ticking test, over any store: its own `createHelpdesk`
 * with the rules extension (auto-close, a pending reminder and a nudge due at one instant) and
 * the SLA extension (`tickingScenario.policy` on an office calendar). `seed` opens `count` tickets
 * per group and writes `tickets <json>`; `tick` writes `ready`, waits for `go` (so every process
 * ticks at once), ticks each of the scenario's instants `count` times and writes `done`. A command
 * a tick issued that failed is written to stderr (the parent requires it empty). Closes the desk,
 * not the store. `@tessera/rules` and `@tessera/sla` are loaded when it runs, so this package does
 * not need them otherwise.
 *
 * @example
 * await runTickingProcess(store, 'tick', 'w1', 2);
 */
export async function runTickingProcess(
  store: Store,
  mode: 'seed' | 'tick',
  id: string,
  count: number,
  io: TickingProcessIo = processIo,
): Promise<void> {
  const { businessCalendar, sla } = await import('@tessera/sla');
  const { classics, defineRules, rules } = await import('@tessera/rules');
  let now = tickingScenario.start;
  const office = businessCalendar({
    timeZone: 'Europe/Berlin',
    week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:00', '18:00']]])),
  });
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    maxRetries: 1000,
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
    const tickets = await seedTicking(desk, count);
    io.write(`tickets ${JSON.stringify(tickets)}`);
  } else {
    io.write('ready');
    await io.go();
    for (const at of tickingScenario.times) {
      now = at;
      for (let r = 0; r < count; r++) {
        const { due, commands } = await desk.tick(at);
        io.write(`ticked ${at.toISOString()} ${due} ${commands}`);
      }
    }
    io.write('done');
  }
  await desk.close();
}
