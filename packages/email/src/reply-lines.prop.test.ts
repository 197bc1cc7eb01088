import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { classify, withoutPrefilters } from './reply-lines';
import { MOBILE } from './reply-words';

// Pieces of attribution lines, mobile signatures and header fields, with the characters the
// pre-checks look at first and last (decoration, brackets, colons, digits, case that lower-cases
// to more than one character), so generated lines sit on both sides of every pre-check.
const pieces = [
  ...MOBILE,
  ...MOBILE.map((m) => m.toUpperCase()),
  'On',
  'on',
  ' Mon, 2 Mar 2026 at 10:00',
  ' wrote',
  ' schrieb',
  '写道',
  '在',
  ':',
  '：',
  ' <ann@example.org>',
  'From',
  'Sent',
  'mobile',
  'MOBILE',
  ' from mobile',
  'iPhone',
  '[',
  '](https://x.example)',
  '<',
  '(',
  '>',
  ')',
  '-',
  '*',
  '_',
  ' ',
  '\t',
  '\u00a0',
  '\u3000',
  '1',
  '2016-03-03 17:21 GMT+01:00',
  'İ',
  'Σ',
  'é',
  'x',
  ',',
  '.',
  // Openers and endings the attribution pre-checks compare letter by letter, in other cases.
  'W dniu ',
  'IN DATA ',
  'Quoting',
  'Le',
  'zitat von',
  ' Wrote',
  ' skrev',
  ' a écrit',
  ' napisał',
  '-----Original Message-----',
  'Begin forwarded message',
  'Subject',
  '\f',
  '\v',
  '\u212a', // Kelvin sign: lower-cases to an ASCII k
  '\u2003',
  '12',
  'ann@example.org>',
  'ᐧ',
  '=',
];

it('the cheap pre-checks change no line kind', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((p) => p.join('')),
        { minLength: 1, maxLength: 12 },
      ),
      (lines) => {
        const fast = classify(lines);
        const slow = withoutPrefilters(() => classify(lines));
        expect(fast).toEqual(slow);
      },
    ),
    { numRuns: 3000 },
  );
}, 60_000);

it('the cheap pre-checks change no line kind on the reply-trimming corpora', () => {
  const root = fileURLToPath(new URL('../../../corpora/reply-trimming/', import.meta.url));
  let mails = 0;
  for (const dir of ['email_reply_trimmer/emails', 'crisp/fixtures']) {
    for (const f of readdirSync(join(root, dir))) {
      if (!f.endsWith('.txt')) continue;
      const lines = readFileSync(join(root, dir, f), 'utf8')
        .replace(/\r\n?/g, '\n')
        .split('\n');
      // Each line as it is, upper-cased and quoted, so the pre-checks meet every case and both branches.
      for (const set of [lines, lines.map((l) => l.toUpperCase()), lines.map((l) => `> ${l}`)]) {
        expect(classify(set)).toEqual(withoutPrefilters(() => classify(set)));
      }
      mails++;
    }
  }
  expect(mails).toBeGreaterThan(100);
}, 60_000);
