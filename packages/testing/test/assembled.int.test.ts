/**
 * The assembled desk, attacked: SLA, rules and the email channel over one SQLite file that holds
 * two tenants and a desk of no tenant, mail out over real SMTP on loopback, several tickets each,
 * and a hostile customer who tries what customers must not be able to do. Every check here failed
 * on the desk of before the "Trust" issue in at least one way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, createHelpdesk, type Helpdesk, isTesseraError, type Ticket } from '@tessera/core';
import { emailChannel, emailState, parseEmail } from '@tessera/email';
import { smtpTransport } from '@tessera/mail-smtp';
import { classics, defineRules, rules } from '@tessera/rules';
import { businessCalendar, sla, slaMarks } from '@tessera/sla';
import { sqliteStore } from '@tessera/store-sqlite';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const T0 = new Date('2026-11-02T09:00:00Z'); // a Monday
let now = T0;
const clock = { now: () => now };

const dir = mkdtempSync(join(tmpdir(), 'tessera-assembled-'));
const closers: (() => Promise<unknown> | unknown)[] = [];

/** Waits for a condition, never for a fixed time; gives up after a generous bound. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The customers' mail provider: a loopback SMTP server keeping what the desks send. */
async function mailbox() {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { mails, port: (server.server.address() as AddressInfo).port };
}

const office = businessCalendar({
  timeZone: 'Europe/Berlin',
  week: {
    mon: [['08:00', '18:00']],
    tue: [['08:00', '18:00']],
    wed: [['08:00', '18:00']],
    thu: [['08:00', '18:00']],
    fri: [['08:00', '18:00']],
  },
});

let box: Awaited<ReturnType<typeof mailbox>>;
const desks: Record<'acme' | 'globex' | 'none', Helpdesk> = {} as never;
const channels: Record<'acme' | 'globex', ReturnType<typeof emailChannel>> = {} as never;

function deskFor(tenantId: 'acme' | 'globex' | undefined, store: ReturnType<typeof sqliteStore>) {
  const transport = smtpTransport({ host: '127.0.0.1', port: box.port, secure: false, ignoreTLS: true });
  closers.push(() => transport.close());
  const extensions = [
    sla({
      calendars: { office },
      policies: [{ id: 'std', calendar: 'office', targets: { firstReply: 120 }, warnBefore: 30 }],
    }),
    rules(
      defineRules({
        automations: [
          classics.autoCloseSolved({ days: 1 }),
          classics.pendingReminder({ hours: 24, note: 'still-waiting' }),
        ],
        templates: { 'still-waiting': 'Still waiting on {{ ticket.requester.name }}' },
      }),
    ),
  ];
  if (tenantId !== undefined) {
    const channel = emailChannel({
      address: `support@${tenantId}.example`,
      secret: `${tenantId}-secret-0123456789abcdef`,
      transport,
    });
    channels[tenantId] = channel;
    extensions.push(channel);
  }
  return createHelpdesk({ store, clock, ...(tenantId ? { tenantId } : {}), extensions });
}

const agent = (tenant: string): Actor => ({
  kind: 'agent',
  id: `agent-${tenant}`,
  name: `Agent of ${tenant}`,
  email: `agent@${tenant}.example`,
  teams: ['support'],
});
const admin: Actor = { kind: 'admin', id: 'root' };
const victim: Actor = {
  kind: 'customer',
  id: 'vera',
  name: 'Vera',
  email: 'vera@victim.example',
  organizationId: 'org-v',
};
const mallory: Actor = {
  kind: 'customer',
  id: 'mallory',
  name: 'Mallory',
  email: 'mallory@evil.example',
  organizationId: 'org-m',
};

async function open(desk: Helpdesk, who: Actor, subject: string, extra: Record<string, unknown> = {}) {
  const { ticket } = await desk.execute(
    {
      type: 'openTicket',
      channel: 'portal',
      requester: { id: who.id },
      subject,
      body: `${subject} body`,
      ...extra,
    },
    { actor: who },
  );
  return ticket;
}

/** Runs a call that must be refused: a typed error of this code, and the log unchanged. */
async function refused(
  code: string,
  desk: Helpdesk,
  ticketId: string | undefined,
  call: () => Promise<unknown>,
) {
  const before = ticketId ? (await desk.history(ticketId, { actor: admin })).events.length : 0;
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTesseraError(error), `expected a TesseraError, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (ticketId) expect((await desk.history(ticketId, { actor: admin })).events).toHaveLength(before);
  return error as Error & { details: Record<string, unknown> };
}

const customerViews = async (desk: Helpdesk, who: Actor, id: string) =>
  JSON.stringify([
    await desk.get(id, { actor: who }),
    await desk.history(id, { actor: who }),
    (await desk.query({}, { actor: who })).items,
  ]);

beforeAll(async () => {
  box = await mailbox();
  const store = sqliteStore({ filename: join(dir, 'desk.db') });
  closers.push(() => store.close());
  desks.acme = deskFor('acme', store);
  desks.globex = deskFor('globex', store);
  desks.none = deskFor(undefined, store);
  for (const desk of Object.values(desks)) closers.push(() => desk.close());
}, 60_000);

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a hostile customer', { timeout: 60_000 }, () => {
  it('cannot choose who they are: requester, organization and followers come from the actor', async () => {
    const desk = desks.acme;
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'portal',
        requester: { id: 'mallory', email: 'ceo@acme.example', organizationId: 'org-v', name: 'The CEO' },
        subject: 'Please mail my invoice',
        body: 'to the address above',
      },
      { actor: mallory },
    );
    expect(ticket.requester).toEqual({
      id: 'mallory',
      email: 'mallory@evil.example',
      name: 'Mallory',
      organizationId: 'org-m',
    });
    // An agent's reply goes to the actor's address, not the one the command named.
    await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'Here is your invoice', visibility: 'public' },
      { actor: agent('acme') },
    );
    const sent = await until('the reply to be mailed', () =>
      box.mails.find((m) => m.raw.includes('Here is your invoice')),
    );
    expect(sent.to).toEqual(['mallory@evil.example']);
    expect(box.mails.some((m) => m.to.includes('ceo@acme.example'))).toBe(false);
    // Vera's organization does not see it.
    const vera = { ...victim, organizationId: 'org-m' }; // even one claiming Mallory's organization
    expect((await desk.query({}, { actor: vera })).items.map((s) => s.id)).not.toContain(ticket.id);
    // Followers: only herself.
    await refused('forbidden', desk, ticket.id, () =>
      desk.execute(
        { type: 'addFollower', ticketId: ticket.id, follower: { id: 'ceo', email: 'ceo@acme.example' } },
        { actor: mallory },
      ),
    );
  });

  it('cannot set bookkeeping flags: an "automatic" reply still reopens a pending ticket', async () => {
    const desk = desks.acme;
    const t = await open(desk, mallory, 'Pending one');
    await desk.execute({ type: 'changeStatus', ticketId: t.id, status: 'pending' }, { actor: agent('acme') });
    await refused('forbidden', desk, t.id, () =>
      desk.execute(
        { type: 'postMessage', ticketId: t.id, body: 'ok', visibility: 'public', automatic: true },
        { actor: mallory },
      ),
    );
    const { ticket } = await desk.execute(
      { type: 'postMessage', ticketId: t.id, body: 'ok', visibility: 'public' },
      { actor: mallory },
    );
    expect(ticket.category).toBe('open');
  });

  it('cannot attach another customer’s blob, only an upload the desk issued to her', async () => {
    const desk = desks.acme;
    const veras = await open(desk, victim, 'Contract');
    const secret = await desk.upload(
      new TextEncoder().encode('Vera’s contract'),
      { contentType: 'text/plain', filename: 'contract.txt' },
      { actor: victim, ticketId: veras.id },
    );
    const mine = await open(desk, mallory, 'Steal');
    await refused('forbidden', desk, mine.id, () =>
      desk.execute(
        {
          type: 'postMessage',
          ticketId: mine.id,
          body: 'see attached',
          visibility: 'public',
          attachments: [{ filename: 'x.txt', contentType: 'text/plain', size: 15, blob: secret }],
        },
        { actor: mallory },
      ),
    );
    const own = await desk.upload(
      new TextEncoder().encode('mine'),
      { contentType: 'text/plain', filename: 'mine.txt' },
      { actor: mallory },
    );
    const { ticket } = await desk.execute(
      {
        type: 'postMessage',
        ticketId: mine.id,
        body: 'my own file',
        visibility: 'public',
        attachments: [{ filename: 'mine.txt', contentType: 'text/plain', size: 4, blob: own }],
      },
      { actor: mallory },
    );
    expect(ticket.messages.at(-1)?.attachments?.[0]?.blob?.id).toBe(own.id);
    // The other tenant cannot read the blob at all.
    expect(await desks.globex.store.blobs.get(secret, { tenantId: 'globex' })).toBeUndefined();
  });

  it('sees nothing internal anywhere: notes, internal fields, bookkeeping, agents’ contact details', async () => {
    const desk = desks.acme;
    const t = await open(desk, mallory, 'Leaky');
    const staff = agent('acme');
    await desk.execute(
      {
        type: 'postMessage',
        ticketId: t.id,
        body: 'INTERNAL-NOTE-7731',
        visibility: 'internal',
        notify: { to: ['boss@acme.example'] },
      },
      { actor: staff },
    );
    // The first-reply target (2 business hours) passes with only the note: the SLA records its marks.
    now = new Date(now.getTime() + 6 * 3600_000);
    await desk.tick();
    await desk.execute(
      { type: 'postMessage', ticketId: t.id, body: 'A public answer', visibility: 'public' },
      { actor: staff },
    );
    await until(
      'the note and the reply to be mailed',
      () =>
        box.mails.some((m) => m.raw.includes('INTERNAL-NOTE-7731')) &&
        box.mails.some((m) => m.raw.includes('A public answer')),
    );
    // SLA marks and deliveries exist for staff...
    const seen = await customerViews(desk, mallory, t.id);
    for (const secret of [
      'INTERNAL-NOTE-7731',
      'boss@acme.example',
      'agent@acme.example',
      'SlaWarning',
      'SlaBreached',
      'EmailSent',
      'EmailSendClaimed',
    ]) {
      expect(seen, secret).not.toContain(secret);
    }
    // ...the bookkeeping is there for staff (each module's slice of the ticket), and the customer's
    // view holds none of it.
    const staffView = await desk.get(t.id, { actor: admin });
    expect(slaMarks(staffView).length).toBeGreaterThan(0);
    expect(emailState(staffView).deliveries.length).toBeGreaterThan(0);
    expect(Object.keys(staffView.ext ?? {})).toEqual(expect.arrayContaining(['sla', 'email']));
    const customerView = await desk.get(t.id, { actor: mallory });
    expect(Object.values(customerView.ext ?? {}).filter((slice) => slice !== undefined)).toEqual([]);
    expect(slaMarks(customerView)).toEqual([]);
    expect(emailState(customerView).deliveries).toEqual([]);
    expect(seen).toContain('A public answer');
    expect(seen).toContain('Agent of acme');
  });

  it('cannot probe: someone else’s ticket, a merged one and a taken id all answer not_found', async () => {
    const desk = desks.acme;
    const a = await open(desk, victim, 'Vera one');
    const b = await open(desk, victim, 'Vera two');
    await desk.execute({ type: 'merge', ticketId: a.id, into: b.id }, { actor: agent('acme') });
    for (const id of [a.id, b.id, 'no-such-ticket']) {
      const e1 = await refused('not_found', desk, undefined, () =>
        desk.execute(
          { type: 'postMessage', ticketId: id, body: 'hi', visibility: 'public' },
          { actor: mallory },
        ),
      );
      expect(JSON.stringify(e1.details)).not.toContain(b.id === id ? a.id : b.id);
      await refused('not_found', desk, undefined, () => desk.get(id, { actor: mallory }));
      await refused('not_found', desk, undefined, () => desk.history(id, { actor: mallory }));
    }
    const taken = await desk
      .execute(
        {
          type: 'openTicket',
          ticketId: b.id,
          channel: 'portal',
          requester: { id: 'mallory' },
          subject: 's',
          body: 'b',
        },
        { actor: mallory },
      )
      .then(
        () => 'accepted',
        (e: unknown) => (isTesseraError(e) ? `${e.code}: ${e.message}` : String(e)),
      );
    const fresh = await desk
      .execute(
        {
          type: 'openTicket',
          ticketId: 'never-used-id',
          channel: 'portal',
          requester: { id: 'mallory' },
          subject: 's',
          body: 'b',
        },
        { actor: mallory },
      )
      .then(
        () => 'accepted',
        (e: unknown) => (isTesseraError(e) ? `${e.code}: ${e.message}` : String(e)),
      );
    // A taken id and a free one get the same answer, which says nothing of Vera's ticket.
    expect(taken.replace(b.id, 'ID')).toBe(fresh.replace('never-used-id', 'ID'));
    expect((await desk.get(b.id, { actor: admin })).requester.id).toBe('vera');
  });

  it('cannot pass for someone else with a made-up actor', async () => {
    const desk = desks.acme;
    const t = await open(desk, victim, 'Vera private');
    await desk.execute(
      { type: 'postMessage', ticketId: t.id, body: 'SECRET-NOTE-55', visibility: 'internal' },
      { actor: agent('acme') },
    );
    for (const actor of [
      { kind: 'guest', id: 'x' },
      { kind: 'Customer', id: 'vera' },
      { id: 'vera' },
      { kind: 'admin ', id: 'root' },
      null,
      undefined,
      'admin',
    ] as unknown as Actor[]) {
      await refused('validation', desk, t.id, () => desk.get(t.id, { actor }));
      await refused('validation', desk, t.id, () => desk.history(t.id, { actor }));
      await refused('validation', desk, t.id, () => desk.query({}, { actor }));
      await refused('validation', desk, t.id, () =>
        desk.execute({ type: 'setPriority', ticketId: t.id, priority: 'urgent' }, { actor }),
      );
    }
  });

  it('cannot crash the desk with hostile shapes: each is a ValidationError and nothing is appended', async () => {
    const desk = desks.acme;
    const t = await open(desk, mallory, 'Shapes');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { deep };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile: unknown[] = [
      deep,
      cyclic,
      10n,
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      ),
      {
        get body() {
          throw new Error('getter');
        },
      },
      { toJSON: () => 'x' },
    ];
    for (const value of hostile) {
      await refused('validation', desk, t.id, () =>
        desk.execute({ type: 'postMessage', ticketId: t.id, body: value, visibility: 'public' } as never, {
          actor: mallory,
        }),
      );
      await refused('validation', desk, t.id, () =>
        desk.execute({ type: 'setFields', ticketId: t.id, fields: { x: value } } as never, {
          actor: agent('acme'),
        }),
      );
    }
  });
});

describe('several tenants on one store', { timeout: 60_000 }, () => {
  it('the same ticket id in two tenants is two tickets; neither desk, nor one of no tenant, sees the other’s', async () => {
    const ids: Record<string, Ticket> = {};
    for (const tenant of ['acme', 'globex'] as const) {
      const { ticket } = await desks[tenant].execute(
        {
          type: 'openTicket',
          ticketId: 'shared-id',
          channel: 'portal',
          requester: { id: `c-${tenant}` },
          subject: `${tenant} subject`,
          body: 'b',
        },
        { actor: agent(tenant) },
      );
      ids[tenant] = ticket;
    }
    expect((await desks.acme.get('shared-id', { actor: admin })).subject).toBe('acme subject');
    expect((await desks.globex.get('shared-id', { actor: admin })).subject).toBe('globex subject');
    const acmeRows = (await desks.acme.query({}, { actor: admin, limit: 500 })).items;
    expect(acmeRows.filter((s) => s.id === 'shared-id').map((s) => s.subject)).toEqual(['acme subject']);
    expect(acmeRows.every((s) => s.tenantId === 'acme')).toBe(true);
    expect((await desks.none.query({}, { actor: admin, limit: 500 })).items).toEqual([]);
    await refused('not_found', desks.none, undefined, () => desks.none.get('shared-id', { actor: admin }));
  });

  it('a rebuild of one tenant leaves the other tenant’s rows as they were, and writes its own again', async () => {
    const before = (await desks.globex.query({}, { actor: admin, limit: 500 })).items;
    const ours = (await desks.acme.query({}, { actor: admin, limit: 500 })).items;
    expect(before.length).toBeGreaterThan(0);
    expect(ours.length).toBeGreaterThan(0);
    // SQLite's index takes the rebuild's rows in batches (upsertMany), through the tenant's view.
    await desks.acme.rebuild();
    expect((await desks.globex.query({}, { actor: admin, limit: 500 })).items).toEqual(before);
    expect((await desks.acme.query({}, { actor: admin, limit: 500 })).items).toEqual(ours);
    expect((await desks.acme.get('shared-id', { actor: admin })).subject).toBe('acme subject');
  });

  it('the same mail sent to both tenants opens a ticket in each, and again in neither', async () => {
    const raw = (to: string) =>
      [
        'From: Pat <pat@customer.example>',
        `To: ${to}`,
        'Subject: Both of you',
        'Message-ID: <same-mail-1@customer.example>',
        'Date: Mon, 02 Nov 2026 09:00:00 +0000',
        '',
        'Hello both',
        '',
      ].join('\r\n');
    const a = await channels.acme.ingest(raw('support@acme.example'));
    const g = await channels.globex.ingest(raw('support@globex.example'));
    expect(a.action).toBe('opened');
    expect(g.action).toBe('opened');
    expect(a.ticketId).toBeDefined();
    expect((await channels.acme.ingest(raw('support@acme.example'))).action).toBe('duplicate');
    expect((await channels.globex.ingest(raw('support@globex.example'))).action).toBe('duplicate');
    expect((await desks.globex.get(g.ticketId!, { actor: admin })).subject).toBe('Both of you');
  });
});

describe('several tickets and time', { timeout: 60_000 }, () => {
  it('one tick closes every due ticket, in each tenant, once', async () => {
    const solved: Record<string, string[]> = { acme: [], globex: [] };
    for (const tenant of ['acme', 'globex'] as const) {
      for (let i = 0; i < 5; i++) {
        const t = await open(
          desks[tenant],
          { kind: 'customer', id: `cust-${i}`, email: `cust-${i}@x.example` },
          `Solve me ${i}`,
        );
        await desks[tenant].execute(
          { type: 'changeStatus', ticketId: t.id, status: 'solved' },
          { actor: agent(tenant) },
        );
        solved[tenant]!.push(t.id);
      }
    }
    now = new Date(now.getTime() + 2 * 24 * 3600_000);
    await Promise.all([desks.acme.tick(), desks.globex.tick(), desks.none.tick()]);
    for (const tenant of ['acme', 'globex'] as const) {
      for (const id of solved[tenant]!) {
        const { events } = await desks[tenant].history(id, { actor: admin });
        expect(
          events.filter((e) => e.type === 'StatusChanged' && (e.data as { to: string }).to === 'closed'),
        ).toHaveLength(1);
      }
    }
  });
});

it('the acknowledgement leaves as real mail with our headers', { timeout: 60_000 }, async () => {
  const ack = box.mails.find((m) => m.raw.includes('Both of you'));
  expect(ack).toBeDefined();
  const parsed = await parseEmail(ack!.raw);
  expect(parsed.headers['auto-submitted']).toEqual(['auto-replied']);
});
