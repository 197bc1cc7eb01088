/**
 * Runs @tessera/email against the public corpora in `corpora/` at the repository root
 * (each corpus with its LICENSE and MANIFEST). Used by `pnpm conformance` (scripts/conformance.ts, which writes
 * docs/conformance.md) and by src/conformance.test.ts, which asserts the goals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyEmail, extractReply, isTesseraErrorLike, parseEmail, threadMessages } from './api';

export interface Failure {
  case: string;
  detail: string;
}
export interface CorpusResult {
  corpus: string;
  goal: string;
  total: number;
  passed: number;
  failures: Failure[];
}

export function corporaDir(repoRoot: string): string {
  return join(repoRoot, 'corpora');
}

const files = (dir: string, ext: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();

// ---------------------------------------------------------------- threading

interface ThreadFixture {
  name: string;
  options?: { subject_merge?: boolean; prune_phantoms?: boolean; subject_prefixes?: string[] };
  input: {
    id: string;
    message_id: string | null;
    in_reply_to: string | null;
    references: string[];
    subject: string;
    date: string;
  }[];
  expected: { threads: { root: string; messages: string[] }[] };
}

export function runThreading(root: string): CorpusResult {
  const dir = join(root, 'threading', 'mxr-conformance', 'conformance');
  const result: CorpusResult = {
    corpus: 'threading/mxr-conformance',
    goal: 'every fixture passes',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const f of files(dir, '.json')) {
    const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ThreadFixture;
    result.total++;
    const opts = fx.options ?? {};
    const got = threadMessages(
      fx.input.map((m) => ({
        id: m.id,
        messageId: m.message_id,
        inReplyTo: m.in_reply_to,
        references: m.references,
        subject: m.subject,
        date: m.date,
      })),
      {
        ...(opts.subject_merge === undefined ? {} : { subjectMerge: opts.subject_merge }),
        ...(opts.prune_phantoms === undefined ? {} : { prunePhantoms: opts.prune_phantoms }),
        ...(opts.subject_prefixes ? { subjectPrefixes: opts.subject_prefixes } : {}),
      },
    );
    const a = JSON.stringify(got);
    const b = JSON.stringify(fx.expected.threads);
    if (a === b) result.passed++;
    else result.failures.push({ case: fx.name, detail: `expected ${b}, got ${a}` });
  }
  return result;
}

// ---------------------------------------------------------------- reply trimming (discourse)

/** A reply extractor to score: ours by default; the benchmark passes email-reply-parser. */
export type Extractor = (text: string) => { visible: string; quoted: string; signature?: string | undefined };

export function runDiscourseTrimmer(root: string, extract: Extractor = extractReply): CorpusResult {
  const base = join(root, 'reply-trimming', 'email_reply_trimmer');
  const result: CorpusResult = {
    corpus: 'reply-trimming/email_reply_trimmer (visible text)',
    goal: '≥ 95% of expectations',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const f of files(join(base, 'emails'), '.txt')) {
    const input = readFileSync(join(base, 'emails', f), 'utf8');
    const expected = readFileSync(join(base, 'trimmed', f), 'utf8').trim();
    const got = extract(input).visible.trim();
    result.total++;
    if (got === expected) result.passed++;
    else
      result.failures.push({
        case: f.replace(/\.txt$/, ''),
        detail: `expected ${JSON.stringify(expected.slice(0, 160))}, got ${JSON.stringify(got.slice(0, 160))}`,
      });
  }
  return result;
}

// ---------------------------------------------------------------- reply trimming (crisp)

const P = [
  'Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet metus.',
  'Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero eget ante.',
  'Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.',
  'Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,',
  'et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh.',
].join('\n');

const SECTION_1 = [
  'email_7',
  'email_8',
  'email_9',
  'email_10',
  'email_11',
  'email_12',
  'email_13',
  'email_14',
  'email_15',
  'email_16',
  'email_17',
  'email_18',
  'email_22',
  'email_23',
  'email_24',
  'email_25',
  'email_26',
  'email_portuguese',
  'email_german',
  'email_german_2',
  'email_german_3',
  'email_german_outlook',
  'email_norwegian_gmail',
  'email_finnish',
  'email_italian',
  'email_russian',
  'email_tricky_12_no_space_after_header',
  'email_outlook_split_line_from',
  'email_gmail_split_line_from',
  'email_msn',
  'email_fr_multiline',
  'email_en_multiline_2',
  'email_original_message',
  'email_original_message_2',
  'email_danish_dash_separator',
  'email_french_dash_separator',
  'email_tricky_15_original_message_variations',
  'email_ios_outlook',
  'email_ios_outlook_fr',
  'email_tricky_10_special_chars_in_name',
  'email_tricky_14_long_quote_header',
  'email_tricky_5_mixed_languages',
  'email_french_2',
];

type Reply = ReturnType<Extractor>;
const lineStarting = (text: string, prefix: string) =>
  text.split('\n').some((l) => l.trim().startsWith(prefix));
const noSignature = (r: Reply) => r.signature === undefined;

/**
 * Upstream checks fragments; ours is visible/quoted/signature. Each check below restates the
 * upstream expectation in those terms (EXPECTED.md): "first fragment equals P" → visible is P;
 * "exactly one fragment, nothing quoted" → nothing quoted and no signature; and so on.
 */
const CRISP_CHECKS: Record<string, (r: Reply) => boolean> = {
  email_1: (r) =>
    r.visible ===
    'Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\nrunning a test?\nI am currently using the Java HTTP API.\n\n-Abhishek Kona',
  email_3: (r) => r.visible === 'Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona',
  email_sent_from: (r) =>
    r.visible ===
    'Hi it can happen to any texts you type, as long as you type in between words or paragraphs.',
  email_emoji: (r) => r.visible === '🎉\n\n—\nJohn Doe\nCEO at Pandaland\n\n@pandaland',
  email_zoho: (r) =>
    r.visible === 'What is the best way to clear a Riak bucket of all key, values after\nrunning a test?',
  email_with_regards: (r) => r.visible === 'Hi,\n\nI still have the same problem....\n\nCan you help?',
  email_2: (r) =>
    r.visible === 'Hi,' && r.quoted.includes('Hi folks') && r.quoted.includes('riak-users mailing list'),
  email_4: (r) => r.visible.startsWith('Awesome') && r.quoted.startsWith('On') && r.quoted.includes('Loader'),
  email_5: (r) => r.quoted === '' && noSignature(r),
  email_6: (r) => r.visible.startsWith('I get') && r.quoted.startsWith('On') && r.quoted.includes('Was this'),
  email_one_is_not_on: (r) =>
    r.visible.includes('One outstanding question') && r.quoted.startsWith('On Oct 1, 2012'),
  email_reply_header: (r) =>
    lineStarting(r.visible, 'On the other hand') && lineStarting(r.quoted, 'On Wed, Dec 9'),
  correct_sig: (r) =>
    r.quoted === '' && (r.signature ?? '').startsWith('--\nrick') && !r.visible.includes('rick'),
  sig_no_empty_line: (r) => r.quoted === '' && (r.signature ?? '').startsWith('--\nrick'),
  email_not_a_signature: (r) => r.quoted === '' && noSignature(r),
  email_not_a_signature_2: (r) => r.quoted === '' && noSignature(r),
  email_tricky_1_on_false_positive: (r) => r.quoted === '' && noSignature(r),
  email_tricky_2_url_with_wrote: (r) =>
    r.visible.includes('Check out this article') && r.visible.includes('https://example.com'),
  email_tricky_3_code_block: (r) => r.visible.includes('function sendEmail'),
  email_tricky_4_from_in_body: (r) => r.visible.length > 0,
  email_tricky_6_regards_in_sentence: (r) => r.visible.includes('with regards to the payment'),
  email_tricky_7_multiple_dashes: (r) => r.visible.includes('Key Points'),
  email_tricky_8_sent_from_in_content: (r) => r.visible.includes('sent from my iPhone app'),
  email_tricky_9_nested_quotes: (r) => r.visible.includes('I agree with the points') && r.quoted !== '',
  email_tricky_11_double_signature: (r) =>
    r.visible.includes('Thanks for your help') && r.signature !== undefined,
  email_tricky_13_timestamp_variations: (r) =>
    r.visible.includes('different timestamp formats') && r.quoted === '' && noSignature(r),
  email_tricky_16_unicode_signatures: (r) => r.visible.includes('Thanks for the update'),
  email_tricky_17_forward_header: (r) => r.visible.includes('See the forwarded message'),
  email_tricky_18_inline_reply: (r) => r.visible.length > 0,
  email_tricky_19_quote_without_header: (r) => r.visible.includes('I wanted to respond'),
  email_tricky_20_html_entities: (r) => r.visible.includes('&gt; 100 and &lt; 200'),
};
for (const name of SECTION_1) CRISP_CHECKS[name] = (r) => r.visible === P;

export function runCrisp(root: string, extract: Extractor = extractReply): CorpusResult {
  const dir = join(root, 'reply-trimming', 'crisp', 'fixtures');
  const result: CorpusResult = {
    corpus: 'reply-trimming/crisp (EXPECTED.md checks)',
    goal: '≥ 95% of expectations',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const [name, check] of Object.entries(CRISP_CHECKS).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = extract(readFileSync(join(dir, `${name}.txt`), 'utf8'));
    result.total++;
    if (check(r)) result.passed++;
    else
      result.failures.push({
        case: name,
        detail: `visible ${JSON.stringify(r.visible.slice(0, 160))}; quoted ${JSON.stringify(r.quoted.slice(0, 60))}; signature ${JSON.stringify(r.signature?.slice(0, 40))}`,
      });
  }
  // The two inline strings upstream checks besides the fixtures.
  const inline = extract(
    'Hi there,\n\nI appreciate your help with this issue.\n\nBest regards,\nJohn\n\nOn Dec 16, 2024, at 12:47 PM, Support <support@example.com> wrote:\n\n> How can we help you today?\n>\n> Support Team',
  );
  result.total++;
  if (
    inline.visible.includes('Hi there') &&
    inline.visible.includes('I appreciate your help') &&
    !inline.visible.includes('How can we help you today') &&
    inline.quoted.includes('How can we help you today') &&
    inline.quoted.includes('Support Team')
  )
    result.passed++;
  else result.failures.push({ case: 'inline reply/replied', detail: JSON.stringify(inline) });
  return result;
}

// ---------------------------------------------------------------- MIME robustness

async function parseTyped(
  bytes: Uint8Array,
): Promise<{ mail?: Awaited<ReturnType<typeof parseEmail>>; error?: string }> {
  try {
    return { mail: await parseEmail(bytes) };
  } catch (e) {
    if (isTesseraErrorLike(e, 'validation')) return { error: (e as Error).message };
    throw e;
  }
}

const emlFiles = (root: string) =>
  [join(root, 'inbound', 'discourse'), join(root, 'mime', 'postal-mime')].flatMap((dir) =>
    files(dir, '.eml').map((f) => join(dir, f)),
  );

export async function runMime(root: string): Promise<CorpusResult> {
  const result: CorpusResult = {
    corpus: 'MIME: every .eml (postal-mime + discourse) parses or fails with ValidationError',
    goal: 'every file',
    total: 0,
    passed: 0,
    failures: [],
  };
  const checks: Record<string, (m: Awaited<ReturnType<typeof parseEmail>>) => string | undefined> = {
    'mixed.eml': (m) =>
      m.text ===
        '\nThis e-mail message has been scanned for Viruses and Content and cleared\n\n\nGood Morning;\n\n\n' &&
      m.html ===
        '<HTML><HEAD>\n</HEAD><BODY> \n\n<HR>\nThis e-mail message has been scanned for Viruses and Content and cleared\n<HR>\n</BODY></HTML>\n\n\n<div>Good Morning;</div>'
        ? undefined
        : `text/html differ from upstream: ${JSON.stringify(m.text)}`,
    'mimetorture.eml': (m) =>
      m.attachments.length >= 9 ? undefined : `${m.attachments.length} attachments, expected 9`,
    'bounce.eml': (m) =>
      m.attachments.length === 2 ? undefined : `${m.attachments.length} attachments, expected 2`,
  };
  for (const path of emlFiles(root)) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    result.total++;
    try {
      const { mail, error } = await parseTyped(readFileSync(path));
      const problem = mail ? checks[name]?.(mail) : undefined;
      if (problem) result.failures.push({ case: name, detail: problem });
      else {
        result.passed++;
        if (error) result.failures.push({ case: name, detail: `(typed failure, counted as pass) ${error}` });
      }
    } catch (e) {
      result.failures.push({ case: name, detail: `untyped error: ${String(e)}` });
    }
  }
  result.failures = result.failures.filter((f) => !f.detail.startsWith('(typed failure'));
  return result;
}

// ---------------------------------------------------------------- classification (auto-reply, bounce, list)

interface Expect {
  kind: string;
  bounce?: { recipient?: string; status?: string; permanent?: boolean; verp?: string };
}
const CLASSIFY: Record<string, Expect> = {
  'auto_reply.eml': { kind: 'auto-reply' },
  'auto_generated_header.eml': { kind: 'auto-reply' },
  'auto_generated_subject.eml': { kind: 'auto-reply' },
  'auto_generated_allowlisted.eml': { kind: 'auto-reply' },
  'auto_generated_unblocked.eml': { kind: 'auto-reply' },
  'email_to_group_email_username_auto_generated.eml': { kind: 'auto-reply' },
  // Discourse rejects it as auto-generated; for us `Precedence: list` is bulk — also never answered.
  'auto_generated_precedence.eml': { kind: 'bulk' },
  'quirks_exchange_xars.eml': { kind: 'human' },
  'bounced_email.eml': {
    kind: 'bounce',
    bounce: { recipient: 'linux-admin@b-s-c.co.jp', status: '5.1.1', permanent: true },
  },
  'bounced_email_2.eml': { kind: 'bounce', bounce: { permanent: true } },
  'bounced_email_multiple_status_codes.eml': { kind: 'bounce', bounce: { status: '5.1.1', permanent: true } },
  'hard_bounce_via_verp.eml': {
    kind: 'bounce',
    bounce: { status: '5.1.1', permanent: true, verp: '14b08c855160d67f2e0c2f8ef36e251e' },
  },
  'hard_bounce_via_verp_2.eml': {
    kind: 'bounce',
    bounce: { status: '5.1.1', permanent: true, verp: 'b542fb5a9bacda6d28cc061d18e4eb83' },
  },
  'verp_bounce_different_final_recipient.eml': {
    kind: 'bounce',
    bounce: {
      recipient: 'catchall@b-s-c.co.jp',
      status: '4.1.1',
      permanent: false,
      verp: '14b08c855160d67f2e0c2f8ef36e251e',
    },
  },
  'bounce.eml': {
    kind: 'bounce',
    bounce: { recipient: 'htfgvhyufthdgcvhgjyfthgc@ethereal.email', status: '5.0.0', permanent: true },
  },
  'arf.eml': { kind: 'auto-reply' },
  'mailinglist.eml': { kind: 'bulk' },
  'mailinglist_dmarc_fail.eml': { kind: 'bulk' },
  'mailinglist_short_message.eml': { kind: 'bulk' },
  'mailinglist_unsubscribe.eml': { kind: 'human' },
  'mailman_1.eml': { kind: 'bulk' },
  'mailman_2.eml': { kind: 'bulk' },
  'mailman_3.eml': { kind: 'bulk' },
  'mailman_4.eml': { kind: 'bulk' },
};
const HUMAN = [
  'android_gmail.eml',
  'big5.eml',
  'chinese_reply.eml',
  'exchange_html_body.eml',
  'exchange_html_body_and_reply.eml',
  'exchange_html_reply.eml',
  'gmail_html_reply.eml',
  'gmail_web.eml',
  'hebrew.eml',
  'hebrew_reply.eml',
  'html_reply.eml',
  'ios_default.eml',
  'outlook.eml',
  'mimetorture.eml',
  'mixed.eml',
];
for (const h of HUMAN) CLASSIFY[h] = { kind: 'human' };

export async function runClassification(root: string): Promise<CorpusResult> {
  const result: CorpusResult = {
    corpus: 'inbound classification (auto-replies, bounces, lists, human mail)',
    goal: 'every auto-reply and bounce right',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const path of emlFiles(root)) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const want = CLASSIFY[name];
    if (!want) continue;
    result.total++;
    const { mail } = await parseTyped(readFileSync(path));
    if (!mail) {
      result.failures.push({ case: name, detail: 'did not parse' });
      continue;
    }
    const got = classifyEmail(mail);
    const problems: string[] = [];
    if (got.kind !== want.kind)
      problems.push(`kind ${got.kind}, expected ${want.kind} (${got.reasons.join('; ')})`);
    for (const [k, v] of Object.entries(want.bounce ?? {})) {
      const actual = (got.bounce as Record<string, unknown> | undefined)?.[k];
      if (actual !== v) problems.push(`bounce.${k} ${JSON.stringify(actual)}, expected ${JSON.stringify(v)}`);
    }
    if (problems.length) result.failures.push({ case: name, detail: problems.join('; ') });
    else result.passed++;
  }
  return result;
}

// ---------------------------------------------------------------- HTML and non-English replies from real clients

const REPLIES: Record<string, (visible: string) => boolean> = {
  'html_reply.eml': (v) => v === 'This is a HTML reply ;)',
  'gmail_html_reply.eml': (v) => v === 'This is a GMAIL reply ;)',
  'hebrew_reply.eml': (v) => v === 'שלום! מה שלומך היום?',
  'chinese_reply.eml': (v) => v === '您好！ 你今天好吗？',
  'exchange_html_body_and_reply.eml': (v) => v === 'This is the body of the email.',
  'gmail_web.eml': (v) => v.startsWith('### This is a reply from standard GMail') && !v.includes('wrote:'),
  'android_gmail.eml': (v) =>
    v.startsWith('### this is a reply from Android 5 gmail') && !v.includes('wrote:'),
  'ios_default.eml': (v) =>
    v.startsWith('### this is a reply from iOS default mail') && !v.includes('wrote:'),
  'big5.eml': (v) => v === '媽！我上電視了！',
};

export async function runClientReplies(root: string): Promise<CorpusResult> {
  const result: CorpusResult = {
    corpus: 'reply extraction on real client mail (discourse HTML / non-English)',
    goal: 'reported',
    total: 0,
    passed: 0,
    failures: [],
  };
  for (const [name, check] of Object.entries(REPLIES)) {
    result.total++;
    const { mail } = await parseTyped(readFileSync(join(root, 'inbound', 'discourse', name)));
    const visible = mail ? extractReply(mail).visible : '';
    if (check(visible)) result.passed++;
    else result.failures.push({ case: name, detail: `visible ${JSON.stringify(visible.slice(0, 120))}` });
  }
  return result;
}

// ---------------------------------------------------------------- all, and the report

export async function runAll(root: string): Promise<CorpusResult[]> {
  if (!existsSync(root)) {
    throw new Error(`corpora not found at ${root}: they live in corpora/ at the repository root`);
  }
  return [
    await runMime(root),
    await runClassification(root),
    runDiscourseTrimmer(root),
    runCrisp(root),
    await runClientReplies(root),
    runThreading(root),
  ];
}

const pct = (r: { passed: number; total: number }) =>
  r.total ? ((100 * r.passed) / r.total).toFixed(1) : '100.0';

export function toMarkdown(results: CorpusResult[]): string {
  const trim = results.filter((r) => r.corpus.startsWith('reply-trimming'));
  const trimTotals = trim.reduce((a, r) => ({ passed: a.passed + r.passed, total: a.total + r.total }), {
    passed: 0,
    total: 0,
  });
  const lines = [
    '# Conformance of @tessera/email against public corpora',
    '',
    'Generated by `pnpm conformance` (scripts/conformance.ts) from the corpora in `corpora/`',
    '(see its README for origins and licences; each corpus keeps its LICENSE and MANIFEST).',
    '',
    '| corpus | goal | passed | total | rate |',
    '| --- | --- | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.corpus} | ${r.goal} | ${r.passed} | ${r.total} | ${pct(r)}% |`),
    `| reply trimming, both corpora | ≥ 95% | ${trimTotals.passed} | ${trimTotals.total} | ${pct(trimTotals)}% |`,
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.corpus}`, '');
    if (!r.failures.length) lines.push('No failures.', '');
    else {
      for (const f of r.failures) lines.push(`- \`${f.case}\`: ${f.detail.replace(/\|/g, '\\|')}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}
