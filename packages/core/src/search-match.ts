import type { SearchDocument, TicketQuery, TicketSummary } from './ports';
import { foldText, parseSearch, type SearchQuery, type SearchTerm } from './search-query';

/** One word of a text: where it stands in the text and its folded form, as searches compare it. */
export interface TextWord {
  start: number;
  end: number;
  folded: string;
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The words of a text with their offsets, split where `parseSearch` splits a query (at what is not
 * a letter, mark or digit) and folded by `foldText`; a run that folds to nothing is no word.
 */
export function wordsOf(text: string): TextWord[] {
  const out: TextWord[] = [];
  for (const m of text.matchAll(WORD)) {
    const folded = foldText(m[0]);
    if (folded !== '') out.push({ start: m.index, end: m.index + m[0].length, folded });
  }
  return out;
}

/**
 * The query with its words folded as documents are; words that fold to nothing dropped, and a
 * term or clause left with nothing dropped too (it could never be found).
 */
export function foldQuery(query: SearchQuery): SearchQuery {
  const term = (t: SearchTerm): SearchTerm | undefined => {
    const words = t.words.map(foldText).filter((w) => w !== '');
    return words.length === 0 ? undefined : { words, prefix: t.prefix };
  };
  const some = (terms: SearchTerm[]) => terms.map(term).filter((t): t is SearchTerm => t !== undefined);
  return {
    all: query.all.map((c) => ({ any: some(c.any) })).filter((c) => c.any.length > 0),
    none: some(query.none),
  };
}

const wordMatches = (word: string, wanted: string, prefix: boolean) =>
  word === wanted || (prefix && word.startsWith(wanted));

/**
 * Where a (folded) term stands in a list of words: the index of each first word of an occurrence.
 * A phrase's words must follow each other; with `prefix` its last word may only begin a word.
 */
export function termAt(words: readonly TextWord[], term: SearchTerm, i: number): boolean {
  const n = term.words.length;
  if (i + n > words.length) return false;
  for (let k = 0; k < n; k++) {
    if (!wordMatches(words[i + k]!.folded, term.words[k]!, term.prefix && k === n - 1)) return false;
  }
  return true;
}

const found = (words: readonly TextWord[], term: SearchTerm) => {
  for (let i = 0; i < words.length; i++) if (termAt(words, term, i)) return true;
  return false;
};

/** A search document split into words once, so a query's checks do not split it again. */
export interface WordedDocument {
  public: TextWord[];
  internal: TextWord[];
}

/**
 * The words of a search document.
 */
export function documentWords(doc: SearchDocument): WordedDocument {
  return { public: wordsOf(doc.public), internal: wordsOf(doc.internal) };
}

/**
 * Whether a document matches a folded query in the parts `textScope` allows: every clause has a term
 * found in one allowed part (a phrase stands within one part) and no excluded term is found in an
 * allowed part, so what a scope cannot see neither includes nor excludes a ticket.
 */
export function documentMatches(
  doc: WordedDocument,
  query: SearchQuery,
  textScope: NonNullable<TicketQuery['textScope']>,
): boolean {
  const parts = textScope === 'all' ? [doc.public, doc.internal] : [doc.public];
  const inSome = (t: SearchTerm) => parts.some((words) => found(words, t));
  return query.all.every((c) => c.any.some(inSome)) && !query.none.some(inSome);
}

/**
 * The search document of a row whose upsert gave none: its number, subject and requester — what an
 * adapter searches without one (see `TicketIndex.upsert`).
 */
export function summaryDocument(s: TicketSummary): SearchDocument {
  const parts = [`#${s.number}`, s.subject, s.requester.name ?? '', s.requester.email ?? ''];
  return { public: parts.filter((p) => p !== '').join('\n'), internal: '' };
}

/**
 * Whether a ticket's search document matches a search (`filter.text`) in the parts `textScope`
 * allows (default `'public'`), by the semantics every `TicketIndex` implements without stemming: the
 * reference the memory index and the conformance cases compare against. A text that does not parse
 * is a `ValidationError`; one with no words matches every document.
 *
 * @example
 * const doc = { public: '#7 Résumé upload fails', internal: 'Customer is on the legacy plan' };
 * matchesSearch(doc, 'resume -legacy'); // true: the internal note neither includes nor excludes
 * matchesSearch(doc, 'resume -legacy', 'all'); // false
 */
export function matchesSearch(
  doc: SearchDocument,
  text: string,
  textScope: NonNullable<TicketQuery['textScope']> = 'public',
): boolean {
  return documentMatches(documentWords(doc), foldQuery(parseSearch(text)), textScope);
}
