import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from './server';

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
// expect.poll gives up after 1 s by default: a loaded machine may take longer to answer a click.
const WAIT = { timeout: 30_000 };
let browser: Browser;
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error(
      'Chromium is not installed: apt-get install -y chromium (scripts/ensure-system.sh does it)',
    );
  app = await startApp();
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
  await new Promise((resolve) => app?.server.close(resolve));
});

async function as(page: Page, who: 'ann' | 'bob') {
  await page.selectOption('#actor', who);
}

it('a customer opens a ticket in the browser, an agent replies with a note and a public answer, and the customer sees only the answer', async () => {
  const page = await browser.newPage();
  await page.goto(app.url);
  await page.fill('#subject', 'Cannot export CSV');
  await page.fill('#body', 'The export button does nothing.');
  await page.click('#open button');
  await expect.poll(() => page.textContent('#tickets'), WAIT).toContain('#1 Cannot export CSV — new');

  await as(page, 'bob');
  await page.click('#tickets li >> nth=0');
  await page.fill('#reply-body', 'Customer is on the legacy plan');
  await page.check('#internal');
  await page.click('#reply button');
  // The note is posted (and the form handed back) before the answer is written, as a person would.
  await expect.poll(() => page.locator('#messages li').count(), WAIT).toBe(2);
  await expect.poll(() => page.isChecked('#internal'), WAIT).toBe(false);
  await page.fill('#reply-body', 'Fixed in today’s release, please retry.');
  await page.click('#reply button');
  await expect.poll(() => page.textContent('#detail-status'), WAIT).toBe('open');
  await page.selectOption('#status', 'solved');
  await page.click('#set-status');
  await expect.poll(() => page.textContent('#detail-status'), WAIT).toBe('solved');
  expect(await page.locator('#messages li').count()).toBe(3);

  await as(page, 'ann');
  await page.click('#tickets li >> nth=0');
  await expect
    .poll(() => page.locator('#messages li').allTextContents(), WAIT)
    .toEqual(['Ann: The export button does nothing.', 'Bob: Fixed in today’s release, please retry.']);
  // A customer cannot change the priority: the API refuses with 403.
  const ticketId = await page.getAttribute('#tickets li >> nth=0', 'data-id');
  const refused = await page.evaluate(async (id) => {
    const res = await fetch('/api/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-actor': 'ann' },
      body: JSON.stringify({ type: 'setPriority', ticketId: id, priority: 'urgent' }),
    });
    return res.status;
  }, ticketId);
  expect(refused).toBe(403);
  await page.close();
}, 60_000);

it('bad input gets a 400 naming the field, and nothing is appended', async () => {
  const before = (await app.desk.store.events.readAll()).length;
  const res = await fetch(`${app.url}/api/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-actor': 'ann' },
    body: JSON.stringify({
      type: 'openTicket',
      channel: 'web-form',
      requester: { id: 'ann' },
      subject: '',
      body: 'x',
    }),
  });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatch(/subject: must not be empty/);
  expect((await app.desk.store.events.readAll()).length).toBe(before);
});
