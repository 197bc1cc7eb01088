import { createHelpdesk, type OutboundEmail, type StoredEvent, type Ticket } from '@tessera/core';
import { describe, expect, it, vi } from 'vitest';
import { emailChannel } from './channel';
import { claimDelivery } from './commands';
import { type EmailState, emailState, emailStateFold } from './state';

const ADMIN = { kind: 'admin', id: 'admin' } as const;
/** Waiting for a condition, generously: a loaded machine is slow, not wrong. */
const WAIT = { timeout: 20_000, interval: 5 };
const AGENT = { kind: 'agent', id: 'agent-1', name: 'Agnes' } as const;
const mail = [
  'From: ann@example.org',
  'To: support@example.com',
  'Subject: Printer',
  'Message-ID: <c1@example.org>',
  '',
  'It is on fire.',
  '',
].join('\r\n');

/** A transport whose sends stay open until the test answers them (or, once `fast`, answer at once). */
function slowTransport() {
  const calls: { mail: OutboundEmail; answer(ok: boolean): void }[] = [];
  const state = { fast: false };
  return {
    calls,
    state,
    transport: {
      send(m: OutboundEmail) {
        return new Promise<{ accepted: string[]; rejected: string[] }>((resolve, reject) => {
          if (state.fast) {
            calls.push({ mail: m, answer: () => undefined });
            return resolve({ accepted: m.to, rejected: [] });
          }
          calls.push({
            mail: m,
            answer: (ok) =>
              ok ? resolve({ accepted: m.to, rejected: [] }) : reject(new Error('451 try later')),
          });
        });
      },
    },
  };
}

function setup(slow: ReturnType<typeof slowTransport>) {
  let now = new Date('2026-11-02T10:00:00Z');
  const channel = emailChannel({
    address: 'support@example.com',
    secret: 'test-secret',
    autoReply: false,
    sendTimeoutMs: 20,
    retryDelayMs: 1000,
    transport: slow.transport,
  });
  const desk = createHelpdesk({ clock: { now: () => now }, extensions: [channel] });
  return {
    channel,
    desk,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
      return now;
    },
  };
}

describe('a send slower than sendTimeoutMs', () => {
  it('has an unknown outcome: recorded as such, never resent, and the late answer recorded', async () => {
    const slow = slowTransport();
    const { channel, desk, advance } = setup(slow);
    const opened = await channel.ingest(mail);
    const { ticket } = await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    expect(slow.calls).toHaveLength(1);
    expect(emailState(ticket).deliveries).toMatchObject([{ status: 'unknown', attempts: 1 }]);
    expect(emailState(ticket).deliveries[0]!.error).toMatch(/did not answer within 20 ms/);
    expect(emailState(ticket).pending).toEqual([]);
    // Ticks long past every retry delay send nothing more: a second copy is what this prevents.
    for (let i = 0; i < 5; i++)
      expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(1);
    // The slow server did deliver: its late answer marks the mail sent.
    slow.calls[0]!.answer(true);
    await vi.waitFor(async () => {
      const t = await desk.get(opened.ticketId!, { actor: ADMIN });
      expect(emailState(t).deliveries.map((d) => d.status)).toEqual(['unknown', 'sent']);
    }, WAIT);
    await desk.tick(advance(3_600_000));
    expect(slow.calls).toHaveLength(1);
  }, 30_000);

  it('a late transient failure makes the mail due again: the next attempt is claimed and sent', async () => {
    const slow = slowTransport();
    const { channel, desk, advance } = setup(slow);
    const opened = await channel.ingest(mail);
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    slow.calls[0]!.answer(false);
    await vi.waitFor(async () => {
      const t = await desk.get(opened.ticketId!, { actor: ADMIN });
      expect(emailState(t).deliveries.map((d) => [d.status, d.attempts, d.error])).toEqual([
        ['unknown', 1, expect.stringMatching(/did not answer/)],
        ['failed', 1, '451 try later'],
      ]);
    }, WAIT);
    slow.state.fast = true;
    expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 1, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(2);
    expect(slow.calls[1]!.mail.messageId).toBe(slow.calls[0]!.mail.messageId);
    const t = await desk.get(opened.ticketId!, { actor: ADMIN });
    expect(emailState(t).deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['unknown', 1],
      ['failed', 1],
      ['sent', 2],
    ]);
    expect(emailState(t).sendClaims.map((c) => c.attempt)).toEqual([1, 2]);
    expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(2);
  }, 30_000);

  it('a late permanent failure gives the mail up', async () => {
    const slow = slowTransport();
    const { channel, desk, advance } = setup(slow);
    const opened = await channel.ingest(mail);
    const posted = await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    const messageId = posted.ticket.messages.at(-1)!.id;
    // The late answer as the channel would record it, permanent (a 550 from the server).
    await desk.execute(
      {
        type: 'recordDelivery',
        ticketId: opened.ticketId!,
        messageId,
        outcome: 'failed',
        recipients: ['ann@example.org'],
        error: '550 no such user',
        permanent: true,
        attempts: 1,
      },
      { actor: { kind: 'system', id: 'test' } },
    );
    slow.state.fast = true;
    expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(1);
  }, 30_000);
});

describe("the channel's slice", () => {
  const ticket = { id: 'T1', messages: [{ id: 'm1' }], category: 'open' } as unknown as Ticket;
  const at = '2026-11-02T10:00:00.000Z';
  const event = (type: string, data: Record<string, unknown>) =>
    ({ type, data, occurredAt: at }) as unknown as StoredEvent;

  it('folds a timed-out send recorded by older versions (a final failure saying so) as unknown', () => {
    const fold = emailStateFold('support@example.com');
    const initial = fold.initial();
    // A new ticket's slice is shared and frozen: the first write returns the ticket's own.
    const slice = fold.apply(
      initial,
      event('EmailDeliveryFailed', {
        messageId: 'm1',
        recipients: ['ann@example.org'],
        error: 'unknown outcome: the transport did not answer within 120000 ms',
        permanent: true,
        attempts: 1,
      }),
      ticket,
    ) as EmailState;
    expect(slice.deliveries).toMatchObject([{ status: 'unknown', attempts: 1 }]);
    expect(slice.deliveries[0]!.permanent).toBeUndefined();
    expect(initial).toEqual({ deliveries: [], sendClaims: [], pending: [] });
    expect(Object.isFrozen(initial) && fold.initial() === initial).toBe(true);
  });

  it('claims nothing while the latest outcome of a message is unknown, and again after a late failure', () => {
    const now = '2026-11-02T11:00:00.000Z';
    const command = {
      type: 'claimDelivery',
      ticketId: 'T1',
      messageId: 'm1',
      attempt: 2,
      claimant: 'p1',
      leaseMs: 1000,
    } as const;
    const ctx = { actor: { kind: 'system', id: 's' }, now } as Parameters<typeof claimDelivery.decide>[3];
    const unknown = {
      messageId: 'm1',
      status: 'unknown',
      recipients: [],
      attempts: 1,
      at,
    } satisfies EmailState['deliveries'][number];
    const state: EmailState = { deliveries: [unknown], sendClaims: [], pending: [] };
    expect(claimDelivery.decide(ticket, state, command, ctx)).toEqual([]);
    const failed = { ...unknown, status: 'failed' as const, permanent: false };
    expect(
      claimDelivery.decide(ticket, { ...state, deliveries: [unknown, failed] }, command, ctx),
    ).toMatchObject([
      { type: 'EmailSendClaimed', data: { attempt: 2, leaseUntil: '2026-11-02T11:00:01.000Z' } },
    ]);
  });

  it('is hidden from customers and shown to staff', async () => {
    const { channel, desk } = setup(slowTransport());
    const opened = await channel.ingest(mail);
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    const customer = { kind: 'customer', id: 'ann@example.org', email: 'ann@example.org' } as const;
    expect((await desk.get(opened.ticketId!, { actor: customer })).ext.email).toBeUndefined();
    expect(emailState(await desk.get(opened.ticketId!, { actor: AGENT })).deliveries).toHaveLength(1);
  }, 30_000);

  it('refuses a recordDelivery with a field it does not know, changing nothing', async () => {
    const { channel, desk } = setup(slowTransport());
    const opened = await channel.ingest(mail);
    const before = await desk.get(opened.ticketId!, { actor: ADMIN });
    await expect(
      desk.execute(
        {
          type: 'recordDelivery',
          ticketId: opened.ticketId!,
          messageId: before.messages[0]!.id,
          outcome: 'maybe',
          recipients: [],
          attempts: 1,
          extra: true,
        },
        { actor: { kind: 'system', id: 'test' } },
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await desk.get(opened.ticketId!, { actor: ADMIN })).version).toBe(before.version);
  });
});

describe('flush', () => {
  it('counts a send of unknown outcome as unknown, not failed', async () => {
    const slow = slowTransport();
    let now = new Date('2026-11-02T10:00:00Z');
    const channel = emailChannel({
      address: 'support@example.com',
      secret: 'test-secret',
      autoReply: false,
      sendOnCommit: false,
      sendTimeoutMs: 20,
      transport: slow.transport,
    });
    const desk = createHelpdesk({ clock: { now: () => now }, extensions: [channel] });
    const opened = await channel.ingest(mail);
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    now = new Date(now.getTime() + 1000);
    expect(await channel.flush()).toEqual({ sent: 0, failed: 0, unknown: 1 });
    expect(await channel.flush()).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(1);
  }, 30_000);
});

describe('outbound Date', () => {
  it('is the desk clock’s instant, not the machine’s', async () => {
    const sent: OutboundEmail[] = [];
    const channel = emailChannel({
      address: 'support@example.com',
      secret: 'test-secret',
      autoReply: false,
      transport: {
        async send(m) {
          sent.push(m);
          return { accepted: m.to, rejected: [] };
        },
      },
    });
    const desk = createHelpdesk({
      clock: { now: () => new Date('2031-07-04T08:09:10Z') },
      extensions: [channel],
    });
    const opened = await channel.ingest(mail);
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.Date).toBe('Fri, 04 Jul 2031 08:09:10 +0000');
  });
});
