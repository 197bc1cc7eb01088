import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alias } from '../../../vitest.shared.ts';
import type { BrowserResult } from './browser-entry.ts';

// Edge-safe by test, not only by lint: core, sla, rules and email are bundled for the browser and
// a desk with all three extensions runs in headless Chromium. esbuild for `platform: 'browser'`
// refuses to bundle a Node built-in (none is marked external), so a `node:` import anywhere in
// the four packages or their dependencies fails the build here.

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
const entry = fileURLToPath(new URL('./browser-entry.ts', import.meta.url));
const browserBuild = (options: Parameters<typeof build>[0]) =>
  build({
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // The packages from source, as every test here sees them.
    alias,
    ...options,
  });

let browser: Browser;
let server: Server;
let url: string;
let bundle: Uint8Array;

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error(
      'Chromium is not installed: apt-get install -y chromium (scripts/ensure-system.sh does it)',
    );
  const out = await browserBuild({ entryPoints: [entry] });
  bundle = out.outputFiles![0]!.contents;
  console.log(
    `browser bundle of core, sla, rules and email: ${(bundle.length / 1024).toFixed(0)} KiB, ` +
      `${(gzipSync(bundle).length / 1024).toFixed(0)} KiB gzipped`,
  );
  server = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><title>Tessera in a browser</title><script type="module" src="/bundle.js"></script>',
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

it('a desk with the in-memory store, SLA, rules and the email channel runs in Chromium: a ticket opens, a trigger tags it, its SLA deadline is computed and the reply is composed and sent', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__result !== undefined, undefined, { timeout: 30_000 });
  const result = (await page.evaluate(() => window.__result)) as BrowserResult;
  await page.close();

  expect(errors).toEqual([]);
  expect(result.error).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(result.tags).toEqual(['outage']);
  // Opened Monday 09:00 UTC inside 08:00–18:00 business hours: a first reply is due an hour later.
  expect(result.nextDeadline).toBe('2026-11-02T10:00:00.000Z');
  // Composed in the page: to the requester, the ticket's number in the subject, and a Reply-To that
  // carries the token signed in the page.
  expect(result.composed).toMatchObject({ to: ['ann@example.com'], subject: '[#1] Site is down' });
  expect(result.composed?.replyTo).toMatch(/support\+[^@\s]+@example\.com/);
  // The channel sent the agent's public reply through the recording transport.
  expect(result.sent).toEqual([
    expect.objectContaining({
      to: ['ann@example.com'],
      subject: result.composed?.subject,
      text: expect.stringContaining('Rolled back, please retry.'),
    }),
  ]);
}, 60_000);

it('the browser build refuses a Node built-in, so the bundle above holds none', async () => {
  const refused = await browserBuild({
    stdin: { contents: "import { readFileSync } from 'node:fs'; console.log(readFileSync);", loader: 'ts' },
  }).then(
    () => undefined,
    (e: unknown) => e as { errors?: { text: string }[] },
  );
  expect(refused?.errors?.map((e) => e.text).join('\n')).toMatch(/node:fs/);
}, 60_000);
