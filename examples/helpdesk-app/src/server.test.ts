import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from './server';

let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await new Promise((resolve) => app.server.close(resolve));
});

const call = (path: string, actor: string | undefined, init: RequestInit = {}) =>
  fetch(`${app.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(actor === undefined ? {} : { 'x-actor': actor }) },
  });

async function openTicketAsAnnWithNote(): Promise<string> {
  const opened = await call('/api/commands', 'ann', {
    method: 'POST',
    body: JSON.stringify({
      type: 'openTicket',
      channel: 'portal',
      requester: { id: 'ann' },
      subject: 'Hi',
      body: 'Help',
    }),
  });
  expect(opened.status).toBe(200);
  const { id } = (await opened.json()) as { id: string };
  const noted = await call('/api/commands', 'bob', {
    method: 'POST',
    body: JSON.stringify({
      type: 'postMessage',
      ticketId: id,
      body: 'internal: card ends 4242',
      visibility: 'internal',
    }),
  });
  expect(noted.status).toBe(200);
  return id;
}

it('an x-actor naming an Object.prototype member is nobody: 401, and no internal note leaks', async () => {
  const id = await openTicketAsAnnWithNote();
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '']) {
    const list = await call('/api/tickets', name);
    expect(list.status, name).toBe(401);
    const one = await call(`/api/tickets/${id}`, name);
    expect(one.status, name).toBe(401);
    expect(await one.text()).not.toContain('4242');
  }
  // The agent still sees the note; the customer does not.
  expect(await (await call(`/api/tickets/${id}`, 'bob')).text()).toContain('4242');
  expect(await (await call(`/api/tickets/${id}`, 'ann')).text()).not.toContain('4242');
});

it('a malformed URL is a 400 with a typed error, not a 500', async () => {
  for (const path of ['/api/tickets/%E0%A4%A', '/api/tickets/%', '/api/tickets/%zz']) {
    const res = await call(path, 'bob');
    expect(res.status, path).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('validation');
  }
});
