import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snippet } from './ports';
import { matchesSearch } from './search-match';
import { foldText, parseSearch } from './search-query';
import { snippetHtml, snippetOf } from './snippet';

const marked = (s: Snippet | undefined) => s?.marks.map(([a, b]) => s.text.slice(a, b));

describe('snippetOf', () => {
  it('marks each matched word: folded, whole words of a prefix, every word of a phrase', () => {
    const s = snippetOf(
      'Hello, my Résumé upload fails\n\n  with an invoice error',
      parseSearch('resume "upload fails" invo*'),
    );
    expect(s?.text).toBe('Hello, my Résumé upload fails with an invoice error');
    expect(marked(s)).toEqual(['Résumé', 'upload', 'fails', 'invoice']);
  });

  it('does not mark excluded words, nor a phrase whose words stand apart', () => {
    const s = snippetOf('paper and a jam, laser printer', parseSearch('printer "paper jam" -laser'));
    expect(marked(s)).toEqual(['printer']);
    expect(snippetOf('nothing here', parseSearch('printer'))).toBeUndefined();
  });

  it('shows about 20 words around the densest match, with … where it cut', () => {
    const filler = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
    const text = `${filler(50, 'a')} printer ${filler(10, 'b')} printer toner ${filler(50, 'c')}`;
    const s = snippetOf(text, parseSearch('printer or toner'))!;
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text.split(' ').length).toBeLessThanOrEqual(22);
    expect(marked(s)).toEqual(['printer', 'printer', 'toner']);
    // A few words of context before the first match.
    expect(s.text).toMatch(/^…a46 a47 a48 a49 printer/u);
  });

  it('gives marks in order, not overlapping, inside the text', () => {
    const s = snippetOf('jam jam jam paper jam', parseSearch('jam or "paper jam" or ja*'))!;
    let at = 0;
    for (const [a, b] of s.marks) {
      expect(a).toBeGreaterThanOrEqual(at);
      expect(b).toBeGreaterThan(a);
      at = b;
    }
    expect(at).toBeLessThanOrEqual(s.text.length);
    expect(marked(s)).toEqual(['jam', 'jam', 'jam', 'paper', 'jam']);
  });

  it('finds Russian, Hebrew and German words by themselves and their prefixes', () => {
    const text = 'Принтер не печатает. המדפסת לא מדפיסה. Der Drucker druckt nicht.';
    expect(marked(snippetOf(text, parseSearch('принтер')))).toEqual(['Принтер']);
    expect(marked(snippetOf(text, parseSearch('печат*')))).toEqual(['печатает']);
    expect(marked(snippetOf(text, parseSearch('מדפיסה')))).toEqual(['מדפיסה']);
    expect(marked(snippetOf(text, parseSearch('drucker druckt')))).toEqual(['Drucker', 'druckt']);
  });
});

describe('snippetOf over random texts', () => {
  const WORDS = ['jam', 'Paper', 'résumé', 'ТОНЕР', 'print', 'printer', 'x'];
  const SEPARATORS = [' ', '  ', '\n', ', ', '-', '<', '&'];
  it('marks only matched words, in order, inside the text, and has one exactly when a sought term is found', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.boolean(), fc.constantFrom('', ' or ', ' -')), {
          minLength: 1,
          maxLength: 4,
        }),
        (pieces, parts) => {
          const text = pieces.map(([w, sep]) => w + sep).join('');
          const typed = parts.map(
            ([w, prefix, join], i) => `${i === 0 ? '' : join || ' '}${w}${prefix ? '*' : ''}`,
          );
          let query: ReturnType<typeof parseSearch>;
          try {
            query = parseSearch(typed.join(''));
          } catch {
            return;
          }
          const sought = query.all.flatMap((c) => c.any).map((t) => ({ ...t, words: t.words.map(foldText) }));
          const s = snippetOf(text, query);
          const found = sought.some((t) =>
            matchesSearch({ public: text, internal: '' }, `"${t.words.join(' ')}"${t.prefix ? '*' : ''}`),
          );
          expect(s !== undefined).toBe(found);
          if (!s) return;
          let at = 0;
          for (const [a, b] of s.marks) {
            expect(a).toBeGreaterThanOrEqual(at);
            expect(b).toBeGreaterThan(a);
            at = b;
            const word = foldText(s.text.slice(a, b));
            const ok = sought.some((t) =>
              t.words.some(
                (w, k) => word === w || (t.prefix && k === t.words.length - 1 && word.startsWith(w)),
              ),
            );
            expect(ok).toBe(true);
          }
          expect(at).toBeLessThanOrEqual(s.text.length);
          expect(s.marks.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);
});

describe('snippetHtml', () => {
  it('escapes the text and wraps the marks', () => {
    expect(snippetHtml({ text: 'a <b> résumé & "x"', marks: [[6, 12]] })).toBe(
      'a &lt;b&gt; <mark>résumé</mark> &amp; &quot;x&quot;',
    );
    const s = snippetOf('<script>alert(1)</script> printer', parseSearch('script printer'))!;
    expect(snippetHtml(s)).toBe(
      '&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>printer</mark>',
    );
  });

  it('skips marks that overlap, go backwards or fall outside the text', () => {
    expect(
      snippetHtml({
        text: 'abcdef',
        marks: [
          [0, 2],
          [1, 3],
          [4, 4],
          [4, 6],
          [5, 9],
        ],
      }),
    ).toBe('<mark>ab</mark>cd<mark>ef</mark>');
    expect(snippetHtml({ text: 'ab', marks: [[0, 9]] })).toBe('ab');
  });
});

describe('matchesSearch', () => {
  const doc = {
    public: '#7 Résumé upload fails\nfor jane@example.com',
    internal: 'legacy plan, check the invoice',
  };

  it('matches the public part only unless the scope is all, for inclusion and exclusion alike', () => {
    expect(matchesSearch(doc, 'resume')).toBe(true);
    expect(matchesSearch(doc, 'legacy')).toBe(false);
    expect(matchesSearch(doc, 'legacy', 'all')).toBe(true);
    expect(matchesSearch(doc, 'resume -legacy')).toBe(true);
    expect(matchesSearch(doc, 'resume -legacy', 'all')).toBe(false);
  });

  it('keeps a phrase within one part, and reads numbers and emails as words', () => {
    expect(matchesSearch(doc, '"example com legacy"', 'all')).toBe(false);
    expect(matchesSearch(doc, 'example legacy', 'all')).toBe(true);
    expect(matchesSearch(doc, '#7')).toBe(true);
    expect(matchesSearch(doc, '7')).toBe(true);
    expect(matchesSearch(doc, 'jane@example.com')).toBe(true);
    expect(matchesSearch(doc, 'upl* or nothing')).toBe(true);
    expect(matchesSearch(doc, 'uploads')).toBe(false);
    expect(matchesSearch(doc, '')).toBe(true);
  });
});
