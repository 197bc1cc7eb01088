import fc from 'fast-check';
import sanitizeHtml from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import { SANITIZE_POLICY, sanitizeEmailHtml, sanitizeInboundHtml } from './sanitize';

/** sanitize-html with the same policy: the oracle the sanitiser's output is held against. */
const SECOND_OPINION: sanitizeHtml.IOptions = {
  allowedTags: [...SANITIZE_POLICY.tags],
  allowedAttributes: { ...SANITIZE_POLICY.attributes },
  allowedSchemes: [...SANITIZE_POLICY.schemes],
  allowedSchemesByTag: { img: [...SANITIZE_POLICY.imageSchemes] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: SANITIZE_POLICY.rel } }),
  },
};

const REL = 'rel="noopener noreferrer nofollow"';

describe('sanitizeEmailHtml', () => {
  it.each([
    ['<p onclick="x()">Hi<script>alert(1)</script></p>', '<p>Hi</p>'],
    ['<a href="javascript:alert(1)">x</a>', `<a ${REL}>x</a>`],
    ['<a href="jav&#x61;script:alert(1)">x</a>', `<a ${REL}>x</a>`],
    ['<a href="  JaVa\tscript:alert(1)">x</a>', `<a ${REL}>x</a>`],
    ['<a href="//evil.example">x</a>', `<a ${REL}>x</a>`],
    ['<a href="\\\\evil.example">x</a>', `<a ${REL}>x</a>`],
    ['<a href="data:text/html,x">d</a>', `<a ${REL}>d</a>`],
    ['<a href="x" rel="opener">r</a>', `<a href="x" ${REL}>r</a>`],
    [
      '<img src="https://track.example/p.gif"><img src="cid:img1@x" alt=a>',
      '<img /><img src="cid:img1@x" alt="a" />',
    ],
    ['<div title="</div><script>alert(1)</script>">t</div>', '<div>t</div>'],
    ['<svg><script>alert(1)</script></svg>', ''],
    ['<!--><img src=x onerror=alert(1)>-->after', 'after'],
    ['<style>body{}</style>after', 'after'],
    ['<textarea><img src=x onerror=1></textarea>', ''],
    ['<iframe src=javascript:alert(1)></iframe>z', 'z'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['< <div>x', '&lt; <div>x</div>'],
    ['<div/onclick=alert(1)>x', '<div>x</div>'],
    [
      '<table><tr><td colspan=2 onclick=x>c</td></tr></table>',
      '<table><tr><td colspan="2">c</td></tr></table>',
    ],
    ['<b>unclosed <i>nested', '<b>unclosed <i>nested</i></b>'],
    ['</p></div>stray', 'stray'],
    ['a &amp; b &foo c < d > e', 'a &amp; b &amp;foo c &lt; d &gt; e'],
    [
      '<a href="https://ok.example/?a=1&amp;b=2" title=\'q"t\'>ok</a>',
      `<a href="https://ok.example/?a=1&amp;b=2" title="q&quot;t" ${REL}>ok</a>`,
    ],
  ])('%s', (input, expected) => {
    expect(sanitizeEmailHtml(input)).toBe(expected);
  });

  it('caps nesting and length, saying so', () => {
    const deep = sanitizeInboundHtml(`${'<div>'.repeat(150)}x${'</div>'.repeat(150)}`);
    expect(deep.html!.match(/<div>/g)).toHaveLength(100);
    expect(deep.html!.match(/<\/div>/g)).toHaveLength(100);
    expect(deep.truncated).toEqual([
      'html: nested deeper than 100 elements; the deeper tags were dropped, their text kept',
    ]);
    expect(sanitizeInboundHtml(`<p>${'a'.repeat(100)}</p>`, { maxLength: 50 })).toEqual({
      truncated: ['html: longer than 50 characters once sanitised; left out (the original keeps it)'],
    });
    expect(sanitizeInboundHtml('<p>fine</p>')).toEqual({ html: '<p>fine</p>', truncated: [] });
  });
});

/** Hostile HTML made of the pieces sanitisers get wrong: tags, attributes, URLs, quotes, entities, comments. */
const hostileHtml = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'a',
            'img',
            'div',
            'p',
            'b',
            'td',
            'table',
            'font',
            'blockquote',
            'svg',
            'math',
            'script',
            'style',
            'iframe',
            'textarea',
            'title',
            'noscript',
            'xmp',
            'form',
            'input',
            'object',
            'A',
            'IMG',
            'ScRiPt',
          ),
          fc.array(
            fc.tuple(
              fc.constantFrom(
                'href',
                'src',
                'onclick',
                'onerror',
                'style',
                'title',
                'class',
                'colspan',
                'rel',
                'name',
                'alt',
                'xlink:href',
                'HREF',
                'srcset',
                'action',
                '/',
                '"',
                "'",
              ),
              fc.constantFrom(
                'javascript:alert(1)',
                'jav&#x61;script:alert(1)',
                ' JaVaScRiPt:x',
                'java\tscript:x',
                '//evil.example',
                '\\\\evil',
                'https://ok.example/?a=1&b=2',
                'cid:img@x',
                'data:text/html,<script>',
                'data:image/png;base64,AA',
                '"><script>alert(1)</script>',
                "'",
                '&quot;',
                'x onmouseover=alert(1)',
                'vbscript:x',
                'mailto:a@b.c',
              ),
              fc.constantFrom('"', "'", ''),
            ),
            { maxLength: 4 },
          ),
          fc.boolean(),
        )
        .map(([name, attrs, close]) =>
          close ? `</${name}>` : `<${name}${attrs.map(([k, v, q]) => ` ${k}=${q}${v}${q}`).join('')}>`,
        ),
      fc.constantFrom(
        'text',
        '<',
        '>',
        '&',
        '&amp;',
        '&lt;script&gt;',
        '&#60;',
        '&bogus;',
        '<!--',
        '-->',
        '<!-->',
        '</',
        '<!',
        '<?x?>',
        '"',
        "'",
        '<![CDATA[<script>]]>',
        '\u0000',
        '</script>',
        '<scr<script>ipt>',
        '< div>',
      ),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(''));

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'name', 'title', 'rel', 'dir', 'lang'],
  img: ['src', 'alt', 'title', 'width', 'height', 'dir', 'lang'],
  font: ['color', 'size', 'face', 'dir', 'lang'],
  td: ['colspan', 'rowspan', 'align', 'valign', 'dir', 'lang'],
  th: ['colspan', 'rowspan', 'align', 'valign', 'dir', 'lang'],
};

/** The tags of sanitised HTML with their attributes, as written. */
const tagsOf = (html: string) => html.match(/<[^<>]*>/g) ?? [];
const openingTags = (html: string) => tagsOf(html).filter((t) => !t.startsWith('</'));

it('hostile HTML: sanitize-html, as a second opinion, finds nothing left to remove in the output', () => {
  fc.assert(
    fc.property(hostileHtml, (html) => {
      const out = sanitizeEmailHtml(html);
      // Every element we keep, with every attribute, survives (sanitize-html may add elements of
      // its own where its parser closes or opens implied ones: a stray </p> becomes <p></p>).
      const theirs = new Map<string, number>();
      for (const t of openingTags(sanitizeHtml(out, SECOND_OPINION))) theirs.set(t, (theirs.get(t) ?? 0) + 1);
      for (const t of openingTags(out)) {
        expect(theirs.get(t) ?? 0, `${t} in ${out}`).toBeGreaterThan(0);
        theirs.set(t, theirs.get(t)! - 1);
      }
      expect(out).not.toMatch(/<(?:script|style|iframe|svg|math|form|input|object|textarea)\b/i);
      for (const tag of tagsOf(out)) {
        // Canonical: a lower-case allowed name, allowed attributes with quoted, escaped values.
        const m = /^<\/?([a-z0-9]+)((?: [a-z]+="[^"<>]*")*)( \/)?>$/.exec(tag);
        expect(m, tag).not.toBeNull();
        for (const [, name, value] of m![2]!.matchAll(/ ([a-z]+)="([^"]*)"/g)) {
          expect(ALLOWED_ATTRIBUTES[m![1]!] ?? ['dir', 'lang'], tag).toContain(name);
          if (name === 'href' || name === 'src') {
            expect(value!.replace(/&amp;/g, '&'), tag).toMatch(
              m![1] === 'img'
                ? /^(?:cid:|data:image\/|[^:/\\]*(?:[/?#]|$))/
                : /^(?:https?:|mailto:|tel:|[^:/\\]*(?:[/?#]|$))/,
            );
          }
        }
      }
    }),
    { numRuns: 500 },
  );
}, 60_000);
