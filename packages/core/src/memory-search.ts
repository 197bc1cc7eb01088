import MiniSearch, { type Query } from 'minisearch';
import type { SearchDocument, Snippet, TicketQuery } from './ports';
import { documentMatches, documentWords, type WordedDocument } from './search-match';
import { foldText, type SearchQuery, type SearchTerm } from './search-query';
import { snippetOfWords } from './snippet';

type TextScope = NonNullable<TicketQuery['textScope']>;

/** Where the memory index splits words: as `parseSearch` splits a query. */
const SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;

interface StoredDocument {
  text: SearchDocument;
  /** Split on first need (a phrase to check, a snippet to draw), not on every upsert. */
  words?: WordedDocument;
}

/** A row whose document is not in the engine as it is now: `indexed` is what the engine holds. */
interface Pending {
  indexed: SearchDocument | undefined;
}

const wordsOfDocument = (doc: StoredDocument): WordedDocument => {
  doc.words ??= documentWords(doc.text);
  return doc.words;
};

/** Whether minisearch's answer is the search's answer as it is: no phrase to check for adjacency. */
const exact = (query: SearchQuery) =>
  [...query.all.flatMap((c) => c.any), ...query.none].every((t) => t.words.length === 1);

/**
 * One tenant's search documents in memory: a minisearch inverted index over the two parts (folded
 * by `foldText`, no stemming) finds and ranks the matches. Words, `or`, prefixes and excluded words
 * it answers exactly; a search with a phrase (minisearch has none) has its candidates checked on
 * their words, which is also where a snippet is drawn from the part the scope allows.
 */
export function memorySearch() {
  const docs = new Map<string, StoredDocument>();
  const engine = new MiniSearch<{ id: string; public: string; internal: string }>({
    fields: ['public', 'internal'],
    tokenize: (text) => text.split(SEPARATOR),
    processTerm: (term) => foldText(term) || null,
  });

  // Every command upserts its ticket's row, and most are never searched before the next one: the
  // engine takes a row's document when a search comes, not on each upsert (indexing on every
  // upsert made `execute` on the memory store about three times slower).
  const pending = new Map<string, Pending>();
  const flush = () => {
    for (const [id, { indexed }] of pending) {
      // Removed with the very text it was added with, not `replace`d: replace only discards, and
      // the leftovers change scores as later searches sweep them, so relevance pages would shift.
      if (indexed) engine.remove({ id, ...indexed });
      engine.add({ id, ...docs.get(id)!.text });
    }
    pending.clear();
  };

  return {
    /** Puts a row's document (its number, subject and requester when the upsert gave none). */
    put(id: string, doc: SearchDocument) {
      const text = { public: doc.public, internal: doc.internal };
      if (!pending.has(id)) pending.set(id, { indexed: docs.get(id)?.text });
      docs.set(id, { text });
    },
    /** The document stored for a row. */
    document(id: string): SearchDocument | undefined {
      return docs.get(id)?.text;
    },
    /**
     * The ids that match a folded, non-empty query in the allowed parts, each with its score
     * (minisearch's BM25+, public and internal parts weighted alike).
     */
    search(query: SearchQuery, scope: TextScope): Map<string, number> {
      flush();
      const fields = scope === 'all' ? ['public', 'internal'] : ['public'];
      const scores = new Map<string, number>();
      const check = !exact(query);
      for (const r of engine.search(engineQuery(query, fields))) {
        const id = r.id as string;
        const doc = docs.get(id);
        if (doc && (!check || documentMatches(wordsOfDocument(doc), query, scope))) scores.set(id, r.score);
      }
      return scores;
    },
    /** The snippet of a matching row: from its public part, or its internal part when it marks more there. */
    snippet(id: string, query: SearchQuery, scope: TextScope): Snippet | undefined {
      const doc = docs.get(id);
      if (!doc) return undefined;
      const words = wordsOfDocument(doc);
      const pub = snippetOfWords(doc.text.public, words.public, query);
      if (scope !== 'all') return pub;
      const internal = snippetOfWords(doc.text.internal, words.internal, query);
      if (internal && (!pub || internal.marks.length > pub.marks.length)) return internal;
      return pub;
    },
  };
}

export type MemorySearch = ReturnType<typeof memorySearch>;

/**
 * The minisearch query of a parsed search: clauses ANDed, a clause's terms ORed, a phrase as its
 * words ANDed (adjacency is checked on the stored words after), a prefix on a term's last word,
 * excluded single words through AND_NOT (excluded phrases are left to the check on stored words).
 */
function engineQuery(query: SearchQuery, fields: string[]): Query {
  const word = (w: string, prefix: boolean): Query => ({ queries: [w], prefix, fields });
  const term = (t: SearchTerm): Query =>
    t.words.length === 1
      ? word(t.words[0]!, t.prefix)
      : {
          combineWith: 'AND',
          queries: t.words.map((w, i) => word(w, t.prefix && i === t.words.length - 1)),
        };
  const positive: Query = {
    combineWith: 'AND',
    queries: query.all.map((c) => ({ combineWith: 'OR', queries: c.any.map(term) })),
  };
  const excluded = query.none.filter((t) => t.words.length === 1);
  if (excluded.length === 0) return positive;
  return { combineWith: 'AND_NOT', queries: [positive, { combineWith: 'OR', queries: excluded.map(term) }] };
}
