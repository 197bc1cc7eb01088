import { describe, expect, it } from 'vitest';
import { normalizeSubject } from './subject';

describe('normalizeSubject', () => {
  it.each([
    ['Re: Printer', 'Printer'],
    ['RE: re: Fwd: FW: Printer', 'Printer'],
    ['AW: WG: SV: VS: Antw: RV: Enc: TR: Odp: Printer', 'Printer'],
    ['回复：转发：答复: Printer', 'Printer'],
    ['Re[2]: Printer', 'Printer'],
    ['Re(3): Printer', 'Printer'],
    ['RE : Printer', 'Printer'],
    ['Re：Printer', 'Printer'],
    ['[Fwd: Printer]', 'Printer'],
    ['Printer (fwd)', 'Printer'],
    ['Re: [#42] Printer', 'Printer'],
    ['[list] Re: Printer', 'Printer'],
    ['[list]', '[list]'],
    ['Re: [list]', '[list]'],
    ['Re:\tQuarterly   plan ', 'Quarterly plan'],
    ['Re: Re', 'Re'],
    ['Réponse: Printer', 'Réponse: Printer'],
    ['Fwd', 'Fwd'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });

  it('keeps a word that only looks like a prefix', () => {
    expect(normalizeSubject('Return policy: a question')).toBe('Return policy: a question');
    expect(normalizeSubject('Reply: needed')).toBe('Reply: needed');
  });

  it('takes extra prefixes', () => {
    expect(normalizeSubject('Respuesta: Plan')).toBe('Respuesta: Plan');
    expect(normalizeSubject('Respuesta: Plan', { prefixes: ['respuesta'] })).toBe('Plan');
  });

  it('stays linear on a long run of prefixes', () => {
    const long = `${'Re: '.repeat(50_000)}Printer`;
    expect(normalizeSubject(long)).toBe('Printer');
  });
});
