import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { compactMime } from './compact-mime';
import { parseEmail } from './parse';
import { workCounts } from './work-counter';

const corpora = fileURLToPath(new URL('../../../corpora/', import.meta.url));
const files = ['inbound/discourse', 'mime/postal-mime'].flatMap((dir) =>
  readdirSync(join(corpora, dir))
    .filter((f) => f.endsWith('.eml'))
    .map((f) => ({ name: `${dir}/${f}`, bytes: new Uint8Array(readFileSync(join(corpora, dir, f))) })),
);
const always = { fromLines: 0, partLines: 1 };
const options = { attachmentEncoding: 'arraybuffer' } as const;

/** What a reader of the mail sees: text, HTML, and each attachment's type, name and bytes. */
async function reading(bytes: Uint8Array) {
  const email = await PostalMime.parse(bytes, options);
  return {
    subject: email.subject,
    from: email.from,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => ({
      mimeType: a.mimeType,
      filename: a.filename,
      disposition: a.disposition,
      contentId: a.contentId,
      content: new Uint8Array(a.content as ArrayBuffer),
    })),
  };
}

const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

describe('compactMime', () => {
  it.each(files.map((f) => [f.name, f.bytes] as const))(
    'reads %s the same with every part joined',
    async (_name, bytes) => {
      const joined = await compactMime(bytes, options, Number.POSITIVE_INFINITY, always);
      expect(await reading(joined.bytes)).toEqual(await reading(bytes));
    },
    30_000,
  );

  it('joins the parts of real mail (the proof holds on them), not only leaves them as they were', async () => {
    // All but the quoted-printable ones and those with an empty body.
    let joinedFiles = 0;
    for (const f of files) {
      if ((await compactMime(f.bytes, options, Number.POSITIVE_INFINITY, always)).joined > 0) joinedFiles++;
    }
    expect(joinedFiles).toBeGreaterThanOrEqual(33);
  });

  it('reads mutated real mail the same, or leaves it as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.constantFrom('\r\n', '--', '=', ' ', 'x', '\r\n\r\n', '\r\n--'),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        async (which, edits) => {
          let raw = latin1(files[which]!.bytes);
          for (const [at, insert] of edits) {
            const i = Math.floor(at * raw.length);
            raw = raw.slice(0, i) + insert + raw.slice(i);
          }
          const bytes = bytesOf(raw);
          const joined = await compactMime(bytes, options, Number.POSITIVE_INFINITY, always);
          expect(await reading(joined.bytes)).toEqual(await reading(bytes));
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);

  it('makes a megabyte of bare line breaks, or of short base64 lines, cheap to parse, in linear work', async () => {
    const mail = (body: string, cte: string) =>
      `From: a@example.org\r\nSubject: x\r\nMessage-ID: <1@x>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}`;
    for (const [cte, line] of [
      ['7bit', '\n'],
      ['base64', 'YQ==\r\n'],
    ] as const) {
      workCounts(true);
      const small = await parseEmail(mail(line.repeat(30_000), cte));
      const once = workCounts(true).parse;
      const big = await parseEmail(mail(line.repeat(300_000), cte));
      const tenTimes = workCounts(true).parse;
      expect(once).toBeGreaterThan(0);
      expect(tenTimes / once).toBeLessThanOrEqual(12);
      if (cte === 'base64') expect(big.text).toBe('a'.repeat(300_000));
      // The joined reading is postal-mime's own reading of the mail as it came.
      const direct = await PostalMime.parse(mail(line.repeat(30_000), cte));
      expect(small.text).toBe(direct.text);
      // And reports the header fields as they came, not the joined part's transfer encoding.
      expect(small.headers['content-transfer-encoding']).toEqual([cte]);
    }
  }, 60_000);

  it('leaves an ordinary large attachment as it is, and does not count its base64 lines against the limit', async () => {
    const data = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7) & 255);
    let b64 = '';
    for (let i = 0; i < data.length; i += 57)
      b64 += `${btoa(String.fromCharCode(...data.subarray(i, i + 57)))}\r\n`;
    const raw = `From: a@example.org\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}--b--\r\n`;
    const bytes = bytesOf(raw);
    const result = await compactMime(bytes, options, 1000);
    expect(result.joined).toBe(0);
    expect(result.bytes).toBe(bytes);
    expect(result.lines).toBeLessThan(100);
    const parsed = await parseEmail(raw, { maxLines: 1000 });
    expect(parsed.attachments[0]!.content).toEqual(data);
  }, 60_000);

  it('refuses mail with more lines than it can join, before parsing it', async () => {
    const raw = `From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${'a=\r\n'.repeat(200_000)}`;
    await expect(parseEmail(raw)).rejects.toMatchObject({
      code: 'validation',
      problems: [
        { path: 'raw', message: expect.stringMatching(/^message has 2000\d\d lines .*the limit is 150000$/) },
      ],
    });
  });
});
