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

export const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
export const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

export interface Tag {
  name: string;
  attrs: [string, string][];
  /** Index just past the `>`. */
  end: number;
}

/** Reads a tag's name and attributes from `start` (just past `<` or `</`), the way browsers do. */
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
