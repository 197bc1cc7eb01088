import { describe, expect, it } from 'vitest';
import { readInbound } from './channel/pipeline';
import { sanitizeInboundHtml } from './channel/sanitize';
import { htmlToText } from './html';
import { extractReply } from './reply';
import { type WorkStep, workCounts } from './work-counter';

/**
 * Every inbound step is linear in its input, proven by counting the work each step does (characters
 * and stack entries visited, see work-counter.ts) on hostile inputs of size n and 10n: never by
 * clocks, which a loaded machine makes lie. A quadratic step does 100× the work at 10n.
 */
const N = 2000;
const total = (w: Readonly<Record<WorkStep, number>>) => w.sanitize + w['html-text'] + w.reply;

function work(run: () => unknown): number {
  workCounts(true);
  run();
  return total(workCounts(true));
}

async function workAsync(run: () => Promise<unknown>): Promise<number> {
  workCounts(true);
  await run();
  return total(workCounts(true));
}

function expectLinear(name: string, once: number, tenTimes: number, size: number) {
  expect(once, `${name}: counted nothing`).toBeGreaterThan(0);
  expect(tenTimes / once, `${name}: work at 10n / work at n`).toBeLessThanOrEqual(12);
  // And a small constant per character of input, so a cap cannot hide a huge constant (the most is
  // the reply's wrapped attributions: each line is re-read with the up to three lines after it).
  expect(tenTimes / size, `${name}: work per input character`).toBeLessThanOrEqual(20);
}

const HTML_SHAPES: Record<string, (n: number) => string> = {
  'nested divs': (n) => `${'<div>'.repeat(n)}x${'</div>'.repeat(n)}`,
  'nested blockquotes': (n) => `${'<blockquote>'.repeat(n)}x${'</blockquote>'.repeat(n)}`,
  'end tags nothing opened, under a deep stack': (n) => `${'<div>'.repeat(600)}${'</span>'.repeat(n)}`,
  'unclosed inline tags': (n) => '<b><i>x'.repeat(n),
  'many attributes': (n) => `<p ${'a=b '.repeat(n)}>x</p>`,
  'many class attributes': (n) => `<div ${'class="a gmail_quote" '.repeat(n)}>x</div>`,
  'an unclosed quoted attribute': (n) => `<a title="${'x<div>'.repeat(n)}`,
  'a class value of quotes': (n) => `<div class="${"class='".repeat(n)}">x</div>`,
  'bare less-than signs': (n) => '< '.repeat(n * 3),
  'an unclosed comment': (n) => `<!--${'<div>'.repeat(n)}`,
  'an unclosed script': (n) => `<script>${'<div>'.repeat(n)}`,
  entities: (n) => '&amp;&#x41;&#65&bogus;&'.repeat(n),
  'javascript links': (n) => `<a href="javascript:${'x'.repeat(n * 5)}">x</a>`.repeat(3),
  'many short elements': (n) => '<p><a href="https://example.com/x">a</a></p>'.repeat(n),
};

describe('inbound work is linear in the input', () => {
  it.each(Object.entries(HTML_SHAPES))(
    'sanitising HTML: %s',
    (name, shape) => {
      const once = work(() => sanitizeInboundHtml(shape(N)));
      const big = shape(10 * N);
      const tenTimes = work(() => sanitizeInboundHtml(big));
      expectLinear(name, once, tenTimes, big.length);
    },
    30_000,
  );

  it.each(Object.entries(HTML_SHAPES))(
    'reading HTML as text: %s',
    (name, shape) => {
      const once = work(() => htmlToText(shape(N)));
      const big = shape(10 * N);
      const tenTimes = work(() => htmlToText(big));
      expectLinear(name, once, tenTimes, big.length);
    },
    30_000,
  );

  const TEXT_SHAPES: Record<string, (n: number) => string> = {
    'quoted lines': (n) => `Reply\n${'> quoted line\n'.repeat(n)}`,
    attributions: (n) => 'On Mon, 2 Mar 2026 at 10:00, X <x@y.org> wrote:\n'.repeat(n),
    'wrapped attribution starts': (n) => 'On Mon, 2 Mar 2026 at 10:00, Support Team <\n'.repeat(n),
    'header fields': (n) => 'From: a\nSent: b\nTo: c\n'.repeat(n),
    'mobile signatures': (n) => 'hi\nSent from my iPhone\n'.repeat(n),
    rules: (n) => 'text\n-----\n'.repeat(n),
    'one long line': (n) => 'On '.repeat(n * 10),
  };

  it.each(Object.entries(TEXT_SHAPES))(
    'extracting the reply: %s',
    (name, shape) => {
      const once = work(() => extractReply(shape(N)));
      const big = shape(10 * N);
      const tenTimes = work(() => extractReply(big));
      // A line that long is never handed to a pattern at all.
      if (name === 'one long line') expect(tenTimes).toBeLessThan(100);
      else expectLinear(name, once, tenTimes, big.length);
    },
    30_000,
  );

  it('the whole reading of a mail (parse, classify, html → text, reply), also past the caps', async () => {
    const mail = (html: string) =>
      new TextEncoder().encode(
        [
          'From: ann@example.org',
          'To: support@example.com',
          'Subject: x',
          'Message-ID: <1@example.org>',
          'Content-Type: text/html; charset=utf-8',
          '',
          html,
          '',
        ].join('\r\n'),
      );
    for (const [name, shape] of Object.entries(HTML_SHAPES)) {
      const once = await workAsync(() => readInbound(mail(shape(N))));
      const big = mail(shape(10 * N));
      const tenTimes = await workAsync(() => readInbound(big));
      expectLinear(`readInbound, ${name}`, once, tenTimes, big.length);
    }
  }, 60_000);
});
