/**
 * The pieces of HTML tokenising shared by the HTML-to-text reader and the sanitiser: reading one tag
 * the way browsers do, and decoding character references. Each is linear in what it reads.
 */
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  copy: '©',
  reg: '®',
};

/**
 * Decodes numeric and the common named character references (others stay as written).
 *
 * @example
 * decodeEntities('a &amp; b &#x2014;'); // 'a & b —'
 */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code =
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * HTML whitespace, by char code.
 *
 * @example
 * isSpace(' '.charCodeAt(0)); // true
 */
export const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
/**
 * An ASCII letter, by char code: what may follow `<` or `</` for a tag to start.
 *
 * @example
 * isLetter('d'.charCodeAt(0)); // true
 */
export const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

export interface Tag {
  name: string;
  attrs: [string, string][];
  /** Index just past the `>`. */
  end: number;
}

/**
 * Reads a tag's name and attributes from `start` (just past `<` or `</`), the way browsers do;
 * `undefined` when the input ends inside the tag.
 *
 * @example
 * readTag('<a href="x">', 1); // { name: 'a', attrs: [['href', 'x']], end: 11 }
 */
export function readTag(html: string, start: number): Tag | undefined {
  const n = html.length;
  let j = start;
  while (j < n && !isSpace(html.charCodeAt(j)) && html[j] !== '/' && html[j] !== '>') j++;
  const name = html.slice(start, j).toLowerCase();
  const rest = readAttributes(html, j);
  return rest && { name, ...rest };
}

/**
 * Reads attributes from `start` up to and including the tag's `>`, honouring quotes; `undefined`
 * when the input ends first (browsers drop such a tag).
 *
 * @example
 * readAttributes('class="a>b" id=x>', 0); // { attrs: [['class', 'a>b'], ['id', 'x']], end: 17 }
 */
export function readAttributes(html: string, start: number): Omit<Tag, 'name'> | undefined {
  const n = html.length;
  let j = start;
  const attrs: [string, string][] = [];
  for (;;) {
    while (j < n && (isSpace(html.charCodeAt(j)) || html[j] === '/')) j++;
    if (j >= n) return undefined;
    if (html[j] === '>') return { attrs, end: j + 1 };
    let k = j + 1; // an attribute name may start with '='
    while (k < n && !isSpace(html.charCodeAt(k)) && html[k] !== '/' && html[k] !== '>' && html[k] !== '=')
      k++;
    const attr = html.slice(j, k).toLowerCase();
    j = k;
    while (j < n && isSpace(html.charCodeAt(j))) j++;
    let value = '';
    if (html[j] === '=') {
      j++;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, j + 1);
        if (close < 0) return undefined;
        value = html.slice(j + 1, close);
        j = close + 1;
      } else {
        k = j;
        while (k < n && !isSpace(html.charCodeAt(k)) && html[k] !== '>') k++;
        value = html.slice(j, k);
        j = k;
      }
    }
    attrs.push([attr, value]);
  }
}

/**
 * The elements open at a point of an HTML scan, innermost last. An end tag closes its element and
 * every element opened inside it (as browsers do); an end tag that matches nothing open is found
 * out in constant time, by counting open elements per name. So each element is pushed and popped at
 * most once, and the work of all end tags together is linear in the input, however deep or
 * mis-nested it is. Past `limit` elements the oldest half is forgotten at once (their end tags then
 * match nothing), never one at a time.
 *
 * @example
 * const open = new OpenElements<{ name: string }>(512);
 * open.push({ name: 'div' });
 * open.push({ name: 'b' });
 * open.close('div'); // [{ name: 'b' }, { name: 'div' }]
 */
export class OpenElements<T extends { name: string }> {
  private items: T[] = [];
  private readonly counts = new Map<string, number>();
  /** Steps taken (pushes, pops, forgets): what a test counts. */
  steps = 0;

  constructor(private readonly limit: number) {}

  get depth(): number {
    return this.items.length;
  }

  /** Opens an element; returns the elements forgotten to stay within the limit (oldest first). */
  push(item: T): T[] {
    this.items.push(item);
    this.counts.set(item.name, (this.counts.get(item.name) ?? 0) + 1);
    this.steps++;
    if (this.items.length <= this.limit) return [];
    const forgotten = this.items.slice(0, this.items.length - Math.floor(this.limit / 2));
    this.items = this.items.slice(forgotten.length);
    for (const f of forgotten) this.uncount(f);
    this.steps += forgotten.length;
    return forgotten;
  }

  /** Closes the innermost open element of this name: it and those inside it, innermost first. */
  close(name: string): T[] {
    this.steps++;
    if (!this.counts.get(name)) return [];
    const popped: T[] = [];
    for (;;) {
      const item = this.items.pop()!;
      this.uncount(item);
      this.steps++;
      popped.push(item);
      if (item.name === name) return popped;
    }
  }

  /** Closes everything, innermost first. */
  drain(): T[] {
    const all = this.items.reverse();
    this.items = [];
    this.counts.clear();
    this.steps += all.length;
    return all;
  }

  private uncount(item: T) {
    const n = (this.counts.get(item.name) ?? 1) - 1;
    if (n > 0) this.counts.set(item.name, n);
    else this.counts.delete(item.name);
  }
}
