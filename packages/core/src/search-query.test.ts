import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { foldText, formatSearch, parseSearch, type SearchTerm } from './search-query';

const w = (...words: string[]): SearchTerm => ({ words, prefix: false });
const p = (...words: string[]): SearchTerm => ({ words, prefix: true });

describe('parseSearch', () => {
  it('ANDs words, ORs with `or`, reads phrases, exclusions, prefixes and #numbers', () => {
    expect(parseSearch('printer "paper jam" or toner -laser invo*')).toEqual({
      all: [{ any: [w('printer')] }, { any: [w('paper', 'jam'), w('toner')] }, { any: [p('invo')] }],
      none: [w('laser')],
    });
    expect(parseSearch('#123')).toEqual({ all: [{ any: [w('123')] }], none: [] });
    expect(parseSearch('a OR b Or c')).toEqual({ all: [{ any: [w('a'), w('b'), w('c')] }], none: [] });
    expect(parseSearch('-"out of office" refund')).toEqual({
      all: [{ any: [w('refund')] }],
      none: [w('out', 'of', 'office')],
    });
    expect(parseSearch('"paper ja"*')).toEqual({ all: [{ any: [p('paper', 'ja')] }], none: [] });
  });

  it('splits words where the engines do, and keeps other scripts and marks as typed', () => {
    expect(parseSearch('e-mail')).toEqual({ all: [{ any: [w('e', 'mail')] }], none: [] });
    expect(parseSearch('Résumé принтер מדפסת Drucker')).toEqual({
      all: [{ any: [w('Résumé')] }, { any: [w('принтер')] }, { any: [w('מדפסת')] }, { any: [w('Drucker')] }],
      none: [],
    });
  });

  it('ignores an `or` with no term on a side or next to an exclusion, and an unclosed quote ends the text', () => {
    expect(parseSearch('or a')).toEqual({ all: [{ any: [w('a')] }], none: [] });
    expect(parseSearch('a or')).toEqual({ all: [{ any: [w('a')] }], none: [] });
    expect(parseSearch('a or -b')).toEqual({ all: [{ any: [w('a')] }], none: [w('b')] });
    expect(parseSearch('a or or b')).toEqual({ all: [{ any: [w('a')] }, { any: [w('b')] }], none: [] });
    expect(parseSearch('"paper jam')).toEqual({ all: [{ any: [w('paper', 'jam')] }], none: [] });
    // A quoted "or" is a word.
    expect(parseSearch('"or"')).toEqual({ all: [{ any: [w('or')] }], none: [] });
  });

  it('reads a text of no words as the empty query, and refuses one that only excludes', () => {
    for (const text of ['', '   ', '!!! ...', '""', '-', '*', '\u0000']) {
      expect(parseSearch(text)).toEqual({ all: [], none: [] });
    }
    expect(() => parseSearch('-laser')).toThrow(ValidationError);
    expect(() => parseSearch('-laser -"paper jam"')).toThrow(ValidationError);
  });

  it('refuses what is not a string, over 1,000 characters or over 32 terms', () => {
    expect(() => parseSearch(42 as unknown as string)).toThrow(ValidationError);
    expect(() => parseSearch('a'.repeat(1001))).toThrow(ValidationError);
    expect(parseSearch('a'.repeat(1000)).all).toHaveLength(1);
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    expect(parseSearch(words(32)).all).toHaveLength(32);
    expect(() => parseSearch(words(33))).toThrow(ValidationError);
  });

  it('never throws anything but a ValidationError on any string up to 1,000 characters', () => {
    const pieces = fc.constantFrom(
      '"',
      '-',
      '*',
      'or',
      'OR',
      ' ',
      '#',
      'é',
      'ж',
      'ש',
      '\u0301',
      '\u0000',
      'ab',
    );
    const text = fc.oneof(
      fc.string({ maxLength: 1000 }),
      fc.string({ maxLength: 1000, unit: 'binary' }),
      fc.array(pieces, { maxLength: 200 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const q = parseSearch(t);
          // What it gives back is a well-formed query: no empty words, terms or clauses.
          for (const term of [...q.all.flatMap((c) => c.any), ...q.none]) {
            expect(term.words.length).toBeGreaterThan(0);
            for (const word of term.words) expect(word).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
          }
          for (const c of q.all) expect(c.any.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});

describe('formatSearch', () => {
  it('writes a query that parses back to itself', () => {
    const text = 'printer "paper jam" or toner -laser invo* "or" -"out of office"';
    expect(parseSearch(formatSearch(parseSearch(text)))).toEqual(parseSearch(text));
    expect(formatSearch(parseSearch(text))).toBe(
      '"printer" "paper jam" or "toner" "invo"* "or" -"laser" -"out of office"',
    );
  });

  it('round-trips any parsed query', () => {
    const pieces = fc.constantFrom('"', '-', '*', 'or', ' ', 'é', 'ж', 'ab', 'cd', '1');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (a) => {
        let q: ReturnType<typeof parseSearch>;
        try {
          q = parseSearch(a.join(''));
        } catch {
          return;
        }
        expect(parseSearch(formatSearch(q))).toEqual(q);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('foldText', () => {
  it('folds case and diacritics, composed or not, and leaves other scripts as they are', () => {
    expect(foldText('Résumé ÜBER')).toBe('resume uber');
    expect(foldText('Re\u0301sume\u0301')).toBe('resume');
    expect(foldText('Принтер')).toBe('принтер');
    expect(foldText('מדפסת')).toBe('מדפסת');
    expect(foldText('Straße')).toBe('straße');
  });
});
