/**
 * Loads the packages of two generations of Tessera side by side in one process, for the core bench's
 * same-run comparison: the tree before issue 12 moved the SLA, rules and email bookkeeping out of
 * core into extension slices (commit acd4a29, read with `git archive`) and the working tree's.
 * Both are bundled from their sources the same way (esbuild, one ESM file each, the target tsup
 * builds with), so the comparison is of code, not of build settings. No network: third-party
 * imports resolve to the workspace's installed packages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The last commit before issue 12's move of bookkeeping into extension slices. */
export const BEFORE_ISSUE_12 = 'acd4a29';

const PACKAGES = ['core', 'sla', 'rules', 'email'] as const;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the bench uses of a generation; loose types, since the two generations' APIs differ. */
export interface Generation {
  label: string;
  // biome-ignore lint/suspicious/noExplicitAny: two generations of the API, typed by neither
  core: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  sla: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  rules: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  email: any;
}

/** The part of esbuild's API used here (its types are not a dependency of this folder). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}
interface PluginBuild {
  onResolve(options: { filter: RegExp; namespace?: string }, callback: (args: ResolveArgs) => unknown): void;
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string }) => unknown,
  ): void;
  resolve(
    path: string,
    options: { kind: string; resolveDir: string; pluginData: unknown },
  ): Promise<{ errors: unknown[]; path: string }>;
}
interface ResolveArgs {
  path: string;
  kind: string;
  resolveDir: string;
  pluginData: unknown;
}

/** esbuild, from the copy tsx (a dev dependency of this folder) depends on. */
async function esbuild(): Promise<Esbuild> {
  const fromBench = createRequire(join(root, 'bench', 'package.json'));
  const fromTsx = createRequire(fromBench.resolve('tsx/package.json'));
  return import(pathToFileURL(fromTsx.resolve('esbuild')).href);
}

/**
 * Bundles `<packagesDir>/{core,sla,rules,email}/src` into one module and imports it. A third-party
 * import no installed package provides (the old email package's HTML sanitizer, unused by the fold
 * and by the commands benched) is replaced by a module that throws when called.
 */
async function bundle(label: string, packagesDir: string, outDir: string): Promise<Generation> {
  const { build } = await esbuild();
  const entry = join(outDir, `${label}-entry.ts`);
  writeFileSync(
    entry,
    PACKAGES.map(
      (p) => `export * as ${p} from ${JSON.stringify(join(packagesDir, p, 'src', 'index.ts'))};`,
    ).join('\n'),
  );
  const outfile = join(outDir, `${label}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM still require Node's built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    // The old tree has no node_modules of its own: its imports resolve to the workspace's.
    nodePaths: PACKAGES.map((p) => join(root, 'packages', p, 'node_modules')),
    plugins: [
      {
        name: 'generation',
        setup(b: PluginBuild) {
          b.onResolve({ filter: /^@tessera\/(core|sla|rules|email)$/ }, (args) => ({
            path: join(packagesDir, args.path.slice('@tessera/'.length), 'src', 'index.ts'),
          }));
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === 'inner' || args.path.startsWith('node:')) return undefined;
            const found = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: 'inner',
            });
            return found.errors.length === 0 ? found : { path: args.path, namespace: 'missing' };
          });
          b.onLoad({ filter: /.*/, namespace: 'missing' }, (args) => ({
            contents: `export default () => { throw new Error(${JSON.stringify(`${args.path} is not installed`)}); };`,
          }));
        },
      },
    ],
  });
  return { label, ...(await import(pathToFileURL(outfile).href)) };
}

/**
 * Both generations: `old` from the packages of commit `BEFORE_ISSUE_12`, `now` from the working
 * tree's. The temporary directory is removed once both are imported.
 *
 * @example
 * const { old, now } = await loadGenerations();
 * old.core.fold(events); now.core.fold(events, now.core.moduleSet([...]));
 */
export async function loadGenerations(): Promise<{ old: Generation; now: Generation }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  try {
    const oldTree = join(dir, 'old');
    mkdirSync(oldTree);
    const archive = execFileSync('git', ['archive', BEFORE_ISSUE_12, 'packages'], {
      cwd: root,
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', oldTree], { input: archive });
    if (!existsSync(join(oldTree, 'packages', 'core', 'src', 'index.ts')))
      throw new Error(`git archive ${BEFORE_ISSUE_12} has no packages/core`);
    const old = await bundle('old', join(oldTree, 'packages'), dir);
    const now = await bundle('now', join(root, 'packages'), dir);
    return { old, now };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The modules of a typical desk, built by a generation's own packages with the same settings. */
function typicalDesk(g: Generation) {
  const office = g.sla.businessCalendar({
    timeZone: 'UTC',
    week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] },
  });
  return [
    g.sla.sla({
      calendars: { office },
      policies: [{ id: 'std', calendar: 'office', targets: { firstReply: 60 } }],
    }),
    g.rules.rules(
      g.rules.defineRules({
        templates: { nudge: 'Any news?' },
        automations: [
          g.rules.classics.autoCloseSolved({ days: 4 }),
          g.rules.classics.pendingReminder({ hours: 48, note: 'nudge' }),
        ],
      }),
    ),
    g.email.emailChannel({
      address: 'support@example.com',
      secret: 'bench-secret-0123456789',
      transport: { send: async () => ({ accepted: [], rejected: [] }) },
    }),
  ];
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Runs each contender once per round, in turn, keeping its best time (ms) and every round's time
 * (for the median of the rounds' ratios: a best time alone can be one lucky round).
 */
async function bestOf(rounds: number, contenders: readonly (() => unknown)[]): Promise<number[]> {
  const best = contenders.map(() => Number.POSITIVE_INFINITY);
  const times: number[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of contenders.entries()) {
      gc();
      const start = performance.now();
      await run();
      const ms = performance.now() - start;
      best[i] = Math.min(best[i]!, ms);
      times[i]!.push(ms);
    }
  }
  lastRounds = times;
  return best;
}

/** Each contender's time in each round of the last `bestOf`. */
let lastRounds: number[][] = [];

/** The median over the last `bestOf`'s rounds of before's time / now's (now's speed relative to before's). */
function medianRatio(): number {
  const [before, after] = lastRounds;
  const ratios = before!.map((b, i) => b / after![i]!).sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  return ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
}

function row(name: string, old: number, now: number, unit: string): void {
  console.log(
    `  ${name.padEnd(40)} ${fmt(old).padStart(11)} ${fmt(now).padStart(11)} ${unit}  now/before ${((100 * now) / old).toFixed(0).padStart(3)}%`,
  );
}

/**
 * Replay, before and now, in the same run: acd4a29's `fold` (SLA, rules and email bookkeeping in
 * core) against today's with the three extensions' slices — interleaved rounds, each keeping its
 * best.
 *
 * @example
 * await compareReplay(await loadGenerations(), streams, 5);
 */
export async function compareReplay(
  { old, now }: { old: Generation; now: Generation },
  streams: readonly unknown[][],
  rounds: number,
): Promise<void> {
  const total = streams.reduce((n, s) => n + s.length, 0);
  const modules = now.core.moduleSet(typicalDesk(now));
  const fold = (g: Generation, m?: unknown) => () => {
    let last: unknown;
    for (const s of streams) last = m === undefined ? g.core.fold(s) : g.core.fold(s, m);
    return last;
  };
  // The same ticket either way, but for where the bookkeeping is kept: a check that both folded.
  const a = old.core.fold(streams[0]);
  const b = now.core.fold(streams[0], modules);
  if (a.status !== b.status || a.version !== b.version) throw new Error('the two folds disagree');
  const [before, after] = await bestOf(rounds, [fold(old), fold(now, modules)]);
  console.log(
    `replay before issue 12 (${BEFORE_ISSUE_12}) and now, same run, best of ${rounds} interleaved rounds: ${fmt(total)} events`,
  );
  console.log(`  ${''.padEnd(40)} ${'before'.padStart(11)} ${'now'.padStart(11)}`);
  row(
    'fold (now: with SLA, rules, email slices)',
    total / (before! / 1000),
    total / (after! / 1000),
    'events/s',
  );
  console.log(`  median over the rounds of now/before: ${(100 * medianRatio()).toFixed(0)}%`);
}

/** What the `execute` benches run a desk through: the five commands of one ticket's life. */
const customer = { kind: 'customer', id: 'c1' };
const agent = { kind: 'agent', id: 'a1', teams: ['t1'] };

/**
 * One ticket's five commands (open, assign, public reply, priority, solve) on a desk of either
 * generation; the ticket's id.
 *
 * @example
 * for (let i = 0; i < 1000; i++) await oneTicket(desk, i);
 */
export async function oneTicket(
  desk: { execute(command: unknown, options: unknown): Promise<{ ticket: { id: string } }> },
  i: number,
): Promise<string> {
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: `T${i}`, body: 'Help' },
    { actor: customer },
  );
  await desk.execute({ type: 'assign', ticketId: ticket.id, assignee: 'a1' }, { actor: agent });
  await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
    { actor: agent },
  );
  await desk.execute({ type: 'setPriority', ticketId: ticket.id, priority: 'high' }, { actor: agent });
  await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
  return ticket.id;
}

/**
 * `execute`, before and now, in the same run: a desk of each generation on its in-memory store,
 * with no extension and with SLA, rules and email installed, the same commands for each
 * (open, assign, reply, priority, solve per ticket) — interleaved rounds, each keeping its best.
 *
 * @example
 * await compareExecute(await loadGenerations(), 25_000, 3);
 */
export async function compareExecute(
  { old, now }: { old: Generation; now: Generation },
  commands: number,
  rounds: number,
): Promise<void> {
  const run = (g: Generation, extensions: boolean) => async () => {
    let n = 0;
    const fixed = new Date('2026-01-01T00:00:00Z');
    const desk = g.core.createHelpdesk({
      store: g.core.inMemoryStore(),
      clock: { now: () => fixed },
      ids: { next: () => `id${++n}` },
      ...(extensions ? { extensions: typicalDesk(g) } : {}),
    });
    for (let i = 0, done = 0; done < commands; i++, done += 5) await oneTicket(desk, i);
  };
  const times = await bestOf(rounds, [run(old, false), run(now, false), run(old, true), run(now, true)]);
  const rate = (ms: number) => (Math.ceil(commands / 5) * 5) / (ms / 1000);
  console.log(
    `execute before issue 12 and now, same run, best of ${rounds} interleaved rounds: ${fmt(Math.ceil(commands / 5) * 5)} commands each (in-memory store)`,
  );
  console.log(`  ${''.padEnd(40)} ${'before'.padStart(11)} ${'now'.padStart(11)}`);
  row('no extension', rate(times[0]!), rate(times[1]!), 'commands/s');
  row('SLA, rules and email installed', rate(times[2]!), rate(times[3]!), 'commands/s');
}
