import { isTesseraError } from '@tessera/core';
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { describe, expect, it, vi } from 'vitest';
import { lineCount, lineTable } from './mime-lines';
import { parseEmail } from './parse';

const raw = [
  'Return-Path: <>',
  'From: Ann <ann@customer.test>',
  'To: help@example.com, Bob <bob@customer.test>',
  'Cc: carol@customer.test',
  'Reply-To: ann.private@customer.test',
  'Subject: =?UTF-8?Q?Drucker_f=C3=A4llt_aus?=',
  'Message-ID: <m2@customer.test>',
  'In-Reply-To: <m1@example.com>',
  'References: <m0@example.com>\r\n <m1@example.com>',
  'Received: from a',
  'Received: from b',
  'Date: Mon, 2 Mar 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello',
  '--b',
  'Content-Type: image/png; name="a.png"',
  'Content-Disposition: inline; filename="a.png"',
  'Content-ID: <img1>',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgo=',
  '--b--',
  '',
].join('\r\n');

describe('parseEmail', () => {
  it('reads addresses, threading headers, bodies and attachments', async () => {
    const mail = await parseEmail(raw);
    expect(mail).toMatchObject({
      messageId: '<m2@customer.test>',
      inReplyTo: '<m1@example.com>',
      references: ['<m0@example.com>', '<m1@example.com>'],
      from: { address: 'ann@customer.test', name: 'Ann' },
      to: [{ address: 'help@example.com' }, { address: 'bob@customer.test', name: 'Bob' }],
      cc: [{ address: 'carol@customer.test' }],
      replyTo: [{ address: 'ann.private@customer.test' }],
      returnPath: '',
      subject: 'Drucker fällt aus',
      date: '2026-03-02T10:00:00.000Z',
      text: 'Hello\n',
    });
    expect(mail.headers.received).toEqual(['from a', 'from b']);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({
      filename: 'a.png',
      contentType: 'image/png',
      contentId: '<img1>',
      inline: true,
      size: 8,
    });
    expect(mail.attachments[0]!.content).toBeInstanceOf(Uint8Array);
  });

  it('accepts bytes and skips blank lines before the headers', async () => {
    const mail = await parseEmail(new TextEncoder().encode(`\r\n\r\n${raw}`));
    expect(mail.subject).toBe('Drucker fällt aus');
  });

  it('reads UTF-8 mislabelled as a legacy charset, and leaves real legacy text alone', async () => {
    const utf8 = btoa(String.fromCharCode(...new TextEncoder().encode('您好！')));
    const mislabelled = `From: a@b.test\r\nContent-Type: text/plain; charset=Big5\r\nContent-Transfer-Encoding: base64\r\n\r\n${utf8}`;
    expect((await parseEmail(mislabelled)).text?.trim()).toBe('您好！');
    const latin1 =
      'From: a@b.test\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe';
    expect((await parseEmail(latin1)).text).toBe('Grüße\n');
  });

  it('reads UTF-8 mail with a replacement character once (its labels name UTF-8 already)', async () => {
    const spy = vi.spyOn(PostalMime, 'parse');
    try {
      for (const label of ['"UTF-8"', 'UTF-8', 'utf8']) {
        spy.mockClear();
        const mail = `From: a@b.test\r\nContent-Type: text/plain; charset=${label}\r\n\r\nbroken \uFFFD here`;
        expect((await parseEmail(mail)).text).toContain('\uFFFD');
        expect(spy).toHaveBeenCalledTimes(1);
      }
      // Mislabelled mail is still read twice, and only its legacy label is changed.
      spy.mockClear();
      const utf8 = btoa(String.fromCharCode(...new TextEncoder().encode('您好！')));
      const mixed = [
        'From: a@b.test',
        'Content-Type: multipart/alternative; boundary="b"; charset="utf-8"',
        '',
        '--b',
        'Content-Type: text/plain; charset="Big5"',
        'Content-Transfer-Encoding: base64',
        '',
        utf8,
        '--b--',
        '',
      ].join('\r\n');
      expect((await parseEmail(mixed)).text?.trim()).toBe('您好！');
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('counts lines as the line table does, for any bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0x0a, 0x0d, 0x41, 0x20, 0xff), { maxLength: 200 }), (list) => {
        const bytes = new Uint8Array(list);
        expect(lineCount(bytes)).toBe(lineTable(bytes).count);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('enforces limits with ValidationError', async () => {
    await expect(parseEmail(raw, { maxBytes: 100 })).rejects.toSatisfy((e) =>
      isTesseraError(e, 'validation'),
    );
    await expect(parseEmail(raw, { maxHeaders: 3 })).rejects.toSatisfy((e) =>
      isTesseraError(e, 'validation'),
    );
    await expect(parseEmail(raw, { maxAttachments: 0 })).rejects.toSatisfy((e) =>
      isTesseraError(e, 'validation'),
    );
    const nested = `${Array.from({ length: 40 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('')}\r\nx`;
    await expect(parseEmail(nested, { maxDepth: 10 })).rejects.toSatisfy((e) =>
      isTesseraError(e, 'validation'),
    );
    await expect(parseEmail(42 as unknown as string)).rejects.toSatisfy((e) =>
      isTesseraError(e, 'validation'),
    );
  });

  it('never throws anything but ValidationError on arbitrary input', async () => {
    const piece = fc.constantFrom(
      'Content-Type: multipart/mixed; boundary="x"\r\n',
      '--x\r\n',
      '--x--\r\n',
      '\r\n',
      'Subject: =?utf-8?B?',
      'From: <<@>>\r\n',
      'Content-Transfer-Encoding: base64\r\n',
      '====\r\n',
      'message/rfc822\r\n',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        ),
        async (input) => {
          try {
            await parseEmail(input);
          } catch (e) {
            expect(isTesseraError(e, 'validation')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
