/**
 * HTML mail read as text for reply extraction: block elements become line breaks, quoted history
 * (`<blockquote>`, Gmail's `gmail_quote`, Outlook's reply sections) becomes `> ` lines, and Gmail's
 * signature block is marked with a `-- ` line. One linear pass over the tags; no DOM, since the
 * package runs without one.
 */

const BLOCK = new Set([
  'p',
  'div',
  'br',
  'tr',
  'li',
  'ul',
  'ol',
  'table',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'hr',
  'section',
  'article',
  'header',
  'footer',
  'blockquote',
  'dd',
  'dt',
  'dl',
]);
const SKIP = new Set(['style', 'script', 'head', 'title', 'xml']);
const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'col', 'area', 'base', 'wbr']);

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

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code =
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function isQuoteElement(name: string, attrs: string): boolean {
  if (name === 'blockquote') return true;
  if (!attrs) return false;
  const a = attrs.slice(0, 2000).toLowerCase();
  return (
    /class\s*=\s*["'][^"']*\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix|protonmail_quote|zmail_extra)\b/.test(
      a,
    ) ||
    /name\s*=\s*["']?messagereplysection/.test(a) ||
    /id\s*=\s*["']?(?:divrplyfwdmsg|appendonsend|mail-editor-reference-message-container)/.test(a)
  );
}

function isSignatureElement(attrs: string): boolean {
  return /class\s*=\s*["'][^"']*\b(?:gmail_signature|moz-signature)\b/i.test(attrs.slice(0, 2000));
}

/**
 * @example
 * htmlToText('<p>Hi</p><blockquote>old</blockquote>');   // 'Hi\n> old'
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let line = '';
  const stack: { name: string; quote: boolean; sig: boolean }[] = [];
  let quoteDepth = 0;
  let skipDepth = 0;
  let sigStarted = false;
  const flush = () => {
    // Deep nesting is capped: the depth only has to say "quoted", and unbounded prefixes would make
    // the output quadratic in the input.
    const prefix = quoteDepth > 0 ? `${'>'.repeat(Math.min(quoteDepth, 8))} ` : '';
    const text = line.replace(/[ \t\r\n\f]+/g, ' ').trim();
    if (text || quoteDepth === 0) out.push(prefix + text);
    else out.push(prefix.trimEnd());
    line = '';
  };
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const end = lt < 0 ? html.length : lt;
    if (skipDepth === 0 && end > i) line += decodeEntities(html.slice(i, end));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    const tag = html.slice(lt + 1, gt);
    i = gt + 1;
    const closing = tag.startsWith('/');
    const nameMatch = /^\/?\s*([a-zA-Z][a-zA-Z0-9:-]*)/.exec(tag);
    if (!nameMatch) continue;
    const name = nameMatch[1]!.toLowerCase();
    const attrs = tag.slice(nameMatch[0].length);
    if (SKIP.has(name)) {
      if (closing) skipDepth = Math.max(0, skipDepth - 1);
      else if (!tag.endsWith('/')) skipDepth++;
      continue;
    }
    if (skipDepth > 0) continue;
    if (BLOCK.has(name) || closing) {
      if (BLOCK.has(name)) flush();
    }
    if (closing) {
      // pop to the matching element
      for (let k = stack.length - 1; k >= 0; k--) {
        if (stack[k]!.name === name) {
          const [popped] = stack.splice(k, 1);
          if (popped?.quote) quoteDepth--;
          break;
        }
      }
      continue;
    }
    if (VOID.has(name) || tag.endsWith('/')) continue;
    const quote = isQuoteElement(name, attrs);
    const sig = !sigStarted && quoteDepth === 0 && isSignatureElement(attrs);
    if (sig) {
      flush();
      out.push('-- ');
      sigStarted = true;
    }
    if (quote) {
      flush();
      quoteDepth++;
    }
    stack.push({ name, quote, sig });
    if (stack.length > 512) stack.shift();
  }
  flush();
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
