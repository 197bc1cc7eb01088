import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A TypeScript script running in its own Node process, as `runScript` started it. */
export interface RunningScript {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the exit code once the process has ended and its output has been read. */
  exited: Promise<number | null>;
  /** Everything it wrote to stdout so far. */
  output(): string;
  /** Everything it wrote to stderr so far. */
  errors(): string;
  /** Whether it has ended (so a `waitFor` on its output can stop early). */
  closed(): boolean;
}

/**
 * Runs a TypeScript file in a new Node process (`node --import tsx`), for tests with several real
 * processes on one store, and keeps what it writes. Its stdin is a pipe, to signal it.
 *
 * @example
 * import { fileURLToPath } from 'node:url';
 * const worker = runScript(fileURLToPath(new URL('./worker.ts', import.meta.url)), ['go'], { cwd: process.cwd() });
 * await waitFor(() => worker.output().includes('ready') || worker.closed(), { what: 'the worker' });
 */
export function runScript(script: string, args: string[], options: { cwd: string }): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let closed = false;
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  // 'close', not 'exit': every line the child wrote before it ended has been read by then.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  return { child, exited, output: () => out, errors: () => err, closed: () => closed };
}
