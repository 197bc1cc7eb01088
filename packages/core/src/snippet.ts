import type { Snippet } from './ports';
import { foldQuery, type TextWord, termAt, wordsOf } from './search-match';
import type { SearchQuery } from './search-query';

/** About how many words a snippet shows. */
const WINDOW = 20;
/** How many words before the first match the window tries to keep, for context. */
const LEAD = 4;
const ELLIPSIS = '…';

/** Which words of `words` a query's sought terms (not the excluded ones) cover. */
function matchedWords(words: readonly TextWord[], query: SearchQuery): boolean[] {
  const hit = new Array<boolean>(words.length).fill(false);
  const terms = query.all.flatMap((c) => c.any);
  for (let i = 0; i < words.length; i++) {
    for (const t of terms) {
      if (!termAt(words, t, i)) continue;
      for (let k = 0; k < t.words.length; k++) hit[i + k] = true;
    }
  }
  return hit;
}

/**
 * A piece of `text` of about 20 words around where it best matches a search (the window with the
 * most matched words), whitespace runs shown as one space, with `…` where text was cut, and the
 * `[start, end)` offsets of each matched word (every word of a matched phrase, the whole word of a
 * prefix match). `undefined` when nothing in the text matches. Words are compared as the memory
 * index compares them (`foldText`, no stemming); engines that stem may draw their own.
 *
 * @example
 * snippetOf('Hello, my résumé upload fails with an error', parseSearch('resume upload'));
 * // → { text: 'Hello, my résumé upload fails with an error', marks: [[10, 16], [17, 23]] }
 */
export function snippetOf(text: string, query: SearchQuery): Snippet | undefined {
  return snippetOfWords(text, wordsOf(text), foldQuery(query));
}

/** `snippetOf` over a text already split into words (`wordsOf`), for a folded query. */
export function snippetOfWords(
  text: string,
  words: readonly TextWord[],
  query: SearchQuery,
): Snippet | undefined {
  const hit = matchedWords(words, query);
  const n = words.length;
  // Matched words before each index, so any window's count is one subtraction.
  const before = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) before[i + 1] = before[i]! + (hit[i] ? 1 : 0);
  if (before[n] === 0) return undefined;
  const size = Math.min(WINDOW, n);
  let best = 0;
  let bestCount = -1;
  for (let s = 0; s + size <= n; s++) {
    const count = before[s + size]! - before[s]!;
    if (count > bestCount) {
      best = s;
      bestCount = count;
    }
  }
  // Start it at its first match (losing nothing), then show a few words before that when that
  // loses no match either.
  while (best + size < n && !hit[best]) best++;
  let start = best;
  while (start > 0 && best - start < LEAD && !hit[start - 1 + size]) start--;
  const end = start + size;

  let out = '';
  const marks: [number, number][] = [];
  const piece = (from: number, to: number) => text.slice(from, to).replace(/\s+/gu, ' ');
  if (start > 0) out += ELLIPSIS;
  else out += piece(0, words[0]!.start).trimStart();
  for (let i = start; i < end; i++) {
    const w = words[i]!;
    if (i > start) out += piece(words[i - 1]!.end, w.start);
    if (hit[i]) marks.push([out.length, out.length + (w.end - w.start)]);
    out += text.slice(w.start, w.end);
  }
  if (end < n) out += ELLIPSIS;
  else out += piece(words[n - 1]!.end, text.length).trimEnd();
  return { text: out, marks };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/gu, (c) => ESCAPES[c]!);

/**
 * A snippet as HTML: its text escaped (it is user-written) and each mark wrapped in `<mark>`. Marks
 * that are out of order, overlap or fall outside the text are skipped rather than trusted.
 *
 * @example
 * snippetHtml({ text: 'a <b> résumé', marks: [[6, 12]] }); // → 'a &lt;b&gt; <mark>résumé</mark>'
 */
export function snippetHtml(snippet: Snippet): string {
  let out = '';
  let at = 0;
  for (const [start, end] of snippet.marks) {
    if (!(Number.isInteger(start) && Number.isInteger(end)) || start < at || end <= start) continue;
    if (end > snippet.text.length) break;
    out += `${escapeHtml(snippet.text.slice(at, start))}<mark>${escapeHtml(snippet.text.slice(start, end))}</mark>`;
    at = end;
  }
  return out + escapeHtml(snippet.text.slice(at));
}
