import { ValidationError } from './errors';

/**
 * One thing a search looks for: a word (`words` of one), or a phrase of words that must stand next
 * to each other in that order. With `prefix`, the last word matches any word it begins (`invo*`).
 * Words are as the user typed them, split at what is not a letter, mark or digit (so `e-mail` is
 * the phrase `e mail`, as the engines' tokenizers see it); each engine folds case and diacritics
 * its own way (`foldText` for the memory index and PostgreSQL, FTS5's `remove_diacritics 2`).
 */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
}

/**
 * A parsed search: a ticket matches when, for every clause of `all`, at least one of its terms is
 * found, and no term of `none` is found.
 */
export interface SearchQuery {
  all: { any: SearchTerm[] }[];
  none: SearchTerm[];
}

const MAX_LENGTH = 1000;
const MAX_TERMS = 32;
const SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;

/**
 * Parses what a user types into a search box. Words are ANDed; `or` (any case) between two terms
 * makes either one do; `"quoted words"` are a phrase; `-word` or `-"a phrase"` excludes; `word*` is
 * a prefix; `#123` finds ticket 123 (the number is a word of every ticket's document). An `or`
 * with no term on one side, or next to an excluded term, is ignored. A text of no words (blank,
 * punctuation) is an empty query, which matches every ticket; one that only excludes is a
 * `ValidationError` (there is nothing to rank or to mark), as is a text over 1,000 characters or
 * 32 terms.
 *
 * @example
 * parseSearch('printer "paper jam" or toner -laser invo*');
 * // → { all: [ { any: [printer] }, { any: ["paper jam", toner] }, { any: [invo*] } ], none: [laser] }
 */
export function parseSearch(text: string): SearchQuery {
  if (typeof text !== 'string') {
    throw new ValidationError([{ path: 'filter.text', message: 'a search is a string' }]);
  }
  if (text.length > MAX_LENGTH) {
    throw new ValidationError([
      { path: 'filter.text', message: `a search is at most ${MAX_LENGTH} characters, got ${text.length}` },
    ]);
  }
  type Token = { term: SearchTerm; negated: boolean } | 'or';
  const tokens: Token[] = [];
  // A quoted phrase (closing quote optional at the end), or a run of anything but space and quote.
  const pattern = /(-?)"([^"]*)"?(\*?)|([^\s"]+)/gu;
  for (const match of text.matchAll(pattern)) {
    const [, minus, quoted, star, bare] = match;
    if (quoted !== undefined) {
      const words = quoted.split(SEPARATOR).filter(Boolean);
      if (words.length > 0) tokens.push({ term: { words, prefix: star === '*' }, negated: minus === '-' });
      continue;
    }
    const raw = bare ?? '';
    if (raw.toLowerCase() === 'or') {
      tokens.push('or');
      continue;
    }
    const negated = raw.startsWith('-');
    const body = negated ? raw.slice(1) : raw;
    const words = body.split(SEPARATOR).filter(Boolean);
    if (words.length === 0) continue;
    tokens.push({ term: { words, prefix: /\*+$/u.test(body) }, negated });
  }

  const query: SearchQuery = { all: [], none: [] };
  let joinNext = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'or') {
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      joinNext =
        query.all.length > 0 &&
        typeof prev === 'object' &&
        !prev.negated &&
        typeof next === 'object' &&
        !next.negated;
      continue;
    }
    if (token.negated) query.none.push(token.term);
    else if (joinNext) query.all[query.all.length - 1]!.any.push(token.term);
    else query.all.push({ any: [token.term] });
    joinNext = false;
  }
  const terms = query.none.length + query.all.reduce((n, c) => n + c.any.length, 0);
  if (terms > MAX_TERMS) {
    throw new ValidationError([
      { path: 'filter.text', message: `a search has at most ${MAX_TERMS} terms, got ${terms}` },
    ]);
  }
  if (query.all.length === 0 && query.none.length > 0) {
    throw new ValidationError([
      { path: 'filter.text', message: 'a search needs a word to look for, not only words to leave out' },
    ]);
  }
  return query;
}

/**
 * Case and diacritics folded away, as the memory index and the PostgreSQL adapter compare words:
 * `Résumé` → `resume`. Letters of other scripts stay as they are (Cyrillic, Hebrew), except that
 * their combining marks go too.
 *
 * @example
 * foldText('Résumé ÜBER'); // → 'resume uber'
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/**
 * A parsed search written back as text that `parseSearch` reads as the same query: every term
 * quoted (so a word such as `or` stays a word), `or` between the terms of a clause, `-` before each
 * excluded term. The desk uses it to AND two searches into one `filter.text`.
 *
 * @example
 * formatSearch(parseSearch('printer "paper jam" or toner -laser invo*'));
 * // → '"printer" "paper jam" or "toner" "invo"* -"laser"'
 */
export function formatSearch(query: SearchQuery): string {
  const term = (t: SearchTerm) => `"${t.words.join(' ')}"${t.prefix ? '*' : ''}`;
  return [
    ...query.all.map((clause) => clause.any.map(term).join(' or ')),
    ...query.none.map((t) => `-${term(t)}`),
  ].join(' ');
}
