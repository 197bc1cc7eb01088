import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it, vi } from 'vitest';
import { parseEmail } from './parse';
import { JOINED_FIELD, joinSinglePart } from './single-part';

const corpora = fileURLToPath(new URL('../../../corpora/', import.meta.url));
const emls = ['inbound/discourse', 'mime/postal-mime'].flatMap((dir) =>
  readdirSync(join(corpora, dir))
    .filter((f) => f.endsWith('.eml'))
    .map((f) => new Uint8Array(readFileSync(join(corpora, dir, f)))),
);
const texts = ['reply-trimming/email_reply_trimmer/emails', 'reply-trimming/crisp/fixtures'].flatMap((dir) =>
  readdirSync(join(corpora, dir))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => readFileSync(join(corpora, dir, f), 'utf8')),
);
const options = { attachmentEncoding: 'arraybuffer' } as const;
const MAX_HEADERS = 1024 * 1024;
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

/** Everything postal-mime reports of a mail but its raw header lines, attachments' bytes as arrays. */
function everything(email: Email) {
  const { headerLines: _raw, attachments, ...rest } = email;
  return {
    ...rest,
    attachments: attachments.map((a) => ({ ...a, content: new Uint8Array(a.content as ArrayBuffer) })),
  };
}

/** postal-mime's reading of the mail as it came, and of it joined (the added field dropped); `joined` false when left alone. */
async function bothReadings(bytes: Uint8Array) {
  const asItCame = await PostalMime.parse(bytes, options).then(everything, (e: Error) => e.message);
  const joined = joinSinglePart(bytes, MAX_HEADERS);
  if (!joined) return { asItCame, joinedReading: asItCame, joined: false };
  const email = await PostalMime.parse(joined, options);
  expect(email.headers[0]).toEqual({ ...JOINED_FIELD, originalKey: 'Content-Transfer-Encoding' });
  email.headers.shift();
  return { asItCame, joinedReading: everything(email), joined: true };
}

describe('joinSinglePart', () => {
  it('reads every corpus mail the same, and joins plain replies', async () => {
    let joined = 0;
    for (const bytes of emls) {
      const r = await bothReadings(bytes);
      expect(r.joinedReading).toEqual(r.asItCame);
      if (r.joined) joined++;
    }
    // Some of the corpus mails are single-part plain text.
    expect(joined).toBeGreaterThan(0);
    for (const text of texts) {
      const raw = `From: a@example.org\r\nSubject: Re: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text.replace(/\r?\n/g, '\r\n')}`;
      const r = await bothReadings(new TextEncoder().encode(raw));
      expect(r.joinedReading).toEqual(r.asItCame);
      // Bodies of two lines or more are joined.
      expect(r.joined).toBe(text.replace(/\r?\n$/, '').includes('\n'));
    }
  }, 60_000);

  it('reads generated single-part mail the same as postal-mime reads it as it came, or leaves it alone', async () => {
    const key = (name: string) =>
      fc.constantFrom(name, name.toLowerCase(), name.toUpperCase(), `${name} `, `${name}\t`);
    const typeValue = fc.constantFrom(
      'text/plain; charset=utf-8',
      'text/plain; charset="iso-8859-1"',
      'TEXT/HTML; charset=utf-8',
      'text/plain (a comment); charset=utf-8',
      'text/plain; format=flowed; delsp=yes',
      'text/plain; format=flowed',
      'text/calendar; method=request',
      'multipart/mixed; boundary=x',
      'message/rfc822',
      'application/octet-stream',
      '"text/plain"',
      ' text / plain ',
      '',
      'text/plain; charset=\xc4\xb0so-8859-1',
    );
    const encodingValue = fc.constantFrom(
      '8bit',
      '7bit',
      'BINARY',
      ' 8bit ',
      'base64',
      'Base64',
      'quoted-printable',
      '(comment) base64',
      'x-base64',
      '',
      '\xc4\xb0base64',
      '8bit; x',
    );
    const field = fc.oneof(
      fc.tuple(key('Content-Type'), typeValue),
      fc.tuple(key('Content-Transfer-Encoding'), encodingValue),
      fc.tuple(
        fc.constantFrom('From', 'Subject', 'Message-ID', 'X-Note', 'Content-Disposition'),
        fc.constantFrom('a@b.test', 'x', '<1@b>', 'inline', ''),
      ),
    );
    const eol = fc.constantFrom('\r\n', '\n', '\r\r\n');
    const header = fc.tuple(field, fc.boolean(), eol).map(([[k, v], fold, end]) => {
      // Folded at its first space, when asked and there is one.
      const line = `${k}: ${v}`;
      const at = line.indexOf(' ', k.length + 2);
      return fold && at > 0 ? `${line.slice(0, at)}${end}${line.slice(at)}${end}` : `${line}${end}`;
    });
    const bodyLine = fc.tuple(
      fc.constantFrom(
        'hello',
        '',
        '\r',
        'caf\xc3\xa9',
        'caf\xe9',
        '--x',
        '=',
        'YQ==',
        '> quoted',
        'x\ry',
        ' indented',
        'ends with space ',
        '-- ',
      ),
      eol,
    );
    let joinedRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(header, { maxLength: 8 }),
        fc.constantFrom('\r\n', '\n', '\r\r\n', ''),
        fc.array(bodyLine, { maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        async (headers, blank, lines, lastEol, foldedFirst) => {
          let body = lines.map(([l, e]) => l + e).join('');
          if (!lastEol && lines.length) body = body.slice(0, -lines.at(-1)![1].length);
          const raw = `${foldedFirst ? ' folded\r\n' : ''}${headers.join('')}${blank}${body}`;
          const r = await bothReadings(bytesOf(raw));
          expect(r.joinedReading).toEqual(r.asItCame);
          if (r.joined) joinedRuns++;
        },
      ),
      { numRuns: 600 },
    );
    // Not vacuous: a good share of the runs were joined.
    expect(joinedRuns).toBeGreaterThan(60);
  }, 120_000);

  it('leaves a header block the added field would tip over its size limit, so the limit errors as before', async () => {
    const raw = 'From: a@b.test\r\nSubject: x\r\n\r\none\r\ntwo\r\n';
    const headerBytes = 'From: a@b.test'.length + 'Subject: x'.length;
    expect(joinSinglePart(bytesOf(raw), headerBytes + 33)).toBeDefined();
    expect(joinSinglePart(bytesOf(raw), headerBytes + 32)).toBeUndefined();
    expect((await parseEmail(raw, { maxHeaderBytes: headerBytes })).text).toBe('one\ntwo\n');
    await expect(parseEmail(raw, { maxHeaderBytes: headerBytes - 1 })).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('leaves parseEmail reporting the header fields as they came', async () => {
    const spy = vi.spyOn(PostalMime, 'parse');
    try {
      const raw = 'From: a@b.test\r\nSubject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\none\r\ntwo\r\n';
      const mail = await parseEmail(raw, { maxHeaders: 3 });
      expect(mail.headers['content-transfer-encoding']).toEqual(['8bit']);
      expect(Object.keys(mail.headers)).toEqual(['from', 'subject', 'content-transfer-encoding']);
      expect(mail.text).toBe('one\ntwo\n');
      // Joined, not parsed twice: one reading, of the joined bytes.
      expect(spy).toHaveBeenCalledTimes(1);
      await expect(parseEmail(raw, { maxHeaders: 2 })).rejects.toMatchObject({ code: 'validation' });
    } finally {
      spy.mockRestore();
    }
  });

  it('reads UTF-8 in a legacy label again from the mail as it came, as before', async () => {
    // The second reading relabels every `charset=` in the bytes as they came, the body's own text
    // included; a joined body is base64 and has none, so that reading must not be of the joined bytes.
    const raw = `From: a@b.test\r\nContent-Type: text/plain; charset=Big5\r\n\r\ncharset=latin1 您好！\r\nx\r\n`;
    const mail = await parseEmail(new TextEncoder().encode(raw));
    expect(mail.text).toBe('charset=utf-8 您好！\nx\n');
  });
});
