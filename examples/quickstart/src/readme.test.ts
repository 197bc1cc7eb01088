import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The README's example is code a reader copies: it must run as printed.
it('runs the example in the README as printed', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  expect(code!.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(20);
  const dir = fileURLToPath(new URL('../.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-example.ts`;
  writeFileSync(file, `${code}\nexport { ticket, mine, events, queue };\n`);
  const { ticket, mine, events, queue } = await import(/* @vite-ignore */ file);
  expect(ticket.number).toBe(1);
  expect(mine.messages.map((m: { body: string }) => m.body)).toEqual([
    'We see a 502.',
    'Bad deploy, rolled back.',
  ]);
  expect(events.map((e: { type: string }) => e.type)).toEqual([
    'TicketOpened',
    'MessagePosted',
    'MessagePosted',
    'StatusChanged',
    'MessagePosted',
    'StatusChanged',
  ]);
  expect(mine.status).toBe('solved');
  expect(queue.items).toEqual([]);
});
