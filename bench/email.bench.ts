/**
 * Email benchmarks.
 * 1. The inbound pipeline — parse, classify, extract the reply, resolve the thread — over 10,000
 *    messages built from the public corpora, with @tessera/email (postal-mime) and with the same
 *    pipeline on mailparser's simpleParser (its output adapted to ParsedEmail).
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

async function pipeline(parse: (raw: Uint8Array) => Promise<ParsedEmail>) {
  const stage = { parse: 0, classify: 0, extract: 0, resolve: 0 };
  const t0 = performance.now();
  let appended = 0;
  for (const raw of raws) {
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

// Alternate the two, three rounds each after a warm-up, and keep each one's best round: the
// machine is shared, and the best round is the one least disturbed by other work.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
type Run = Awaited<ReturnType<typeof pipeline>>;
const best = (a: Run | undefined, b: Run) => (a && a.ms <= b.ms ? a : b);
await pipeline(parseEmail);
await pipeline(viaMailparser);
let ours: Run | undefined;
let theirs: Run | undefined;
for (let round = 0; round < ROUNDS; round++) {
  globalThis.gc?.();
  ours = best(ours, await pipeline(parseEmail));
  globalThis.gc?.();
  theirs = best(theirs, await pipeline(viaMailparser));
}

console.log(`\n1. inbound pipeline, ${fmt(MESSAGES)} messages (${(totalBytes / 1e6).toFixed(1)} MB)`);
for (const [name, r] of [
  ['@tessera/email (postal-mime)', ours!],
  ['same pipeline on mailparser', theirs!],
] as const) {
  const s = r.stage;
  console.log(
    `  ${name.padEnd(30)} ${fmt((MESSAGES / r.ms) * 1000).padStart(7)} messages/s   parse ${fmt(s.parse)} ms, classify ${fmt(s.classify)} ms, extract ${fmt(s.extract)} ms, resolve ${fmt(s.resolve)} ms; ${fmt(r.appended)} appended`,
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

function speed(fn: Extractor): number {
  for (let i = 0; i < 500; i++) fn(texts[i % texts.length]!);
  let bestRate = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    for (let i = 0; i < MESSAGES; i++) fn(texts[i % texts.length]!);
    bestRate = Math.max(bestRate, (MESSAGES / (performance.now() - t)) * 1000);
  }
  return bestRate;
}
console.log(`\n2. reply extraction, ${fmt(MESSAGES)} texts from the reply-trimming corpora`);
for (const [name, fn] of [
  ['@tessera/email extractReply', ourExtract],
  ['email-reply-parser 2.3.9', erp],
] as const) {
  globalThis.gc?.();
  const rate = speed(fn);
  const d = runDiscourseTrimmer(root, fn);
  const c = runCrisp(root, fn);
  console.log(
    `  ${name.padEnd(30)} ${fmt(rate).padStart(7)} texts/s   discourse ${d.passed}/${d.total}, crisp ${c.passed}/${c.total}, together ${d.passed + c.passed}/${d.total + c.total}`,
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
