import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml, sanitizeInboundHtml } from './sanitize';

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
