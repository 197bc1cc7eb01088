import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHelpdesk, inMemoryStore, isTesseraError, type StoredEvent } from '@tessera/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { emailChannel } from './channel';

/**
 * "Mutated real mail": the corpora's .eml files, cut, with headers duplicated, parts nested deep,
 * boundaries broken, charsets invalid and bytes flipped, go through the whole inbound pipeline
 * (`channel.ingest` on a desk with the in-memory store). Whatever the input, `ingest` either files
 * it or throws a TesseraError, and a throw leaves the log and the Message-ID index as they were.
 */
const corpora = fileURLToPath(new URL('../../../../corpora/', import.meta.url));
const files = ['inbound/discourse', 'mime/postal-mime'].flatMap((dir) =>
  readdirSync(join(corpora, dir))
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(corpora, dir, f))),
);

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Splits a message into its header block and body (at the first blank line). */
function split(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

type Mutation = (raw: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .double({ min: 0, max: 1, noNaN: true })
    .map((f) => (raw: string) => raw.slice(0, Math.floor(raw.length * f))),
  fc.integer({ min: 1, max: 2000 }).map((times) => (raw: string) => {
    const [head, body] = split(raw);
    const line =
      head.split(/\r?\n/).find((l) => /^(subject|from|to|message-id|content-type|received):/i.test(l)) ??
      'X-A: b';
    return `${`${line}\r\n`.repeat(times)}${head}\r\n\r\n${body}`;
  }),
  fc.integer({ min: 1, max: 300 }).map((depth) => (raw: string) => {
    const [head, body] = split(raw);
    let inner = `Content-Type: text/plain\r\n\r\n${body}`;
    for (let d = 0; d < depth; d++) {
      inner = `Content-Type: multipart/mixed; boundary="b${d}"\r\n\r\n--b${d}\r\n${inner}\r\n--b${d}--\r\n`;
    }
    const kept = head
      .split(/\r?\n(?![ \t])/)
      .filter((l) => !/^(content-type|mime-version|content-transfer-encoding):/i.test(l));
    return `${kept.join('\r\n')}\r\nMIME-Version: 1.0\r\n${inner}`;
  }),
  fc.constantFrom<Mutation>(
    (raw) => raw.replace(/boundary="?([^";\r\n]+)"?/gi, 'boundary="$1-broken"'),
    (raw) => raw.replace(/(\r?\n--[^\r\n]{1,70})(\r?\n)/, '$1 garbage$2'),
    (raw) => raw.replace(/charset\s*=\s*"?[\w.:-]+"?/gi, 'charset="x-no-such-charset"'),
    (raw) => raw.replace(/charset\s*=\s*"?[\w.:-]+"?/gi, 'charset=utf-7'),
    (raw) => raw.replace(/content-transfer-encoding:[^\r\n]*/gi, 'Content-Transfer-Encoding: base64'),
    (raw) => raw.replace(/^message-id:[^\r\n]*\r?\n/gim, ''),
    (raw) => raw.replace(/^from:[^\r\n]*/gim, 'From: "\u0000" <@>'),
    (raw) => `${raw}\r\n${'<div>'.repeat(20_000)}`,
    (raw) => raw.replace(/\r?\n/g, '\r'),
    // Many lines, so long parts are joined before parsing (compact-mime.ts).
    (raw) => `${raw}${'x\r\n'.repeat(25_000)}`,
    (raw) => raw.replace(/\r?\n\r?\n/, `\r\n\r\n${'\r\n'.repeat(30_000)}`),
    (raw) => raw.replace(/(\r?\n--[^\r\n]{1,70}\r?\n)/, `$1${'YQ==\r\n'.repeat(25_000)}`),
  ),
  fc
    .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 40,
    })
    .map((flips) => (raw: string) => {
      const chars = raw.split('');
      for (const [at, byte] of flips) chars[Math.floor(at * (chars.length - 1))] = String.fromCharCode(byte);
      return chars.join('');
    }),
);

it('mutated real mail is filed or refused with a TesseraError, and a refusal changes nothing', async () => {
  expect(files.length).toBeGreaterThan(30);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      async (which, mutations) => {
        const store = inMemoryStore();
        const channel = emailChannel({
          address: 'support@example.com',
          secret: 'prop-secret',
          transport: { send: async (m) => ({ accepted: m.to, rejected: [] }) },
        });
        createHelpdesk({ store, extensions: [channel] });
        const raw = bytes(mutations.reduce((r, m) => m(r), latin1(files[which]!)));
        const log = async () => (await store.events.readAll({ limit: 100_000 })) as StoredEvent[];
        const before = (await log()).length;
        try {
          const result = await channel.ingest(raw);
          expect(['opened', 'appended', 'follow-up', 'duplicate', 'dropped']).toContain(result.action);
          if (result.action === 'opened') {
            expect(result.ticketId).toBeDefined();
            expect(await store.messages.get(result.messageId!)).toBe(result.ticketId);
          }
        } catch (error) {
          expect(isTesseraError(error), String((error as Error)?.stack ?? error)).toBe(true);
          expect((await log()).length).toBe(before);
        }
      },
    ),
    { numRuns: 150 },
  );
}, 120_000);
