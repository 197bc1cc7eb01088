/**
 * HTML mail read as text for reply extraction: block elements become line breaks, quoted history
 * (`<blockquote>`, Gmail's `gmail_quote`, Outlook's reply sections) becomes `> ` lines, and Gmail's
 * signature block is marked with a `-- ` line. One linear pass over the tags; no DOM, since the
 * package runs without one.
 */
import { decodeEntities, OpenElements, readAttributes } from './html-tags';
import { countWork } from './work-counter';

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
/** Elements tracked at once; past it the older half is forgotten (their end tags then match nothing). */
const MAX_STACK = 1024;
const SKIP = new Set(['style', 'script', 'head', 'title', 'xml']);
const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'col', 'area', 'base', 'wbr']);

const QUOTE_CLASSES = ['gmail_quote', 'yahoo_quoted', 'moz-cite-prefix', 'protonmail_quote', 'zmail_extra'];
const SIGNATURE_CLASSES = ['gmail_signature', 'moz-signature'];
const QUOTE_IDS = ['divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container'];

/** The attributes of a tag's text after its name, read like the sanitiser reads them (no regex). */
function attributesOf(attrs: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!attrs) return out;
  for (const [name, value] of readAttributes(`${attrs}>`, 0)?.attrs ?? []) {
    if (!out.has(name)) out.set(name, value.toLowerCase());
  }
  return out;
}

const hasClass = (attrs: Map<string, string>, classes: readonly string[]) => {
  const value = attrs.get('class');
  return value?.split(/[\t\n\f\r ]+/).some((c) => classes.includes(c)) === true;
};

function isQuoteElement(name: string, attrs: Map<string, string>): boolean {
  if (name === 'blockquote') return true;
  const id = attrs.get('id');
  return (
    hasClass(attrs, QUOTE_CLASSES) ||
    attrs.get('name')?.startsWith('messagereplysection') === true ||
    (id !== undefined && QUOTE_IDS.some((q) => id.startsWith(q)))
  );
}

/**
 * @example
 * htmlToText('<p>Hi</p><blockquote>old</blockquote>');   // 'Hi\n> old'
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let line = '';
  const stack = new OpenElements<{ name: string; quote: boolean }>(MAX_STACK);
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
    countWork('html-text', end - i + 1);
    if (skipDepth === 0 && end > i) line += decodeEntities(html.slice(i, end));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      countWork('html-text', i - lt);
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    countWork('html-text', (gt < 0 ? html.length : gt) - lt);
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
      for (const popped of stack.close(name)) if (popped.quote) quoteDepth--;
      continue;
    }
    if (VOID.has(name) || tag.endsWith('/')) continue;
    const attributes = attributesOf(attrs);
    const quote = isQuoteElement(name, attributes);
    const sig = !sigStarted && quoteDepth === 0 && hasClass(attributes, SIGNATURE_CLASSES);
    if (sig) {
      flush();
      out.push('-- ');
      sigStarted = true;
    }
    if (quote) {
      flush();
      quoteDepth++;
    }
    // An element forgotten past the limit keeps its quote open: its end tag can no longer be matched.
    stack.push({ name, quote });
  }
  flush();
  countWork('html-text', stack.steps);
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
