/**
 * Email benchmarks.
 * 1. The inbound pipeline — parse, classify, extract the reply, resolve the thread — over 10,000
 *    messages built from the public corpora, with @tessera/email (postal-mime) and with the same
 *    pipeline on mailparser's simpleParser (its output adapted to ParsedEmail); beside them bare
 *    postal-mime and parseEmail alone on the same mail, the yardstick of both; then parseEmail and
 *    bare postal-mime on each kind of mail apart (multipart corpora mail, single-part replies).
 * 2. extractReply against the `email-reply-parser` npm package on the same reply-trimming texts:
 *    speed, and accuracy on the corpora's expectations (the same checks docs/conformance.md uses).
 * 3. extractReply on 1 MB pathological inputs (the linear-time claim, timed here, not in tests).
 * Run: pnpm build && node --expose-gc --import tsx bench/email.bench.ts  (reads corpora/)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  classifyEmail,
  extractReply,
  type ParsedEmail,
  parseEmail,
  replyAddress,
  resolveThread,
  type ThreadLookup,
  type ThreadTicket,
} from '@tessera/email';
import EmailReplyParser from 'email-reply-parser';
import { type AddressObject, simpleParser } from 'mailparser';
// postal-mime is @tessera/email's dependency, not the bench's: import it from there.
import PostalMime from '../packages/email/node_modules/postal-mime/dist/esm/postal-mime.js';
import { corporaDir, type Extractor, runCrisp, runDiscourseTrimmer } from '../packages/email/test/corpora.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const root = corporaDir(join(dirname(fileURLToPath(import.meta.url)), '..'));
const secret = 'bench-secret-0123456789abcdef';

// ---------------------------------------------------------------- inputs

const texts: string[] = [];
for (const dir of ['reply-trimming/email_reply_trimmer/emails', 'reply-trimming/crisp/fixtures']) {
  for (const f of readdirSync(join(root, dir)).sort())
    if (f.endsWith('.txt')) texts.push(readFileSync(join(root, dir, f), 'utf8'));
}
const emls: Uint8Array[] = [];
for (const dir of ['inbound/discourse', 'mime/postal-mime']) {
  for (const f of readdirSync(join(root, dir)).sort())
    if (f.endsWith('.eml')) emls.push(readFileSync(join(root, dir, f)));
}
// Replies to tickets: some by signed token, some by our Message-ID, some by [#N], some new.
const tickets: ThreadTicket[] = Array.from({ length: 100 }, (_, i) => ({
  id: `T-${i}`,
  number: i + 1,
  category: i % 10 === 0 ? 'closed' : 'open',
  requester: { email: `customer${i}@example.org` },
}));
const index = new Map(tickets.map((t) => [`<tessera.${t.id}.M-1@help.example.com>`, t.id]));
const lookup: ThreadLookup = {
  messages: { get: async (id) => index.get(id) },
  ticket: async (id) => tickets.find((t) => t.id === id),
  ticketByNumber: async (n) => tickets[n - 1],
};
function synthetic(i: number): Uint8Array {
  const t = tickets[i % tickets.length]!;
  const body = texts[i % texts.length]!;
  const to = i % 3 === 0 ? replyAddress('help@help.example.com', t.id, secret) : 'help@help.example.com';
  const lines = [
    `From: Customer <customer${i % tickets.length}@example.org>`,
    `To: ${to}`,
    `Subject: Re: [#${t.number}] Printer`,
    `Message-ID: <m${i}@example.org>`,
    i % 3 === 1 ? `In-Reply-To: <tessera.${t.id}.M-1@help.example.com>` : '',
    'Date: Mon, 2 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ].filter(Boolean);
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`);
}
const raws: Uint8Array[] = Array.from({ length: MESSAGES }, (_, i) =>
  i % 4 === 0 ? emls[(i / 4) % emls.length]! : synthetic(i),
);
const totalBytes = raws.reduce((n, r) => n + r.byteLength, 0);

// ---------------------------------------------------------------- mailparser adapter

const mailboxes = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) =>
    o.value.map((v) => ({ address: v.address ?? '', name: v.name })),
  );
async function viaMailparser(raw: Uint8Array): Promise<ParsedEmail> {
  const m = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
    skipHtmlToText: true,
  });
  const headers: Record<string, string[]> = {};
  for (const h of m.headerLines) {
    const value = h.line.slice(h.line.indexOf(':') + 1).trim();
    const list = headers[h.key];
    if (list) list.push(value);
    else headers[h.key] = [value];
  }
  const from = mailboxes(m.from)[0];
  const refs = typeof m.references === 'string' ? [m.references] : (m.references ?? []);
  const mail: ParsedEmail = {
    references: refs,
    to: mailboxes(m.to),
    cc: mailboxes(m.cc),
    replyTo: mailboxes(m.replyTo),
    subject: m.subject ?? '',
    headers,
    attachments: m.attachments.map((a) => ({
      contentType: a.contentType,
      content: new Uint8Array(a.content),
      size: a.size,
      inline: a.related === true,
    })),
    size: raw.byteLength,
  };
  if (from) mail.from = from;
  if (m.messageId) mail.messageId = m.messageId;
  if (m.inReplyTo) mail.inReplyTo = m.inReplyTo;
  if (m.text) mail.text = m.text;
  if (typeof m.html === 'string') mail.html = m.html;
  return mail;
}

// ---------------------------------------------------------------- 1. pipeline

type Stage = { parse: number; classify: number; extract: number; resolve: number };
type Run = { ms: number; stage?: Stage; appended?: number };

async function pipeline(parse: (raw: Uint8Array) => Promise<ParsedEmail>, batch: Uint8Array[]): Promise<Run> {
  const stage = { parse: 0, classify: 0, extract: 0, resolve: 0 };
  const t0 = performance.now();
  let appended = 0;
  for (const raw of batch) {
    let t = performance.now();
    const mail = await parse(raw);
    stage.parse += performance.now() - t;
    t = performance.now();
    classifyEmail(mail);
    stage.classify += performance.now() - t;
    t = performance.now();
    extractReply(mail);
    stage.extract += performance.now() - t;
    t = performance.now();
    const r = await resolveThread(mail, lookup, { secret, address: 'help@help.example.com' });
    stage.resolve += performance.now() - t;
    if (r.action === 'append') appended++;
  }
  return { ms: performance.now() - t0, stage, appended };
}

const parseOnly =
  (parse: (raw: Uint8Array) => Promise<unknown>) =>
  async (batch: Uint8Array[]): Promise<Run> => {
    const t0 = performance.now();
    for (const raw of batch) await parse(raw);
    return { ms: performance.now() - t0 };
  };
const contenders: [string, (batch: Uint8Array[]) => Promise<Run>][] = [
  ['postal-mime 4, bare (parse only)', parseOnly((raw) => PostalMime.parse(raw))],
  ['parseEmail (parse only)', parseOnly((raw) => parseEmail(raw))],
  ['@tessera/email pipeline (postal-mime)', (batch) => pipeline(parseEmail, batch)],
  ['same pipeline on mailparser', (batch) => pipeline(viaMailparser, batch)],
];

// Interleaved rounds: the messages go in batches of BATCH; each batch is timed ROUNDS times for
// every contender, in an order that rotates, and each contender keeps its best time per batch
// (a contender's figure is the sum of its best batches). The machine is shared and its load moves
// within seconds: timing whole 10,000-message runs one after another let a burst of load fall on
// one contender only and reversed a ratio; batches of a fraction of a second, with every
// contender timed within moments of the others, cannot.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 200);
/**
 * Times every contender on one batch in ROUNDS rounds, each round in an order rotated by one (from
 * `turn`), and keeps each one's best run.
 */
async function bestOfRounds(
  list: readonly (readonly [string, (batch: Uint8Array[]) => Promise<Run>])[],
  batch: Uint8Array[],
  turn: number,
): Promise<Map<string, Run>> {
  const best = new Map<string, Run>();
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < list.length; k++) {
      const [name, run] = list[(k + turn + round) % list.length]!;
      const r = await run(batch);
      const was = best.get(name);
      if (!was || r.ms < was.ms) best.set(name, r);
    }
  }
  return best;
}

const totals = new Map<string, Run>(contenders.map(([name]) => [name, { ms: 0 }]));
for (const [, run] of contenders) await run(raws.slice(0, 500)); // warm-up
for (let from = 0, turn = 0; from < raws.length; from += BATCH, turn += ROUNDS) {
  const bestOf = await bestOfRounds(contenders, raws.slice(from, from + BATCH), turn);
  for (const [name, r] of bestOf) {
    const sum = totals.get(name)!;
    sum.ms += r.ms;
    if (r.stage) {
      sum.stage ??= { parse: 0, classify: 0, extract: 0, resolve: 0 };
      const st = sum.stage;
      st.parse += r.stage.parse;
      st.classify += r.stage.classify;
      st.extract += r.stage.extract;
      st.resolve += r.stage.resolve;
      sum.appended = (sum.appended ?? 0) + (r.appended ?? 0);
    }
  }
  if (from % 2000 === 0) globalThis.gc?.();
}

const bare = totals.get(contenders[0]![0])!.ms;
console.log(
  `\n1. inbound pipeline, ${fmt(MESSAGES)} messages (${(totalBytes / 1e6).toFixed(1)} MB), best of ${ROUNDS} interleaved rounds per batch of ${BATCH}`,
);
for (const [name] of contenders) {
  const r = totals.get(name)!;
  const st = r.stage;
  console.log(
    `  ${name.padEnd(38)} ${fmt((MESSAGES / r.ms) * 1000).padStart(7)} messages/s  ${((bare / r.ms) * 100).toFixed(1).padStart(5)}% of bare postal-mime${st ? `   parse ${fmt(st.parse)} ms, classify ${fmt(st.classify)} ms, extract ${fmt(st.extract)} ms, resolve ${fmt(st.resolve)} ms; ${fmt(r.appended ?? 0)} appended` : ''}`,
  );
}

// ---------------------------------------------------------------- 1b. parsing by kind of mail

// parseEmail hands postal-mime a plain single-part message with its body joined into one line
// (packages/email/src/single-part.ts); other mail goes as it came. So the parse is compared with
// bare postal-mime on each kind apart: the corpora's mail (mostly multipart) and the synthetic
// single-part replies, in the same interleaved rounds.
const KIND_MESSAGES = Math.min(2_000, MESSAGES);
const kinds: [string, Uint8Array[]][] = [
  ['corpora mail (.eml)', Array.from({ length: KIND_MESSAGES }, (_, i) => emls[i % emls.length]!)],
  ['single-part replies', raws.filter((_, i) => i % 4 !== 0).slice(0, KIND_MESSAGES)],
];
console.log(`\n1b. parse only, by kind of mail, ${fmt(KIND_MESSAGES)} messages each, same rounds`);
for (const [kind, list] of kinds) {
  const pair: [string, (batch: Uint8Array[]) => Promise<Run>][] = [contenders[0]!, contenders[1]!];
  const sums = new Map(pair.map(([name]) => [name, 0]));
  for (let from = 0, turn = 0; from < list.length; from += BATCH, turn += ROUNDS) {
    const best = await bestOfRounds(pair, list.slice(from, from + BATCH), turn);
    for (const [name, r] of best) sums.set(name, sums.get(name)! + r.ms);
  }
  const [bareMs, oursMs] = pair.map(([name]) => sums.get(name)!) as [number, number];
  console.log(
    `  ${kind.padEnd(22)} bare postal-mime ${fmt((list.length / bareMs) * 1000).padStart(6)} messages/s, parseEmail ${fmt((list.length / oursMs) * 1000).padStart(6)} messages/s: ${((bareMs / oursMs) * 100).toFixed(1)}% of bare`,
  );
}

// ---------------------------------------------------------------- 2. extractReply vs email-reply-parser

const erp: Extractor = (text) => {
  const email = new EmailReplyParser().read(text);
  const signature = email
    .getFragments()
    .filter((f) => f.isSignature())
    .map((f) => f.getContent())
    .join('\n');
  return {
    visible: email.getVisibleText().trim(),
    quoted: email.getQuotedText().trim(),
    signature: signature || undefined,
  };
};
const ourExtract: Extractor = (text) => extractReply(text);

const extractors: [string, Extractor][] = [
  ['@tessera/email extractReply', ourExtract],
  ['email-reply-parser 2.3.9', erp],
];
/** One round of one extractor over MESSAGES texts, in texts per second. */
function rate(fn: Extractor): number {
  const t = performance.now();
  for (let i = 0; i < MESSAGES; i++) fn(texts[i % texts.length]!);
  return (MESSAGES / (performance.now() - t)) * 1000;
}
// Interleaved like the pipeline: each round times both, in rotating order; each keeps its best.
const rates = new Map<string, number>();
for (const [, fn] of extractors) for (let i = 0; i < 500; i++) fn(texts[i % texts.length]!);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < extractors.length; k++) {
    const [name, fn] = extractors[(k + round) % extractors.length]!;
    globalThis.gc?.();
    rates.set(name, Math.max(rates.get(name) ?? 0, rate(fn)));
  }
}
console.log(`\n2. reply extraction, ${fmt(MESSAGES)} texts from the reply-trimming corpora`);
for (const [name, fn] of extractors) {
  const d = runDiscourseTrimmer(root, fn);
  const c = runCrisp(root, fn);
  console.log(
    `  ${name.padEnd(30)} ${fmt(rates.get(name)!).padStart(7)} texts/s   discourse ${d.passed}/${d.total}, crisp ${c.passed}/${c.total}, together ${d.passed + c.passed}/${d.total + c.total}`,
  );
}

// ---------------------------------------------------------------- 3. pathological inputs

console.log('\n3. extractReply on ~1 MB pathological inputs');
const patho: Record<string, string> = {
  'wrapped attribution starts': 'On Mon, 1 Jan 2026 at 10:00 someone <\n'.repeat(28_000),
  'one 1 MB line': 'On '.repeat(350_000),
  'deep > quotes': `${'>'.repeat(100)} On 1 wrote\n`.repeat(9_000),
  'address-like runs': `1 <${'a@'.repeat(70)}:\n`.repeat(7_000),
  'Outlook header fields': 'From: x\nSent: 1\nTo: y\n\n'.repeat(40_000),
  'mobile signatures': 'hi\nSent from my iPhone\n'.repeat(45_000),
};
for (const [name, text] of Object.entries(patho)) {
  const t = performance.now();
  extractReply(text);
  console.log(`  ${name.padEnd(28)} ${(text.length / 1e6).toFixed(2)} MB   ${fmt(performance.now() - t)} ms`);
}
const html = `${'<div class="gmail_quote">'.repeat(20_000)}x${'<blockquote>'.repeat(20_000)}`;
const th = performance.now();
extractReply({ html });
console.log(
  `  ${'nested HTML quotes'.padEnd(28)} ${(html.length / 1e6).toFixed(2)} MB   ${fmt(performance.now() - th)} ms`,
);
