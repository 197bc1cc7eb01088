import { foldText, parseSearch, type SearchQuery, type TicketIndex, type TicketSummary } from '@tessera/core';

/** Which part of the search document a text matches (`TicketQuery.textScope`; missing = `'public'`). */
export type TextScope = 'public' | 'all';

/** The searchable text of a row, as `TicketIndex.upsert` takes it. */
export type SearchText = NonNullable<Parameters<TicketIndex['upsert']>[2]>;

/** A snippet of a search result, as `TicketSummary.snippet` carries it. */
export type SearchSnippet = NonNullable<TicketSummary['snippet']>;

/**
 * What a store's engine adds to a ticket query with a text: `join` (after the ticket table) or
 * `where` keeps the matching rows, `rank` is the relevance (higher is better) when asked for.
 */
export interface SearchSql {
  readonly join?: string;
  readonly where?: string;
  readonly rank?: string;
}

/** The mark sentinels an engine wraps matched words in (a `SearchDocument` never holds them). */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

/**
 * A filter's text as a query to run: `undefined` when it has no word (it matches every row).
 * Throws core's `ValidationError` for a text `parseSearch` refuses.
 *
 * @example
 * searchQueryOf('printer -laser'); // { all: [printer], none: [laser] }
 * searchQueryOf('  '); // undefined
 */
export function searchQueryOf(text: string): SearchQuery | undefined {
  const query = parseSearch(text);
  return query.all.length === 0 ? undefined : query;
}

/**
 * The document of a row upserted without one: its number, subject and requester, as the port says
 * an adapter searches then.
 *
 * @example
 * fallbackDocument(summary); // { public: '#12 Printer down Ada ada@example.com', internal: '' }
 */
export function fallbackDocument(summary: TicketSummary): SearchText {
  const r = summary.requester;
  return {
    public: [`#${summary.number}`, summary.subject, r.name ?? '', r.email ?? ''].join(' '),
    internal: '',
  };
}

/**
 * A document's text as the engines index it: U+0000 (which neither PostgreSQL text nor FTS5's
 * snippets hold) and the mark sentinels become spaces; both are word separators anyway.
 *
 * @example
 * indexedText('a\u0000b'); // 'a b'
 */
export function indexedText(text: string): string {
  return text.replaceAll('\u0000', ' ').replace(/[\uE000\uE001]/gu, ' ');
}

/**
 * An engine's marked text (matched words between `MARK_START` and `MARK_END`) as a `Snippet`: the
 * text without sentinels, one mark per matched word (a marked phrase is marked word by word).
 *
 * @example
 * markedSnippet('the \uE000paper jam\uE001 again');
 * // { text: 'the paper jam again', marks: [[4, 9], [10, 13]] }
 */
export function markedSnippet(marked: string): SearchSnippet {
  let text = '';
  const marks: [number, number][] = [];
  let open = false;
  for (const part of marked.split(/([\uE000\uE001])/u)) {
    if (part === MARK_START) open = true;
    else if (part === MARK_END) open = false;
    else {
      if (open) {
        for (const word of part.matchAll(WORD)) {
          const start = text.length + word.index;
          marks.push([start, start + word[0].length]);
        }
      }
      text += part;
    }
  }
  return { text, marks };
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const WINDOW = 20;

/**
 * A snippet of `text` for an engine that does not mark words itself: a window of about 20 words
 * around the first matched word, marking each word whose folded form is a query word, starts with
 * a prefix word, or shares an English stem with a query word (`invoice` marks `invoices`).
 * `undefined` when no word of `text` matches.
 *
 * @example
 * textSnippet('Printer jammed', parseSearch('printer'))?.marks; // [[0, 7]]
 */
export function textSnippet(text: string, query: SearchQuery): SearchSnippet | undefined {
  const words = [...text.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    w: m[0],
  }));
  const exact = new Set<string>();
  const stems = new Set<string>();
  const prefixes: string[] = [];
  for (const term of query.all.flatMap((c) => c.any)) {
    term.words.forEach((word, i) => {
      const folded = foldText(word);
      if (term.prefix && i === term.words.length - 1) prefixes.push(folded);
      else {
        exact.add(folded);
        stems.add(lightStem(folded));
      }
    });
  }
  const matches = (w: string) => {
    const folded = foldText(w);
    return exact.has(folded) || stems.has(lightStem(folded)) || prefixes.some((p) => folded.startsWith(p));
  };
  const first = words.findIndex((w) => matches(w.w));
  if (first < 0) return undefined;
  const from = Math.max(0, Math.min(first - 5, words.length - WINDOW));
  const to = Math.min(words.length, from + WINDOW);
  const start = from === 0 ? 0 : words[from]!.start;
  const end = to === words.length ? text.length : words[to - 1]!.end;
  const lead = from === 0 ? '' : '…';
  const marks: [number, number][] = words
    .slice(from, to)
    .filter((w) => matches(w.w))
    .map((w) => [w.start - start + lead.length, w.end - start + lead.length]);
  return { text: `${lead}${text.slice(start, end)}${to === words.length ? '' : '…'}`, marks };
}

/** English endings an English stemmer takes off, enough to mark `invoices` for `invoice`. */
function lightStem(word: string): string {
  return word.replace(/(?:ies|es|s|ed|ing|e)$/u, '') || word;
}
