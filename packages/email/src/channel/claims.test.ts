import { createHelpdesk, type OutboundEmail } from '@tessera/core';
import { describe, expect, it, vi } from 'vitest';
import { emailChannel } from './channel';

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

/** A transport whose sends stay open until the test answers them. */
function slowTransport() {
  const calls: { mail: OutboundEmail; answer(ok: boolean): void }[] = [];
  return {
    calls,
    transport: {
      send(m: OutboundEmail) {
        return new Promise<{ accepted: string[]; rejected: string[] }>((resolve, reject) => {
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
    expect(ticket.deliveries).toMatchObject([{ status: 'failed', permanent: true, attempts: 1 }]);
    expect(ticket.deliveries[0]!.error).toMatch(/^unknown outcome:/);
    // Ticks long past every retry delay send nothing more: a second copy is what this prevents.
    for (let i = 0; i < 5; i++)
      expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(1);
    // The slow server did deliver: its late answer marks the mail sent.
    slow.calls[0]!.answer(true);
    await vi.waitFor(async () => {
      const t = await desk.get(opened.ticketId!, { actor: ADMIN });
      expect(t.deliveries.map((d) => d.status)).toEqual(['failed', 'sent']);
    }, WAIT);
    await desk.tick(advance(3_600_000));
    expect(slow.calls).toHaveLength(1);
  }, 30_000);

  it('a late failure is recorded beside the unknown outcome, and the mail is still not resent', async () => {
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
      expect(t.deliveries.map((d) => [d.status, d.error])).toEqual([
        ['failed', expect.stringMatching(/^unknown outcome:/)],
        ['failed', '451 try later'],
      ]);
    }, WAIT);
    expect(await channel.flush(advance(3_600_000))).toEqual({ sent: 0, failed: 0, unknown: 0 });
    expect(slow.calls).toHaveLength(1);
  }, 30_000);
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
