import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeSubject } from './subject';

const piece = fc.constantFrom(
  'Re:',
  'RE :',
  'Fwd:',
  'AW:',
  'SV:',
  'Re[2]:',
  '回复：',
  '[list]',
  '[#12]',
  '(fwd)',
  '[Fwd:',
  ']',
  ' ',
  '\t',
  'Printer',
  'broken',
  'Re',
  ':',
  '[',
  '(',
  'é',
  '：',
);
const subject = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
  fc.string({ maxLength: 40 }),
);

describe('normalizeSubject (properties)', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const once = normalizeSubject(s);
        expect(normalizeSubject(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a reply the subject of its original', () => {
    fc.assert(
      fc.property(subject, fc.constantFrom('Re: ', 'AW: ', 'Fwd: ', 'Re[3]: ', '回复：'), (s, prefix) => {
        expect(normalizeSubject(prefix + s)).toBe(normalizeSubject(s));
      }),
      { numRuns: 1000 },
    );
  });
});
