import type { ParsedEmail } from './parse';

/** What kind of mail this is, for deciding whether it may open tickets, reopen them or get answers. */
export type EmailKind = 'human' | 'auto-reply' | 'bulk' | 'bounce' | 'loop';

/** A delivery failure report, read from the DSN (RFC 3464) or, failing that, from the message. */
export interface BounceInfo {
  /** The address that failed: `Final-Recipient` of the first failed recipient. */
  recipient: string;
  /** RFC 3463 status code, e.g. `5.1.1`. `5.0.0` when a bounce carries no status at all. */
  status: string;
  /** 5.x.x is permanent; 4.x.x is transient (the sender's MTA keeps trying). */
  permanent: boolean;
  /** `Action:` of that recipient (`failed`, `delayed`, …). */
  action?: string;
  originalRecipient?: string;
  /** The VERP key when the bounce came back to `local+verp-<key>@…`. */
  verp?: string;
  /** Message-ID of the mail that bounced, from the returned headers: the delivery it answers. */
  originalMessageId?: string;
  /** Every failed recipient group in the report, in order. */
  recipients: { recipient: string; status: string; action?: string }[];
}

/** What `classifyEmail` says about a message. */
export interface Classification {
  kind: EmailKind;
  /** Every signal found, whether or not it decided the kind, as `header: value` phrases. */
  reasons: string[];
  bounce?: BounceInfo;
  /**
   * The sender asked not to be auto-answered (`X-Auto-Response-Suppress` with All, AutoReply or
   * OOF). This does not make the mail automated — Exchange puts it on ordinary mail — it only
   * means we must not send an automatic reply to it.
   */
  suppressAutoReply: boolean;
}

/** Options for loop detection. */
export interface ClassifyOptions {
  /** Domains our own Message-IDs use (composeEmail's `domain`); a message carrying one is our own mail back. */
  ownDomains?: readonly string[];
  /** Our own mailboxes (the support address and its aliases); mail from one of them is our own mail back. */
  ownAddresses?: readonly string[];
  /** More Received hops than this is a mail loop. Default 25 (sendmail's and RFC 5321's customary limit). */
  maxHops?: number;
}

/** What the mail must at least offer: headers, subject, sender and (for DSNs) its parts. */
export type ClassifiableEmail = Pick<ParsedEmail, 'headers' | 'subject'> &
  Partial<Pick<ParsedEmail, 'from' | 'returnPath' | 'to' | 'attachments' | 'text' | 'messageId'>>;

/**
 * Subject starts of auto-replies and out-of-office notes in the languages of common clients,
 * lower-cased. Matched at the start of the subject only, so a human writing "About my automatic
 * reply settings" is not caught.
 */
const AUTO_SUBJECTS = [
  'auto:',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'automatic reply',
  'auto-response',
  'autoresponse',
  'out of office',
  'out of the office',
  'ooo:',
  '[auto generated]',
  '[auto-generated]',
  'vacation:',
  'away from my mail',
  'abwesenheitsnotiz',
  'automatische antwort',
  'autom. antwort',
  'réponse automatique',
  'reponse automatique',
  'absence du bureau',
  'respuesta automática',
  'respuesta automatica',
  'fuera de la oficina',
  'risposta automatica',
  'fuori sede',
  'automatisch antwoord',
  'afwezig',
  'autosvar',
  'automatisk svar',
  'automatiskt svar',
  'fraværende',
  'automaattinen vastaus',
  'odpowiedź automatyczna',
  'automatyczna odpowiedź',
  'автоответ',
  'автоматический ответ',
  'resposta automática',
  'ausência',
  '自动回复',
  '自動回覆',
  '自動回复',
  '自動応答',
  '不在',
  '자동 응답',
  'yanıt: otomatik',
  'otomatik yanıt',
];

/** The same, by first character: a subject is compared with the few that could start it. */
const AUTO_SUBJECTS_BY_FIRST = new Map<string, string[]>();
for (const s of AUTO_SUBJECTS)
  AUTO_SUBJECTS_BY_FIRST.set(s[0]!, [...(AUTO_SUBJECTS_BY_FIRST.get(s[0]!) ?? []), s]);

const AUTO_SENDERS = ['mailer-daemon', 'postmaster'];
const NOREPLY = /^(?:no-?reply|do-?not-?reply|donotreply|noreply-[^@]*|bounces?)$/i;

const first = (mail: ClassifiableEmail, name: string): string | undefined => mail.headers[name]?.[0]?.trim();

function parameters(value: string): { type: string; params: Record<string, string> } {
  const parts = value.split(';');
  const params: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: (parts[0] ?? '').trim().toLowerCase(), params };
}

/** The media type of a Content-Type value, as `parameters(value).type` says it. */
function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** `rfc822; a@b` → `a@b`. */
function addressField(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(';');
  const v = (semi >= 0 ? value.slice(semi + 1) : value).trim();
  return v.replace(/^<(.*)>$/, '$1') || undefined;
}

/** Parses `message/delivery-status`: one per-message block, then per-recipient blocks. */
function deliveryStatus(
  text: string,
): { recipient: string; status: string; action?: string; original?: string }[] {
  const groups: { recipient: string; status: string; action?: string; original?: string }[] = [];
  const blocks = text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/);
  for (const block of blocks) {
    const fields: Record<string, string> = {};
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] ??= line.slice(colon + 1).trim();
    }
    const recipient = addressField(fields['final-recipient']) ?? addressField(fields['original-recipient']);
    if (!recipient) continue;
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.status ?? '')?.[0] ?? '';
    const g: { recipient: string; status: string; action?: string; original?: string } = {
      recipient,
      status,
    };
    if (fields.action) g.action = fields.action.toLowerCase();
    const original = addressField(fields['original-recipient']);
    if (original) g.original = original;
    groups.push(g);
  }
  return groups;
}

function verpKey(mail: ClassifiableEmail): string | undefined {
  const candidates = [...(mail.to ?? []).map((t) => t.address), ...(mail.headers['delivered-to'] ?? [])];
  for (const a of candidates) {
    const m = /\+verp-([A-Za-z0-9]+)@/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

function originalMessageId(mail: ClassifiableEmail): string | undefined {
  for (const a of mail.attachments ?? []) {
    if (a.contentType !== 'message/rfc822' && a.contentType !== 'text/rfc822-headers') continue;
    const head = decode(a.content.subarray(0, 64 * 1024));
    const m = /^message-id:[ \t]*(<[^<>\s]+>)/im.exec(head);
    if (m) return m[1];
  }
  return undefined;
}

function bounceInfo(mail: ClassifiableEmail, reasons: string[]): BounceInfo {
  let groups: ReturnType<typeof deliveryStatus> = [];
  for (const a of mail.attachments ?? []) {
    if (a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status') {
      groups = groups.concat(deliveryStatus(decode(a.content)));
    }
  }
  const failed = groups.filter(
    (g) => g.action === undefined || g.action === 'failed' || g.action === 'delayed',
  );
  const chosen = failed[0] ?? groups[0];
  let recipient = chosen?.recipient ?? '';
  let status = chosen?.status ?? '';
  if (!chosen) {
    reasons.push('no message/delivery-status part');
    recipient = first(mail, 'x-failed-recipients')?.split(',')[0]?.trim() ?? '';
  }
  if (!status) {
    // Fall back to a status code in the notification text, else the RFC 3463 "undefined permanent".
    const m = /\b([45])\.(\d{1,3})\.(\d{1,3})\b/.exec((mail.text ?? '').slice(0, 16 * 1024));
    status = m ? m[0] : '5.0.0';
    if (!m) reasons.push('no status code; assumed 5.0.0 (permanent)');
  }
  const info: BounceInfo = {
    recipient,
    status,
    permanent: status.startsWith('5'),
    recipients: failed.map((g) => ({
      recipient: g.recipient,
      status: g.status,
      ...(g.action ? { action: g.action } : {}),
    })),
  };
  if (chosen?.action) info.action = chosen.action;
  if (chosen?.original) info.originalRecipient = chosen.original;
  const verp = verpKey(mail);
  if (verp) info.verp = verp;
  const original = originalMessageId(mail);
  if (original) info.originalMessageId = original;
  return info;
}

/**
 * Says whether a message was written by a person, and if not, what it is: an auto-reply (RFC 3834
 * and the vendor headers), bulk or list mail, a bounce (RFC 3464 DSN, parsed), or a loop (our own
 * mail coming back, or too many hops). Every signal found is listed in `reasons`.
 *
 * Precedence, strongest first: loop, bounce, auto-reply, bulk. `X-Auto-Response-Suppress` never
 * makes a message automated (Exchange adds it to ordinary mail); it sets `suppressAutoReply`.
 *
 * @example
 * const mail = await parseEmail(raw);
 * const c = classifyEmail(mail, { ownDomains: ['support.example.com'] });
 * if (c.kind !== 'human') console.log(c.kind, c.reasons, c.bounce?.status);
 */
export function classifyEmail(mail: ClassifiableEmail, options: ClassifyOptions = {}): Classification {
  const reasons: string[] = [];
  const kinds = new Set<EmailKind>();
  const maxHops = options.maxHops ?? 25;

  // loop
  const tessera = first(mail, 'x-tessera-ticket') ?? first(mail, 'x-tessera-loop');
  if (tessera !== undefined) {
    reasons.push(`x-tessera header: ${tessera} (our own mail came back)`);
    kinds.add('loop');
  }
  const ownDomains = (options.ownDomains ?? []).map((d) => d.toLowerCase());
  // Lower-cased only when there is something to compare them with.
  const mid = ownDomains.length ? mail.messageId?.toLowerCase() : undefined;
  if (mid && ownDomains.some((d) => mid.endsWith(`@${d}>`) || mid.endsWith(`@${d}`))) {
    reasons.push(`message-id: ${mail.messageId} is one of ours`);
    kinds.add('loop');
  }
  const ownAddresses = options.ownAddresses ?? [];
  const sender = ownAddresses.length ? mail.from?.address.toLowerCase() : undefined;
  if (sender && ownAddresses.some((a) => a.toLowerCase() === sender)) {
    reasons.push(`from: ${mail.from?.address} is one of our own addresses`);
    kinds.add('loop');
  }
  const hops = mail.headers.received?.length ?? 0;
  if (hops > maxHops) {
    reasons.push(`received: ${hops} hops (more than ${maxHops})`);
    kinds.add('loop');
  }

  // bounce
  const contentType = first(mail, 'content-type');
  // Only a report's parameters are read: most mail is spared splitting its Content-Type.
  const ct =
    contentType && mediaType(contentType) === 'multipart/report' ? parameters(contentType) : undefined;
  const from = mail.from?.address ?? '';
  const local = from.slice(0, from.lastIndexOf('@') >>> 0).toLowerCase();
  let isDsn = false;
  if (ct?.type === 'multipart/report') {
    const reportType = (ct.params['report-type'] ?? '').toLowerCase();
    reasons.push(`content-type: multipart/report; report-type=${reportType || '(none)'}`);
    if (reportType === 'delivery-status' || reportType === 'global-delivery-status') isDsn = true;
    else kinds.add('auto-reply'); // feedback reports (ARF), read receipts (disposition-notification)
  }
  if (AUTO_SENDERS.includes(local)) {
    reasons.push(`from: ${from}`);
    isDsn = true;
  }
  if (isDsn) kinds.add('bounce');

  // auto-reply (RFC 3834 and vendor headers)
  const autoSubmitted = first(mail, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.toLowerCase().split(';')[0]!.trim() !== 'no') {
    reasons.push(`auto-submitted: ${autoSubmitted}`);
    kinds.add('auto-reply');
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autogenerated', 'x-autoresponder']) {
    const v = first(mail, name);
    if (v !== undefined && v.toLowerCase() !== 'no') {
      reasons.push(`${name}: ${v}`);
      kinds.add('auto-reply');
    }
  }
  const msAuto =
    first(mail, 'x-ms-exchange-generated-message-source') ?? first(mail, 'x-ms-exchange-inbox-rules-loop');
  if (msAuto !== undefined) {
    reasons.push(`x-ms-exchange header: ${msAuto}`);
    kinds.add('auto-reply');
  }
  const precedence = first(mail, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply') {
    reasons.push(`precedence: ${precedence}`);
    kinds.add('auto-reply');
  } else if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk') {
    reasons.push(`precedence: ${precedence}`);
    kinds.add('bulk');
  }
  const subject = mail.subject.trim().toLowerCase();
  const marker = AUTO_SUBJECTS_BY_FIRST.get(subject[0] ?? '')?.find((s) => subject.startsWith(s));
  if (marker) {
    reasons.push(`subject: starts with "${marker}"`);
    kinds.add('auto-reply');
  }
  if (mail.returnPath === '') {
    reasons.push('return-path: <> (null sender)');
    kinds.add(isDsn ? 'bounce' : 'auto-reply');
  }
  if (local && NOREPLY.test(local)) {
    reasons.push(`from: ${from} (no-reply sender)`);
    kinds.add('auto-reply');
  }

  // bulk
  for (const name of ['list-id', 'list-unsubscribe']) {
    const v = first(mail, name);
    if (v !== undefined) {
      reasons.push(`${name}: ${v}`);
      kinds.add('bulk');
    }
  }

  const xars = first(mail, 'x-auto-response-suppress');
  const suppressAutoReply =
    xars !== undefined && /\b(?:all|autoreply|oof)\b/i.test(xars) ? true : kinds.size > 0;

  const order: EmailKind[] = ['loop', 'bounce', 'auto-reply', 'bulk'];
  const kind = order.find((k) => kinds.has(k)) ?? 'human';
  const result: Classification = { kind, reasons, suppressAutoReply };
  if (kind === 'bounce') result.bounce = bounceInfo(mail, reasons);
  return result;
}
