import { isTesseraError, type MailTransport, type OutboundEmail } from '@tessera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Factory, open } from './subject';

/** One mail as the harness's server received it, read back by the harness. */
export interface ReceivedMail {
  /** The SMTP envelope (or its equivalent): the reverse path and the recipients accepted. */
  envelope: { from: string; to: string[] };
  /** Header fields as received: lower-cased name → values in order, unfolded (not decoded). */
  headers: Record<string, string[]>;
  /** The From mailbox, its display name decoded. */
  from?: { address: string; name?: string };
  /** The subject, decoded. */
  subject: string;
  text?: string;
  html?: string;
  attachments: { filename?: string; contentType: string; content: Uint8Array; contentId?: string }[];
}

/** What the suite asks of the server behind a transport, per test. */
export interface MailTransportScenario {
  /** Recipients the server refuses (as a 550 to `RCPT TO`). */
  rejectRecipients?: readonly string[];
  /** The server refuses every mail (a 5xx to the mail itself). */
  refuseMail?: boolean;
  /** There is no server: the transport cannot connect (or the connection fails). */
  down?: boolean;
}

/** A transport and the server it delivers to, as the suite needs them. */
export interface MailTransportHarness {
  transport: MailTransport;
  /** Every mail the server has accepted so far, oldest first. */
  received(): Promise<ReceivedMail[]>;
}

const sample = (over: Partial<OutboundEmail> = {}): OutboundEmail => {
  const id = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
  return {
    from: 'Support <support@example.com>',
    to: ['ann@example.org'],
    replyTo: 'support+tok@example.com',
    subject: 'Re: Printer [#7]',
    messageId: `<tessera.t7.${id}@example.com>`,
    inReplyTo: '<c1@example.org>',
    references: ['<c0@example.org>', '<c1@example.org>'],
    headers: { Date: 'Tue, 01 Dec 2026 21:00:00 +0000', 'Auto-Submitted': 'auto-replied' },
    text: 'We are on it.',
    ...over,
  };
};

const bare = (v: string | undefined) => (v ?? '').trim().replace(/^<|>$/g, '');

/**
 * The `MailTransport` conformance suite: what the email channel relies on of any transport.
 * Recipients accepted and refused are reported; Message-ID, In-Reply-To, References, Date and
 * Auto-Submitted reach the server as given; the envelope sender (VERP) is used; attachments and
 * unicode arrive byte for byte; a refused mail and a failing server are typed `TesseraError`s,
 * the refusal marked `permanent` and the failure not.
 *
 * @example
 * // Per scenario, a server (refusing what the scenario says) and a transport that sends to it;
 * // see packages/mail-smtp/src/transport.conformance.int.test.ts for a loopback SMTP one.
 * const inbox: ReceivedMail[] = [];
 * mailTransportConformance(() => ({ transport, received: async () => inbox }));
 */
export function mailTransportConformance(
  factory: (scenario: MailTransportScenario) => ReturnType<Factory<MailTransportHarness>>,
): void {
  describe('MailTransport conformance', () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const start = async (scenario: MailTransportScenario = {}) => {
      const opened = await open(() => factory(scenario));
      close = opened.close;
      return opened.subject;
    };

    it('reports the recipients the server accepted and those it refused', async () => {
      const h = await start({ rejectRecipients: ['nobody@example.org'] });
      const result = await h.transport.send(
        sample({ to: ['ann@example.org', 'nobody@example.org'], cc: ['bob@example.org'] }),
      );
      expect([...result.accepted].sort()).toEqual(['ann@example.org', 'bob@example.org']);
      expect(result.rejected).toEqual(['nobody@example.org']);
      const [mail] = await h.received();
      expect([...mail!.envelope.to].sort()).toEqual(['ann@example.org', 'bob@example.org']);
    }, 30_000);

    it('sends Message-ID, In-Reply-To, References, Date and Auto-Submitted as given', async () => {
      const h = await start();
      const out = sample();
      await h.transport.send(out);
      const [mail] = await h.received();
      const header = (name: string) => mail!.headers[name]?.[0];
      expect(bare(header('message-id'))).toBe(bare(out.messageId));
      expect(bare(header('in-reply-to'))).toBe(bare(out.inReplyTo));
      expect((header('references') ?? '').split(/\s+/).filter(Boolean).map(bare)).toEqual(
        out.references!.map(bare),
      );
      expect(Date.parse(header('date') ?? '')).toBe(Date.parse(out.headers.Date!));
      expect(header('auto-submitted')).toBe('auto-replied');
      expect(bare(header('reply-to'))).toBe('support+tok@example.com');
      expect(mail!.subject).toBe(out.subject);
    }, 30_000);

    it('uses the envelope sender it is given (VERP), and the From header otherwise', async () => {
      const h = await start();
      await h.transport.send(sample({ envelope: { from: 'support+t7tok@example.com' } }));
      await h.transport.send(sample());
      const [verp, plain] = await h.received();
      expect(verp!.envelope.from).toBe('support+t7tok@example.com');
      expect(plain!.envelope.from).toBe('support@example.com');
    }, 30_000);

    it('delivers attachments and unicode byte for byte', async () => {
      const h = await start();
      const binary = new Uint8Array(2048).map((_, i) => (i * 7 + 3) % 256);
      const text = 'Grüße, 您好 — ça marche ✓ 🎉\nLine two.';
      await h.transport.send(
        sample({
          from: '"Sûpport Tëam" <support@example.com>',
          subject: 'Re: Drucker fällt aus — 打印机 [#7]',
          text,
          html: `<p>${text}</p>`,
          attachments: [
            { filename: 'données.bin', contentType: 'application/octet-stream', content: binary },
            {
              filename: 'logo.png',
              contentType: 'image/png',
              content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
              contentId: '<logo1@example.com>',
            },
          ],
        }),
      );
      const [mail] = await h.received();
      expect(mail!.subject).toBe('Re: Drucker fällt aus — 打印机 [#7]');
      expect(mail!.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(text);
      expect(mail!.html).toContain('您好');
      expect(mail!.from).toEqual({ address: 'support@example.com', name: 'Sûpport Tëam' });
      const bin = mail!.attachments.find((a) => a.filename === 'données.bin');
      expect(bin?.contentType).toBe('application/octet-stream');
      expect([...(bin?.content ?? [])]).toEqual([...binary]);
      const logo = mail!.attachments.find((a) => a.filename === 'logo.png');
      expect([...(logo?.content ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      expect(bare(logo?.contentId)).toBe('logo1@example.com');
    }, 30_000);

    it('refuses a mail the server refuses with a typed, permanent error', async () => {
      const h = await start({ refuseMail: true });
      const error = await h.transport.send(sample()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTesseraError(error)).toBe(true);
      expect((error as { details?: { permanent?: unknown } }).details?.permanent).toBe(true);
      expect(await h.received()).toEqual([]);
    }, 30_000);

    it('reports a failing server as a typed error that is not permanent', async () => {
      const h = await start({ down: true });
      const error = await h.transport.send(sample()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTesseraError(error)).toBe(true);
      expect((error as { details?: { permanent?: unknown } }).details?.permanent).not.toBe(true);
    }, 30_000);
  });
}
