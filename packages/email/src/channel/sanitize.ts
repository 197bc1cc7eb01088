import { decodeEntities, isLetter, OpenElements, readTag } from '../html-tags';
import { countWork } from '../work-counter';

/**
 * HTML from mail is hostile until proven otherwise: scripts, event handlers, forms, remote
 * tracking pixels and `javascript:` links are removed before it is stored for display. Inline
 * images stay (`cid:` references, resolved by the app from the message's attachments).
 *
 * One linear scan keeps only allowed tags and attributes and writes them anew in canonical form:
 * lower-case names, values checked as the browser will decode them and written quoted and
 * escaped, text escaped, no comments, properly nested, at most `maxDepth` deep. What a browser
 * reads from the output is therefore only what was allowed, however the input was mangled.
 *
 * This replaces sanitize-html, which took time growing with the square of the nesting (its parser,
 * htmlparser2, shifts its element stack on every tag: 100k nested divs took 9.7 s) and was two
 * thirds of the package's bundle. sanitize-html stays as the tests' oracle: on hostile HTML it
 * finds nothing left to remove in this output (channel/sanitize.test.ts, with `SANITIZE_POLICY`).
 */
/** sanitize-html's default allowed tags (2.17), and what mail needs besides. */
const ALLOWED_TAGS = new Set([
  ...['address', 'article', 'aside', 'footer', 'header', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup'],
  ...['main', 'nav', 'section', 'blockquote', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'hr'],
  ...['li', 'menu', 'ol', 'p', 'pre', 'ul', 'a', 'abbr', 'b', 'bdi', 'bdo', 'br', 'cite', 'code'],
  ...['data', 'dfn', 'em', 'i', 'kbd', 'mark', 'q', 'rb', 'rp', 'rt', 'rtc', 'ruby', 's', 'samp'],
  ...['small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr', 'caption', 'col'],
  ...['colgroup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr'],
  ...['img', 'font', 'center'],
]);
const ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href', 'name', 'title', 'rel'],
  img: ['src', 'alt', 'title', 'width', 'height'],
  font: ['color', 'size', 'face'],
  td: ['colspan', 'rowspan', 'align', 'valign'],
  th: ['colspan', 'rowspan', 'align', 'valign'],
};
const GLOBAL_ATTRIBUTES = ['dir', 'lang'];
const SCHEMES = ['http', 'https', 'mailto', 'tel'];
/** Images only inline (`cid:`) or embedded (`data:`): a remote image is a tracking pixel. */
const IMG_SCHEMES = ['cid', 'data'];
const REL = 'noopener noreferrer nofollow';

/**
 * The policy, for a test to hold the output against sanitize-html with the same rules.
 *
 * @example
 * const { tags, attributes, schemes, imageSchemes, rel } = SANITIZE_POLICY;
 */
export const SANITIZE_POLICY = {
  tags: [...ALLOWED_TAGS],
  attributes: { ...ATTRIBUTES, '*': GLOBAL_ATTRIBUTES },
  schemes: SCHEMES,
  imageSchemes: IMG_SCHEMES,
  rel: REL,
} as const;

/** Elements that have no end tag: never on the stack. */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements whose content is not markup; the content is dropped with them. */
const RAW_TEXT = ['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript'];
const RAW_END = new Map(RAW_TEXT.map((name) => [name, new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')]));

/** Limits of `sanitizeInboundHtml`. */
export interface SanitizeLimits {
  /** Elements open at once; deeper tags are dropped (their text kept). Default 100. */
  maxDepth?: number;
  /** Characters of sanitised output; past it the HTML is left out entirely. Default unlimited. */
  maxLength?: number;
}

/** Sanitised HTML, or why it was cut or left out. */
export interface SanitizedHtml {
  /** Absent when the output would have been longer than `maxLength`. */
  html?: string;
  /** What was cut or left out, and why. */
  truncated: string[];
}

/** Whether a URL (as the browser will read it) uses an allowed scheme and is not protocol-relative. */
function urlAllowed(value: string, schemes: readonly string[]): boolean {
  // Browsers ignore control characters and spaces around a scheme; this check ignores them anywhere.
  let v = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x20 && (c < 0x7f || c > 0x9f)) v += value[i];
  }
  v = v.toLowerCase();
  if (/^[/\\]{2}/.test(v)) return false;
  const colon = v.indexOf(':');
  if (colon < 0) return true;
  const stop = v.search(/[/?#\\]/);
  if (stop >= 0 && stop < colon) return true; // a relative path that contains a colon
  const scheme = v.slice(0, colon);
  // An image may be embedded, but only as an image (data:text/html in an <img> is no image).
  if (scheme === 'data') return schemes.includes('data') && v.startsWith('data:image/');
  return schemes.includes(scheme);
}

const escapeAttribute = (s: string) =>
  s.replace(/[&"<>]/g, (c) => (c === '&' ? '&amp;' : c === '"' ? '&quot;' : c === '<' ? '&lt;' : '&gt;'));
/** Text keeps well-formed character references; every other `&`, `<` and `>` is escaped. */
const escapeText = (s: string) =>
  s.replace(/&(?![a-zA-Z][a-zA-Z0-9]{0,31};|#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)|[<>]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;',
  );

function attributesOf(name: string, attrs: [string, string][]): string {
  const allowed = ATTRIBUTES[name];
  const seen = new Set<string>();
  let out = '';
  for (const [attr, raw] of attrs) {
    if (seen.has(attr)) continue; // browsers keep the first of duplicate attributes
    seen.add(attr);
    if (!(allowed?.includes(attr) || GLOBAL_ATTRIBUTES.includes(attr))) continue;
    if (name === 'a' && attr === 'rel') continue;
    // Checked decoded and written escaped, so the browser reads exactly the value checked.
    const value = decodeEntities(raw);
    if (value === '') continue; // no allowed attribute means anything empty
    if ((attr === 'href' || attr === 'src') && !urlAllowed(value, name === 'img' ? IMG_SCHEMES : SCHEMES)) {
      continue;
    }
    out += ` ${attr}="${escapeAttribute(value)}"`;
  }
  return name === 'a' ? `${out} rel="${REL}"` : out;
}

/** The first pass: allowed tags only, canonical, nested at most `maxDepth` deep; linear in `html`. */
function canonical(html: string, maxDepth: number, maxLength: number): SanitizedHtml {
  const n = html.length;
  const out: string[] = [];
  const truncated: string[] = [];
  const stack = new OpenElements<{ name: string }>(Number.POSITIVE_INFINITY);
  let length = 0;
  let overflow = 0;
  const emit = (s: string) => {
    out.push(s);
    length += s.length;
  };
  const skipTo = (from: number, what: string) => {
    const at = html.indexOf(what, from);
    const end = at < 0 ? n : at + what.length;
    countWork('sanitize', end - from);
    return end;
  };
  let i = 0;
  while (i < n && length <= maxLength) {
    const lt = html.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    countWork('sanitize', end - i + 1);
    if (end > i) emit(escapeText(html.slice(i, end)));
    if (lt < 0) break;
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      i = skipTo(lt + 4, '-->');
      continue;
    }
    if (next === 0x21 || next === 0x3f) {
      // <!doctype>, <![CDATA[…]]>, <?xml …?>: bogus comments, dropped up to the next '>'
      i = skipTo(lt + 2, '>');
      continue;
    }
    if (next === 0x2f) {
      if (!isLetter(html.charCodeAt(lt + 2))) {
        i = skipTo(lt + 2, '>');
        continue;
      }
      const tag = readTag(html, lt + 2);
      countWork('sanitize', (tag ? tag.end : n) - lt);
      if (!tag) break;
      i = tag.end;
      if (!ALLOWED_TAGS.has(tag.name) || VOID.has(tag.name)) continue;
      if (overflow > 0) {
        overflow--;
        continue;
      }
      // Closes its element and those opened inside it; an end tag nothing opened is dropped.
      for (const popped of stack.close(tag.name)) emit(`</${popped.name}>`);
      continue;
    }
    if (!isLetter(next)) {
      emit('&lt;');
      i = lt + 1;
      continue;
    }
    const tag = readTag(html, lt + 1);
    countWork('sanitize', (tag ? tag.end : n) - lt);
    if (!tag) break;
    i = tag.end;
    const raw = RAW_END.get(tag.name);
    if (raw) {
      raw.lastIndex = i;
      const close = raw.exec(html);
      countWork('sanitize', (close ? close.index : n) - i);
      i = close ? close.index : n;
      continue;
    }
    if (!ALLOWED_TAGS.has(tag.name)) continue;
    if (VOID.has(tag.name)) {
      emit(`<${tag.name}${attributesOf(tag.name, tag.attrs)} />`);
      continue;
    }
    if (stack.depth >= maxDepth) {
      if (overflow === 0 && !truncated.length) {
        truncated.push(
          `html: nested deeper than ${maxDepth} elements; the deeper tags were dropped, their text kept`,
        );
      }
      overflow++;
      continue;
    }
    emit(`<${tag.name}${attributesOf(tag.name, tag.attrs)}>`);
    stack.push({ name: tag.name });
  }
  for (const popped of stack.drain()) emit(`</${popped.name}>`);
  countWork('sanitize', stack.steps);
  if (length > maxLength) {
    truncated.push(
      `html: longer than ${maxLength} characters once sanitised; left out (the original keeps it)`,
    );
    return { truncated };
  }
  return { html: out.join(''), truncated };
}

/**
 * Sanitises inbound HTML within limits, saying what was cut. Linear in the input.
 *
 * @example
 * sanitizeInboundHtml('<div>'.repeat(500), { maxDepth: 100 }).truncated;
 * // ['html: nested deeper than 100 elements; …']
 */
export function sanitizeInboundHtml(html: string, limits: SanitizeLimits = {}): SanitizedHtml {
  return canonical(html, limits.maxDepth ?? 100, limits.maxLength ?? Number.POSITIVE_INFINITY);
}

/**
 * Sanitises inbound HTML for storing and showing.
 *
 * @example
 * sanitizeEmailHtml('<p onclick="x()">Hi<script>alert(1)</script></p>'); // '<p>Hi</p>'
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeInboundHtml(html).html ?? '';
}
