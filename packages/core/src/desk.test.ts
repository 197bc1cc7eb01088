import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import { AdapterError, ConfigError, isTesseraError } from './errors';
import type { StoredEvent } from './events';
import type { Extension } from './extension';
import type { HelpdeskOptions } from './helpdesk';
import { inMemoryStore } from './memory';
import type { Actor } from './model';
import type { Store } from './ports';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io', organizationId: 'acme' };
const colleague: Actor = { kind: 'customer', id: 'c2', organizationId: 'acme' };
const agent: Actor = { kind: 'agent', id: 'a1', teams: ['billing'] };
const sales: Actor = { kind: 'agent', id: 'a2', teams: ['sales'] };
const admin: Actor = { kind: 'admin', id: 'root' };

function testDesk(options: HelpdeskOptions = {}) {
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  let id = 0;
  const clock = { now: () => new Date(now) };
  const desk = createHelpdesk({ clock, ids: { next: () => `id${++id}` }, ...options });
  return { desk, advance: (ms: number) => (now += ms), clock };
}

const openCmd = (over: Partial<Extract<Command, { type: 'openTicket' }>> = {}): Command => ({
  type: 'openTicket',
  channel: 'portal',
  requester: { id: 'c1', email: 'ann@acme.io', organizationId: 'acme' },
  subject: 'Invoice is wrong',
  body: 'We were charged twice',
  ...over,
});

describe('execute', () => {
  it('opens tickets with sequential numbers and returns the ticket and its events', async () => {
    const { desk } = testDesk();
    const a = await desk.execute(openCmd(), { actor: customer });
    const b = await desk.execute(openCmd({ subject: 'Second' }), { actor: customer });
    expect([a.ticket.number, b.ticket.number]).toEqual([1, 2]);
    expect(a.ticket).toMatchObject({
      status: 'new',
      category: 'new',
      priority: 'normal',
      version: 2,
      subject: 'Invoice is wrong',
    });
    expect(a.events.map((e) => [e.type, e.version, e.streamId])).toEqual([
      ['TicketOpened', 1, `ticket-${a.ticket.id}`],
      ['MessagePosted', 2, `ticket-${a.ticket.id}`],
    ]);
    expect(a.events[0]).toMatchObject({
      actor: customer,
      schemaVersion: 1,
      occurredAt: '2026-03-02T09:00:00.000Z',
    });
  });

  it('leaves the caller’s command and actor objects alone (not frozen, not shared)', async () => {
    const { desk } = testDesk();
    const actor: Actor = { kind: 'customer', id: 'c1' };
    const command = openCmd({ tags: ['a'] }) as Extract<Command, { type: 'openTicket' }>;
    const { ticket } = await desk.execute(command, { actor });
    expect(
      Object.isFrozen(actor) || Object.isFrozen(command.requester) || Object.isFrozen(command.tags),
    ).toBe(false);
    command.requester.name = 'changed later';
    actor.name = 'changed later';
    const again = await desk.get(ticket.id, { actor: admin });
    expect(again.requester.name).toBeUndefined();
    expect(again.lastUpdatedBy?.name).toBeUndefined();
  });

  it('refused commands append nothing', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    const before = JSON.stringify(await store.events.readAll());
    const bad: Command[] = [
      { type: 'changeStatus', ticketId: ticket.id, status: 'nope' },
      { type: 'changeStatus', ticketId: ticket.id, status: 'open' },
      { type: 'postMessage', ticketId: ticket.id, body: '', visibility: 'public' },
      { type: 'postMessage', ticketId: 'missing', body: 'x', visibility: 'public' },
      openCmd({ subject: '' }),
    ];
    for (const command of bad) {
      await expect(desk.execute(command, { actor: customer })).rejects.toSatisfy((e) => isTesseraError(e));
    }
    expect(JSON.stringify(await store.events.readAll())).toBe(before);
    // A refused open burns no ticket number.
    const next = await desk.execute(openCmd(), { actor: customer });
    expect(next.ticket.number).toBe(2);
  });

  it('records an internal note that is also a notification, and refuses one on a public reply', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    const r = await desk.execute(
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'Escalated to the lead',
        visibility: 'internal',
        notify: { to: ['lead@desk.io'], text: 'Please look at #1' },
      },
      { actor: agent },
    );
    expect(r.ticket.messages.at(-1)).toMatchObject({
      visibility: 'internal',
      notify: { to: ['lead@desk.io'], text: 'Please look at #1' },
    });
    const before = (await store.events.readAll()).length;
    const bad: unknown[] = [
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'x',
        visibility: 'public',
        notify: { to: ['a@b.c'] },
      },
      { type: 'postMessage', ticketId: ticket.id, body: 'x', visibility: 'internal', notify: { to: [] } },
      { type: 'postMessage', ticketId: ticket.id, body: 'x', visibility: 'internal', notify: { text: 'x' } },
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'x',
        visibility: 'internal',
        notify: { to: ['a'], cc: [] },
      },
      { type: 'postMessage', ticketId: ticket.id, body: 'x', visibility: 'internal', notify: ['a@b.c'] },
    ];
    const paths: string[][] = [];
    for (const command of bad) {
      const error = await desk.execute(command as Command, { actor: agent }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'validation' });
      paths.push((error as { problems: { path: string }[] }).problems.map((p) => p.path));
    }
    expect(paths).toEqual([['notify'], ['notify.to'], ['notify.to'], ['notify.cc'], ['notify']]);
    expect(await store.events.readAll()).toHaveLength(before);
    // Customers never see it: it is an internal note.
    const seen = await desk.get(ticket.id, { actor: customer });
    expect(seen.messages.some((m) => m.notify)).toBe(false);
  });

  it('takes its limits from the options: a body over a raised limit is refused, under it accepted', async () => {
    const { desk } = testDesk({ limits: { maxBodyLength: 200_000, maxTags: 2 } });
    const long = 'x'.repeat(150_000);
    const { ticket } = await desk.execute(openCmd({ body: long }), { actor: customer });
    expect(ticket.messages[0]!.body).toHaveLength(150_000);
    const defaults = testDesk().desk;
    await expect(defaults.execute(openCmd({ body: long }), { actor: customer })).rejects.toMatchObject({
      code: 'validation',
      problems: [{ path: 'body' }],
    });
    await expect(
      desk.execute(openCmd({ body: 'x'.repeat(200_001) }), { actor: customer }),
    ).rejects.toMatchObject({ code: 'validation', problems: [{ path: 'body' }] });
    await expect(
      desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['a', 'b', 'c'] }, { actor: agent }),
    ).rejects.toMatchObject({ code: 'validation', problems: [{ path: 'tags' }] });
  });

  it('keeps attachments on openTicket as metadata on the first message', async () => {
    const { desk } = testDesk();
    const blob = await desk.upload(
      new Uint8Array(48_213),
      { contentType: 'application/pdf' },
      { actor: customer },
    );
    const attachments = [{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 48_213, blob }];
    const { ticket } = await desk.execute(openCmd({ attachments }), { actor: customer });
    expect(ticket.messages[0]!.attachments).toEqual(attachments);
    await expect(
      desk.execute(openCmd({ attachments: [{ filename: '', contentType: 'text/plain', size: -1 }] }), {
        actor: customer,
      }),
    ).rejects.toMatchObject({
      code: 'validation',
      problems: [{ path: 'attachments[0].filename' }, { path: 'attachments[0].size' }],
    });
  });

  it('the same idempotency key twice appends once and returns the first result', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    const first = await desk.execute(openCmd(), { actor: customer, idempotencyKey: 'form-42' });
    const again = await desk.execute(openCmd(), { actor: customer, idempotencyKey: 'form-42' });
    expect(again.ticket.id).toBe(first.ticket.id);
    const reply: Command = {
      type: 'postMessage',
      ticketId: first.ticket.id,
      body: 'On it',
      visibility: 'public',
    };
    const [r1, r2] = await Promise.all([
      desk.execute(reply, { actor: agent, idempotencyKey: 'r1' }),
      desk.execute(reply, { actor: agent, idempotencyKey: 'r1' }),
    ]);
    expect(r2.ticket.version).toBe(r1.ticket.version);
    // A second desk on the same store (a restarted process) still finds the earlier result in the log.
    const { desk: restarted } = testDesk({ store });
    const r3 = await restarted.execute(reply, { actor: agent, idempotencyKey: 'r1' });
    expect(r3.events.map((e) => e.eventId)).toEqual(r1.events.map((e) => e.eventId));
    const reopened = await restarted.execute(openCmd(), { actor: customer, idempotencyKey: 'form-42' });
    expect(reopened.ticket.id).toBe(first.ticket.id);
    const all = await store.events.readAll();
    expect(all.filter((e) => e.type === 'TicketOpened')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'MessagePosted')).toHaveLength(2);
  });

  it('retries on a conflict with another writer and lands on the newer state', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    const other = testDesk({ store }).desk;
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await desk.get(ticket.id, { actor: agent }); // desk caches version 2
    await other.execute({ type: 'tag', ticketId: ticket.id, tags: ['vip'] }, { actor: agent });
    const r = await desk.execute(
      { type: 'setPriority', ticketId: ticket.id, priority: 'high' },
      { actor: agent },
    );
    expect(r.ticket.tags).toEqual(['vip']);
    expect(r.ticket.priority).toBe('high');
    expect((await store.events.readStream(`ticket-${ticket.id}`)).map((e) => e.version)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('decides again on the stored ticket when the cached one would refuse or change nothing', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    const other = createHelpdesk({ store, ids: { next: () => crypto.randomUUID() } });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await desk.execute({ type: 'assign', ticketId: ticket.id, assignee: 'a1' }, { actor: agent });
    // Another desk moves the ticket on; this desk's cache still has a1 assigned.
    await other.execute({ type: 'unassign', ticketId: ticket.id }, { actor: agent });
    // On the cache this is a no-op; on the store it assigns.
    const assigned = await desk.execute(
      { type: 'assign', ticketId: ticket.id, assignee: 'a1' },
      { actor: agent },
    );
    expect(assigned.events.map((e) => e.type)).toEqual(['Assigned']);
    expect(assigned.ticket.assignee).toBe('a1');
    // The other desk solves it: on the cache a rating is refused (not solved); on the store it lands.
    await other.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
    const rated = await desk.execute({ type: 'rate', ticketId: ticket.id, score: 5 }, { actor: customer });
    expect(rated.events.map((e) => e.type)).toEqual(['RatingReceived']);
    expect(rated.ticket.rating?.score).toBe(5);
    expect((await store.events.readStream(`ticket-${ticket.id}`)).map((e) => e.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
  });

  it('a customer reply to a closed ticket opens a linked follow-up; with reject it is refused', async () => {
    const { desk } = testDesk();
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'closed' }, { actor: agent });
    const r = await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'It broke again', visibility: 'public' },
      { actor: customer },
    );
    expect(r.followUp?.id).toBe(r.ticket.id);
    expect(r.ticket.id).not.toBe(ticket.id);
    expect(r.ticket.links).toEqual([{ to: ticket.id, relation: 'follow-up-of' }]);
    expect(r.ticket.messages.map((m) => m.body)).toEqual(['It broke again']);
    await expect(
      desk.execute(
        { type: 'postMessage', ticketId: ticket.id, body: 'note', visibility: 'internal' },
        { actor: agent },
      ),
    ).rejects.toMatchObject({ code: 'closed' });
  });

  it('merge ends the source, records it on the target, and routes replies there', async () => {
    const { desk } = testDesk();
    const a = (await desk.execute(openCmd(), { actor: customer })).ticket;
    const b = (await desk.execute(openCmd({ subject: 'Same issue' }), { actor: customer })).ticket;
    const merged = await desk.execute({ type: 'merge', ticketId: a.id, into: b.id }, { actor: agent });
    expect(merged.ticket).toMatchObject({ status: 'merged', category: 'merged', mergedInto: b.id });
    const target = await desk.get(b.id, { actor: agent });
    expect(target.mergedFrom).toEqual([a.id]);
    const reply = await desk.execute(
      { type: 'postMessage', ticketId: a.id, body: 'Any news?', visibility: 'public' },
      { actor: customer },
    );
    expect(reply.ticket.id).toBe(b.id);
    expect(reply.ticket.messages.at(-1)?.body).toBe('Any news?');
    await expect(
      desk.execute({ type: 'merge', ticketId: b.id, into: a.id }, { actor: agent }),
    ).rejects.toMatchObject({ code: 'closed' });
    await expect(
      desk.execute({ type: 'merge', ticketId: b.id, into: 'ghost' }, { actor: agent }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a merge or link whose other side failed to append is completed, once, by a retry with its idempotency key', async () => {
    const inner = inMemoryStore();
    let failOn: string | undefined;
    const store: Store = {
      ...inner,
      events: {
        ...inner.events,
        append: async (streamId, events, options) => {
          if (streamId === failOn) {
            failOn = undefined;
            throw new AdapterError('the database went away');
          }
          return inner.events.append(streamId, events, options);
        },
      },
    };
    const { desk } = testDesk({ store });
    const open = async () => (await desk.execute(openCmd(), { actor: customer })).ticket;
    const [a, b, c, d] = [await open(), await open(), await open(), await open()];
    for (const [command, key, target] of [
      [{ type: 'merge', ticketId: a.id, into: b.id }, 'merge-1', b.id],
      [{ type: 'link', ticketId: c.id, to: d.id, relation: 'parent-of' }, 'link-1', d.id],
    ] as const) {
      failOn = `ticket-${target}`;
      await expect(desk.execute(command, { actor: agent, idempotencyKey: key })).rejects.toMatchObject({
        code: 'adapter',
      });
      // Retried here, and again by another process (which has no memory of the first result).
      await desk.execute(command, { actor: agent, idempotencyKey: key });
      await testDesk({ store }).desk.execute(command, { actor: agent, idempotencyKey: key });
    }
    expect((await desk.get(a.id, { actor: agent })).mergedInto).toBe(b.id);
    expect((await desk.get(b.id, { actor: agent })).mergedFrom).toEqual([a.id]);
    expect((await desk.get(d.id, { actor: agent })).links).toEqual([{ to: c.id, relation: 'child-of' }]);
    const events = (await inner.events.readAll()).map((e) => e.type);
    expect(events.filter((t) => t === 'TicketMerged')).toHaveLength(1);
    expect(events.filter((t) => t === 'TicketReceivedMerge')).toHaveLength(1);
    expect(events.filter((t) => t === 'TicketLinked')).toHaveLength(2);
  });

  it('link records the relation on both tickets', async () => {
    const { desk } = testDesk();
    const a = (await desk.execute(openCmd(), { actor: customer })).ticket;
    const b = (await desk.execute(openCmd(), { actor: customer })).ticket;
    const r = await desk.execute(
      { type: 'link', ticketId: a.id, to: b.id, relation: 'parent-of' },
      { actor: agent },
    );
    expect(r.ticket.links).toEqual([{ to: b.id, relation: 'parent-of' }]);
    expect((await desk.get(b.id, { actor: agent })).links).toEqual([{ to: a.id, relation: 'child-of' }]);
    await expect(
      desk.execute({ type: 'link', ticketId: a.id, to: 'ghost', relation: 'related' }, { actor: agent }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('reads', () => {
  it('get redacts internal notes and internal fields for customers, and hides other customers’ tickets', async () => {
    const { desk } = testDesk({ internalFields: ['margin'] });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'VIP, be nice', visibility: 'internal' },
      { actor: agent },
    );
    await desk.execute(
      { type: 'setFields', ticketId: ticket.id, fields: { margin: 0.4, plan: 'pro' } },
      { actor: agent },
    );
    // Bookkeeping of the desk's own: logged time (extensions' slices are checked in module.test.ts).
    await desk.execute({ type: 'logTime', ticketId: ticket.id, minutes: 15 }, { actor: agent });
    const seen = await desk.get(ticket.id, { actor: customer });
    expect(seen.messages.map((m) => m.body)).toEqual(['We were charged twice']);
    expect(seen.fields).toEqual({ plan: 'pro' });
    expect(seen.timeLoggedMinutes).toBe(0);
    expect((await desk.get(ticket.id, { actor: agent })).timeLoggedMinutes).toBe(15);
    expect((await desk.get(ticket.id, { actor: agent })).messages).toHaveLength(2);
    await expect(desk.get(ticket.id, { actor: colleague })).rejects.toMatchObject({ code: 'not_found' });
    const orgDesk = testDesk({ visibility: 'organization' });
    const t2 = (await orgDesk.desk.execute(openCmd(), { actor: customer })).ticket;
    expect((await orgDesk.desk.get(t2.id, { actor: colleague })).id).toBe(t2.id);
  });

  it('history(asOf) gives the ticket as it was at any instant', async () => {
    const { desk, advance } = testDesk();
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    advance(60_000);
    await desk.execute({ type: 'setPriority', ticketId: ticket.id, priority: 'urgent' }, { actor: agent });
    advance(60_000);
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
    const early = await desk.history(ticket.id, { actor: agent, asOf: '2026-03-02T09:00:30.000Z' });
    expect(early.ticket).toMatchObject({ priority: 'normal', status: 'new', version: 2 });
    const mid = await desk.history(ticket.id, { actor: agent, asOf: new Date('2026-03-02T09:01:00.000Z') });
    expect(mid.ticket).toMatchObject({ priority: 'urgent', status: 'new' });
    expect((await desk.history(ticket.id, { actor: agent })).ticket?.status).toBe('solved');
    expect(
      (await desk.history(ticket.id, { actor: agent, asOf: '2020-01-01T00:00:00Z' })).ticket,
    ).toBeUndefined();
  });

  it('query filters, sorts and pages by cursor; saved queues; scopes by actor', async () => {
    const { desk, advance } = testDesk();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      advance(1000);
      const team = i % 2 === 0 ? 'billing' : 'sales';
      const r = await desk.execute(
        openCmd({ subject: `Ticket ${i}`, team, priority: i === 3 ? 'urgent' : 'normal' }),
        { actor: customer },
      );
      ids.push(r.ticket.id);
    }
    await desk.execute({ type: 'assign', ticketId: ids[0]!, assignee: 'a1' }, { actor: admin });
    await desk.execute({ type: 'changeStatus', ticketId: ids[2]!, status: 'pending' }, { actor: admin });

    const page1 = await desk.query(
      {},
      { actor: admin, sort: { field: 'number', direction: 'asc' }, limit: 3 },
    );
    const page2 = await desk.query(
      {},
      { actor: admin, sort: { field: 'number', direction: 'asc' }, limit: 3, cursor: page1.nextCursor! },
    );
    const page3 = await desk.query(
      {},
      { actor: admin, sort: { field: 'number', direction: 'asc' }, limit: 3, cursor: page2.nextCursor! },
    );
    expect([...page1.items, ...page2.items, ...page3.items].map((s) => s.number)).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(page3.nextCursor).toBeUndefined();

    const urgentFirst = await desk.query(
      {},
      { actor: admin, sort: { field: 'priority', direction: 'desc' }, limit: 1 },
    );
    expect(urgentFirst.items[0]?.id).toBe(ids[3]);
    // `text` is a search: the words in any order, and a ticket's number (#5 is 'Ticket 4') is a word too.
    const words = await desk.query({ text: 'ticket 5' }, { actor: admin, sort: { field: 'number' } });
    expect(words.items.map((s) => s.id)).toEqual([ids[5], ids[4]]);
    expect((await desk.query({ text: '"ticket 5"' }, { actor: admin })).items.map((s) => s.id)).toEqual([
      ids[5],
    ]);
    expect(
      (await desk.query({ queue: 'mine' }, { actor: { ...agent, id: 'a1' } })).items.map((s) => s.id),
    ).toEqual([ids[0]]);
    expect(
      (await desk.query({ queue: 'waiting-on-customer' }, { actor: admin })).items.map((s) => s.id),
    ).toEqual([ids[2]]);
    expect((await desk.query({ queue: 'unassigned' }, { actor: admin })).items).toHaveLength(5);
    expect((await desk.query({ queue: 'waiting-on-agent' }, { actor: admin })).items).toHaveLength(6);
    // An agent sees their team's tickets and those with no team; a customer only their own.
    const billing = await desk.query({}, { actor: agent, limit: 100 });
    expect(billing.items.every((s) => s.team === 'billing')).toBe(true);
    expect(billing.items).toHaveLength(4);
    expect((await desk.query({ team: 'sales' }, { actor: agent })).items).toHaveLength(0);
    expect((await desk.query({}, { actor: sales, limit: 100 })).items).toHaveLength(3);
    expect((await desk.query({}, { actor: colleague })).items).toHaveLength(0);
    expect((await desk.query({}, { actor: customer, limit: 100 })).items).toHaveLength(7);
  });

  it('findByNumber', async () => {
    const { desk } = testDesk();
    await desk.execute(openCmd(), { actor: customer });
    const b = await desk.execute(openCmd(), { actor: customer });
    expect((await desk.findByNumber(2, { actor: agent }))?.id).toBe(b.ticket.id);
    expect(await desk.findByNumber(9, { actor: agent })).toBeUndefined();
  });
});

describe('tenants', () => {
  it('scope streams, numbers, index rows and queries', async () => {
    const store = inMemoryStore();
    // Ticket ids are unique across tenants (UUIDs by default); numbers are per tenant.
    const acme = testDesk({ store, tenantId: 'acme', ids: { next: () => `acme-${Math.random()}` } }).desk;
    const globex = testDesk({
      store,
      tenantId: 'globex',
      ids: { next: () => `globex-${Math.random()}` },
    }).desk;
    const a = await acme.execute(openCmd(), { actor: customer });
    const g = await globex.execute(openCmd(), { actor: customer });
    expect([a.ticket.number, g.ticket.number]).toEqual([1, 1]);
    expect(a.events[0]?.streamId).toBe(`acme/ticket-${a.ticket.id}`);
    expect(a.ticket.tenantId).toBe('acme');
    expect((await acme.query({}, { actor: admin })).items.map((s) => s.id)).toEqual([a.ticket.id]);
    await expect(acme.get(g.ticket.id, { actor: admin })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('subscribe, rebuild, tick and extensions', () => {
  it('subscribers see every committed event in order, once', async () => {
    const { desk } = testDesk();
    const seen: StoredEvent[] = [];
    desk.subscribe((events) => {
      seen.push(...events);
    });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await Promise.all([
      desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['a'] }, { actor: agent }),
      desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['b'] }, { actor: agent }),
    ]);
    await desk.close();
    expect(seen.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(seen.map((e) => e.position)).toEqual([...seen.map((e) => e.position)].sort());
  });

  it('extensions with onCommitted follow every commit in order, also from other desks on the store', async () => {
    const store = inMemoryStore();
    const seen: string[] = [];
    const follower: Extension = {
      name: 'follower',
      onCommitted: (events) => {
        seen.push(...events.map((e) => `${e.type}@${e.version}`));
      },
    };
    const { desk } = testDesk({ store, extensions: [follower] });
    const other = createHelpdesk({ store });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await other.execute({ type: 'tag', ticketId: ticket.id, tags: ['from-elsewhere'] }, { actor: agent });
    await desk.execute({ type: 'setPriority', ticketId: ticket.id, priority: 'high' }, { actor: agent });
    await desk.close();
    expect(seen).toEqual(['TicketOpened@1', 'MessagePosted@2', 'TagsChanged@3', 'PriorityChanged@4']);
  });

  it('rebuild replays the log into the read models, with progress', async () => {
    const store = inMemoryStore();
    const { desk } = testDesk({ store });
    for (let i = 0; i < 5; i++) {
      const { ticket } = await desk.execute(openCmd(), { actor: customer });
      await desk.execute(
        { type: 'assign', ticketId: ticket.id, assignee: 'a1', team: 'billing' },
        { actor: admin },
      );
    }
    const live = await store.index.query({ limit: 100, sort: { field: 'number', direction: 'asc' } });
    const progress: number[] = [];
    const result = await desk.rebuild({ onProgress: (p) => progress.push(p.events) });
    const rebuilt = await store.index.query({ limit: 100, sort: { field: 'number', direction: 'asc' } });
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(live));
    expect(result).toMatchObject({ events: 15, tickets: 5 });
    expect(progress.at(-1)).toBe(15);
    expect(await store.index.checkpoint()).toBe(result.position);
  });

  it('extensions react within execute, as automation with causation, and cascades stop at the depth limit', async () => {
    const tagger: Extension = {
      name: 'tagger',
      react: async (c) => {
        if (c.events.some((e) => e.type === 'TicketOpened'))
          await c.execute({
            command: { type: 'tag', ticketId: c.ticket.id, tags: ['triaged'] },
            ruleId: 'triage',
          });
      },
      summarize: (ticket, summary) => ({ ...summary, ext: { tagger: ticket.tags.length } }),
    };
    const store = inMemoryStore();
    const { desk } = testDesk({ store, extensions: [tagger] });
    // As an agent: a customer is handed back the customer's view, without rule ids.
    const r = await desk.execute(openCmd(), { actor: agent });
    expect(r.ticket.tags).toEqual(['triaged']);
    expect(r.allEvents.map((e) => e.type)).toEqual(['TicketOpened', 'MessagePosted', 'TagsChanged']);
    const tagged = r.allEvents[2]!;
    expect(tagged).toMatchObject({
      actor: { kind: 'automation' },
      ruleId: 'triage',
      causationId: r.events[1]!.eventId,
    });
    expect((await store.index.get(r.ticket.id))?.ext).toEqual({ tagger: 1 });

    const pingPong: Extension = {
      name: 'ping-pong',
      react: async (c) => {
        await c.execute({
          command: {
            type: 'setPriority',
            ticketId: c.ticket.id,
            priority: c.ticket.priority === 'high' ? 'low' : 'high',
          },
          ruleId: c.ticket.priority === 'high' ? 'lower' : 'raise',
        });
      },
    };
    const loop = testDesk({ extensions: [pingPong], maxCascadeDepth: 4 }).desk;
    await expect(loop.execute(openCmd(), { actor: customer })).rejects.toThrow(
      /raise → lower → raise → lower/,
    );
  });

  it('tick calls onDue for tickets whose due instant has passed, and not again once handled', async () => {
    const calls: string[] = [];
    const reminder: Extension = {
      name: 'reminder',
      due: (t) =>
        t.category === 'pending' && !t.tags.includes('reminded')
          ? new Date(Date.parse(t.statusChangedAt) + 3_600_000)
          : undefined,
      onDue: async (t, now, ctx) => {
        calls.push(`${t.id}@${now.toISOString()}`);
        await ctx.execute(
          { type: 'tag', ticketId: t.id, tags: ['reminded'] },
          { actor: { kind: 'automation', id: 'reminder' } },
        );
      },
    };
    const { desk, advance, clock } = testDesk({ extensions: [reminder] });
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    expect(await desk.tick()).toEqual({ due: 0, commands: 0 });
    advance(3_600_000);
    expect(await desk.tick()).toEqual({ due: 1, commands: 1 });
    expect(await desk.tick(new Date(clock.now().getTime() + 10_000))).toEqual({ due: 0, commands: 0 });
    expect(calls).toHaveLength(1);
    expect((await desk.get(ticket.id, { actor: agent })).tags).toEqual(['reminded']);
  });
});

describe('hooks issue commands with execute, and return nothing', () => {
  it('a list returned from react or onDue, as older versions ran, is a ConfigError naming the extension, not dropped', async () => {
    const tag = (id: string) => ({ type: 'tag', ticketId: id, tags: ['x'] });
    const returnsList = { name: 'old-style', react: (c: { ticket: { id: string } }) => [tag(c.ticket.id)] };
    const { desk } = testDesk({ extensions: [returnsList as unknown as Extension] });
    const refused = desk.execute(openCmd(), { actor: customer });
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/old-style\.react.*committed\.execute/);

    const dueList = {
      name: 'old-due',
      due: () => new Date(0),
      onDue: (t: { id: string }) => [tag(t.id)],
    };
    const later = testDesk({ extensions: [dueList as unknown as Extension] }).desk;
    await later.execute(openCmd(), { actor: customer });
    await expect(later.tick()).rejects.toThrow(/old-due\.onDue.*ctx\.execute/);
  });
});

describe('reactions are not repeated, and tick goes on', () => {
  it('a retried command (same idempotency key) does not set off its reactions again', async () => {
    let reactions = 0;
    const counter: Extension = {
      name: 'counter',
      react: () => {
        reactions++;
      },
    };
    const { desk } = testDesk({ extensions: [counter] });
    await desk.execute(openCmd(), { actor: customer, idempotencyKey: 'k1' });
    const restarted = testDesk({ store: desk.store, extensions: [counter] }).desk;
    await restarted.execute(openCmd(), { actor: customer, idempotencyKey: 'k1' });
    expect(reactions).toBe(1);
  });

  it('records automatic messages as such', async () => {
    const { desk } = testDesk();
    const { ticket } = await desk.execute(openCmd(), { actor: customer });
    const r = await desk.execute(
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'Out of office',
        visibility: 'public',
        automatic: true,
      },
      { actor: { kind: 'system', id: 'mail' } },
    );
    expect(r.events[0]).toMatchObject({ type: 'MessagePosted', data: { automatic: true } });
  });

  it('a command the ticket refuses during tick is reported, and the tick serves the other tickets', async () => {
    const errors: string[] = [];
    const closer: Extension = {
      name: 'closer',
      due: (t) => (t.category === 'new' ? new Date(0) : undefined),
      onDue: async (t, _now, ctx) => {
        await ctx.execute(
          { type: 'changeStatus', ticketId: t.id, status: t.subject === 'bad' ? 'nowhere' : 'open' },
          { actor: { kind: 'automation', id: 'closer' } },
        );
      },
    };
    const { desk } = testDesk({
      extensions: [closer],
      onError: (e, where) => void errors.push(`${where.extension}:${(e as Error).message.slice(0, 20)}`),
    });
    const bad = await desk.execute(openCmd({ subject: 'bad' }), { actor: customer });
    const good = await desk.execute(openCmd({ subject: 'good' }), { actor: customer });
    await desk.tick();
    expect((await desk.get(good.ticket.id, { actor: admin })).status).toBe('open');
    expect((await desk.get(bad.ticket.id, { actor: admin })).status).toBe('new');
    expect(errors).toEqual(['closer:invalid input: statu']);
  });
});

describe('upcasters', () => {
  it('upgrade old events on read', async () => {
    const store: Store = inMemoryStore();
    const old = createHelpdesk({ store, clock: { now: () => new Date('2026-01-01T00:00:00Z') } });
    const { ticket } = await old.execute(openCmd(), { actor: customer });
    // Simulate a v0 event written by an older version: subject stored upper-case, schemaVersion 0.
    await store.events.append(
      `ticket-${ticket.id}`,
      [
        {
          type: 'TagsChanged',
          data: { added: ['LEGACY'], removed: [] },
          eventId: 'old',
          occurredAt: '2026-01-01T00:00:00Z',
          actor: admin,
          schemaVersion: 0,
        },
      ],
      { expectedVersion: 2 },
    );
    const desk = createHelpdesk({
      store,
      upcasters: {
        TagsChanged: (e) =>
          e.type === 'TagsChanged'
            ? { ...e, schemaVersion: 1, data: { ...e.data, added: e.data.added.map((t) => t.toLowerCase()) } }
            : e,
      },
    });
    expect((await desk.get(ticket.id, { actor: admin })).tags).toEqual(['legacy']);
  });
});
