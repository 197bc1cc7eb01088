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
