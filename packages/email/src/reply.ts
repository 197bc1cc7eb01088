import { htmlToText } from './html';

/** The reply a person wrote, separated from quoted history and their signature. */
export interface ExtractedReply {
  /** What they wrote this time, trimmed. */
  visible: string;
  /** The quoted or forwarded history that followed (or, for bottom-posting, preceded) it. */
  quoted: string;
  /** A signature split off the end of the reply (`-- ` blocks, "Sent from my iPhone" lines). */
  signature?: string;
}

/** A mail's bodies: the text part is used when present, else the HTML, read as text. */
export interface ReplySource {
  text?: string | undefined;
  html?: string | undefined;
}

/**
 * Lines longer than this are always plain text: no quote header, signature or mail header is
 * this long, and capping what the line patterns see keeps every pattern's work per line bounded,
 * so the whole extraction is linear in the input.
 */
const MAX_PATTERN_LINE = 400;

/** Characters handed to line patterns since the last reset: lets a test prove the work is linear. */
let examined = 0;
/** @internal */
export function patternWork(reset = false): number {
  const n = examined;
  if (reset) examined = 0;
  return n;
}

type Kind =
  | 'empty'
  | 'quote'
  | 'header' // a quote header, forward or original-message separator: history starts here
  | 'field' // one line of an Outlook-style header block (From:, Sent:, …)
  | 'mobile' // "Sent from my iPhone"
  | 'rule' // a line of only -_=+~#*
  | 'sigdash' // "-- "
  | 'text';

// ---------------------------------------------------------------- quote headers

/** Words that end an "On <date>, <someone> wrote:" line, lower-cased, in many languages. */
const WROTE = [
  'wrote',
  'writes',
  'said',
  'says',
  'a écrit',
  'a ecrit',
  'nous a dit',
  'schrieb',
  'geschrieben',
  'schrieben sie',
  'escribió',
  'escribio',
  'ha scritto',
  'schreef',
  'het volgende geschreven',
  'napisał',
  'napisał(a)',
  'napisala',
  'napisał/a',
  'написал',
  'написала',
  'написал(а)',
  'пише',
  'писал',
  'skrev',
  'skrifaði',
  'kirjoitti',
  'escreveu',
  '写道',
  '寫道',
  '寫到',
  'yazdı',
  'írta',
  'napsal',
  'napísal',
  'a scris',
  'έγραψε',
  'כתב',
  'כתבה',
  'كتب',
  'が書きました',
  'wrote on',
  'skriver',
];
const WROTE_BY_LAST = new Map<string, string[]>();
for (const w of WROTE) {
  const last = w[w.length - 1]!;
  WROTE_BY_LAST.set(last, [...(WROTE_BY_LAST.get(last) ?? []), w]);
}
/** Words that start one. */
const OPENERS = [
  'on',
  'at',
  'le',
  'am',
  'el',
  'il',
  'in data',
  'op',
  'em',
  'dnia',
  'dňa',
  'w dniu',
  'den',
  'в',
  'на',
  '在',
  '於',
  'el día',
  'on the',
  'in message',
  'quoting',
  'zitat von',
  'citando',
];

/** Forward and original-message separators, lower-cased, without their dashes. */
const SEPARATORS = [
  'original message',
  'forwarded message',
  'reply message',
  'ursprüngliche nachricht',
  'originalnachricht',
  'weitergeleitete nachricht',
  "message d'origine",
  'message d’origine',
  'message transféré',
  'message original',
  'mensaje original',
  'mensaje reenviado',
  'messaggio originale',
  'messaggio inoltrato',
  'oorspronkelijk bericht',
  'doorgestuurd bericht',
  'originalmeddelande',
  'vidarebefordrat meddelande',
  'oprindelig besked',
  'oprindelig meddelelse',
  'videresendt besked',
  'opprinnelig melding',
  'videresendt melding',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'przekazana wiadomość',
  'исходное сообщение',
  'пересылаемое сообщение',
  'переслане повідомлення',
  'alkuperäinen viesti',
  'mensagem original',
  'mensagem encaminhada',
  'původní zpráva',
  'eredeti üzenet',
  'orijinal mesaj',
  '原始邮件',
  '原始郵件',
  '转发邮件',
  '轉寄郵件',
  '原始信件',
  '元のメッセージ',
  '転送メッセージ',
  '원본 메시지',
];
const FORWARD_LINES = [
  'begin forwarded message',
  'début du message transféré',
  'debut du message transfere',
  'anfang der weitergeleiteten nachricht',
  'inicio del mensaje reenviado',
  'inizio messaggio inoltrato',
  'begin doorgestuurd bericht',
  'början på vidarebefordrat meddelande',
];

/** Strip leading spaces, `>`-free decoration and trailing `:`/dashes/spaces. */
function core(line: string): string {
  let s = line.trim();
  let a = 0;
  while (a < s.length && decoration(s[a])) a++;
  let b = s.length;
  while (b > a && decoration(s[b - 1])) b--;
  s = s.slice(a, b);
  return s;
}

const ASCII = /^[\x20-\x7e\t]*$/;

function decoration(ch: string | undefined): boolean {
  return ch === '-' || ch === '*' || ch === '_' || isWhite(ch);
}

function isWhite(ch: string | undefined): boolean {
  return (
    ch !== undefined && (ch === ' ' || ch === '\t' || ch === '\u00a0' || ch === '\u3000' || ch === '\u202f')
  );
}

function endsWithWord(s: string, word: string): boolean {
  if (!s.endsWith(word)) return false;
  const before = s[s.length - word.length - 1];
  return before === undefined || !/[\p{L}\p{N}]/u.test(before);
}

/** Whether one (possibly joined) line is an attribution line: "On …, X wrote:" and its relatives. */
function isAttribution(raw: string): boolean {
  if (raw.length > MAX_PATTERN_LINE * 2) return false;
  examined += raw.length;
  let s = core(ASCII.test(raw) ? raw : raw.normalize('NFC'));
  if (!s) return false;
  const lower = s.toLowerCase();
  // Drop the trailing colon(s) and a trailing "wrote" decoration.
  let end = lower.length;
  while (end > 0 && (lower[end - 1] === ':' || lower[end - 1] === '：' || isWhite(lower[end - 1]))) end--;
  const body = lower.slice(0, end);
  const hadColon = end < lower.length;
  s = body;
  // Without a colon only a "wrote"-style ending or a leading date can make an attribution.
  if (!hadColon && !WROTE_BY_LAST.has(s[s.length - 1] ?? '') && !(s[0]! >= '0' && s[0]! <= '9')) return false;
  const hasDigit = /\d/.test(s);
  const hasAt = s.includes('@');
  for (const w of WROTE_BY_LAST.get(s[s.length - 1] ?? '') ?? []) {
    if (endsWithWord(s, w) || (w === '写道' && s.endsWith(w)) || (w === '寫道' && s.endsWith(w))) {
      const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
      const opener = OPENERS.some((o) => s.startsWith(`${o} `) || firstWord === o) || s.startsWith('在');
      if (opener && (hasDigit || hasAt || s.includes(' via '))) return true;
      if (hasDigit && (hasAt || hasColonTime(s))) return true;
      if (hasAt && hadColon) return true;
      if (s.includes(' via ') && hadColon) return true;
      if (hasDigit && hadColon) return true;
      return false;
    }
  }
  // "Den 15. jun. 2016 kl. 20.42 skrev X <x@y>:", "Am 18.09.2013 um 16:24 schrieb X <x@y>:"
  if (hadColon && hasDigit && MID_VERBS.some((v) => s.includes(` ${v} `))) {
    const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
    if (OPENERS.includes(firstWord) || hasAt || /^\p{L}{2,4}\.? \d/u.test(s)) return true;
  }
  // ISO date, GMT offset and a name, no colon: "2016-03-03 17:21 GMT+01:00 Some One"
  if (/^\d{4}-\d\d-\d\d \d{1,2}:\d\d gmt[+-]\d\d:\d\d [\p{L}\p{N} ._'-]+$/u.test(s)) return true;
  // "2013/7/20 sam via Discourse Meta <info@discourse.org>"
  if (/^\d{4}[/-]\d{1,2}[/-]\d{1,2} /.test(s) && endsWithAddress(s) && s.length < 200) return true;
  // "Someone <x@y> wrote on <date>:" and "X schrieb am <date>:"
  if (hadColon && (/\bwrote on\b/.test(s) || /\bschrieb am\b/.test(s)) && hasDigit) return true;
  // Date-first headers with an address and no verb: "2017-11-24 16:32 GMT+01:00 X <x@y>:",
  // "ср, 30 апр. 2025 г. в 15:19, X <x@y>:", "30.09.2017, 18.30, "X" <x@y>:"
  if (hadColon && hasDigit && endsWithAddress(s) && s.length < 300) return true;
  return false;
}

const MID_VERBS = ['skrev', 'schrieb', 'schreef', 'wrote', 'escribió', 'napisał', 'kirjoitti', 'írta'];

/** `…<local@domain>` at the end: a scan, not a regex, so it cannot backtrack. */
function endsWithAddress(s: string): boolean {
  if (!s.endsWith('>')) return false;
  const open = s.lastIndexOf('<');
  return open >= 0 && isAddress(s.slice(open + 1, -1));
}

function hasAddress(s: string): boolean {
  for (let open = s.indexOf('<'); open >= 0; open = s.indexOf('<', open + 1)) {
    const close = s.indexOf('>', open + 1);
    if (close < 0) return false;
    if (isAddress(s.slice(open + 1, close))) return true;
  }
  return false;
}

function isAddress(inner: string): boolean {
  const at = inner.indexOf('@');
  return at > 0 && at < inner.length - 1 && !/[\s<>]/.test(inner);
}

function hasColonTime(s: string): boolean {
  return /\d{1,2}[:.]\d{2}/.test(s);
}

function isSeparator(raw: string): boolean {
  if (raw.length > MAX_PATTERN_LINE) return false;
  examined += raw.length;
  const t = raw.trim();
  const dashed = /^[>\s*]*-{2,}/.test(t) || /^[>\s]*_{2,}/.test(t);
  const colon = t.endsWith(':') || t.endsWith('：');
  if (!dashed && !colon) return false;
  const lower = core(t).toLowerCase();
  if (colon && FORWARD_LINES.some((f) => lower.startsWith(f))) return true;
  // Only when dashes or bold marks surround it: "-----Original Message-----", "*----- Forwarded -----*"
  if (!dashed) return false;
  return SEPARATORS.some((w) => lower === w || lower.startsWith(`${w} `) || lower.startsWith(`${w}:`));
}

// ---------------------------------------------------------------- header blocks

type FieldClass = 'from' | 'sent' | 'to' | 'subject' | 'cc';
const FIELDS: Record<string, FieldClass> = Object.create(null);
const addFields = (cls: FieldClass, names: string) => {
  for (const n of names.split('|')) FIELDS[n] = cls;
};
addFields(
  'from',
  'from|de|von|van|da|från|fra|od|от|发件人|寄件者|差出人|lähettäjä|expéditeur|afzender|remitente|mittente|feladó|gönderen|від|보낸 사람|보낸사람|寄件人',
);
addFields(
  'sent',
  'sent|date|envoyé|envoyé le|gesendet|datum|verzonden|inviato|data|enviado|enviada em|enviada|fecha|skickat|sendt|wysłano|data wysłania|отправлено|дата|发送时间|日期|傳送時間|送信日時|lähetetty|päivämäärä|gönderildi|tarih|надіслано|sent at|보낸 날짜|le',
);
addFields(
  'to',
  'to|à|a|an|aan|para|till|til|do|кому|收件人|收件者|宛先|vastaanottaja|destinataire|kime|кому:|받는 사람|reply-to|répondre à|antwort an|beantwoorden - aan|risposta',
);
addFields('cc', 'cc|cci|kopie|kopia|копия|抄送|副本|kopio|bilgi');
addFields(
  'subject',
  'subject|objet|betreff|onderwerp|oggetto|asunto|assunto|ämne|emne|temat|тема|主题|主旨|件名|aihe|konu|tárgy|제목',
);

/** The class of an Outlook-style header line (`*From:* x`, `Von: x`), or undefined. */
function fieldOf(raw: string): FieldClass | undefined {
  if (raw.length > MAX_PATTERN_LINE) return undefined;
  examined += raw.length;
  const t = raw.replace(/^[\s>]*/, '');
  let colon = -1;
  for (let i = 0; i < t.length && i < 40; i++) {
    if (t[i] === ':' || t[i] === '：') {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return undefined;
  const key = t.slice(0, colon).replace(/\*/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  const cls = FIELDS[key];
  if (!cls) return undefined;
  const value = t
    .slice(colon + 1)
    .replace(/\*/g, '')
    .trim();
  if (!value && cls !== 'from' && cls !== 'to') return undefined;
  return cls;
}

// ---------------------------------------------------------------- signatures

const MOBILE = [
  'sent from ',
  'sent via ',
  'sent with ',
  'sent by ',
  'sent on the go',
  'sent using ',
  'from my ',
  'get outlook for ',
  'envoyé depuis ',
  'envoyé de mon ',
  'envoyé à partir de ',
  'envoye depuis ',
  'von meinem ',
  'gesendet von ',
  'gesendet mit ',
  'diese nachricht wurde von ',
  'inviato da ',
  'sendt fra min ',
  'sendt fra ',
  'enviado do meu ',
  'enviado desde mi ',
  'enviado desde ',
  'enviado de meu ',
  'verzonden met ',
  'verzonden vanaf ',
  'verstuurd vanaf ',
  'från min ',
  'skickat från ',
  'wysłane z ',
  'отправлено с ',
  'отправлено из ',
  '從我的 iphone 傳送',
  '从我的iphone发送',
  '发自我的',
  '送自我的',
  'iphoneから送信',
  'lähetetty iphonesta',
  'lähetetty ',
];

/** Prefixes that are signatures whatever short rest follows ("Sent from my iPhone"). */
const STRONG_MOBILE = new Set(['sent from ', 'get outlook for ', 'sent on the go']);
/** Words that name a device, a mail app or a network: what follows "Sent from my …". */
const DEVICE =
  /\b(?:iphone|ipad|ipod|android|mobile|phone|smartphone|tablet|device|galaxy|samsung|pixel|nokia|huawei|xiaomi|blackberry|droid|verizon|sprint|t-mobile|at&t|vodafone|outlook|mail|gmail|yahoo|aol|proton|protonmail|tutanota|thunderbird|spark|airmail|superhuman|windows|ios|mac|macbook|owa|wireless|handy|portable|móvil|movil|celular|telefono|teléfono|téléphone|telefoon|mobiel|mobil|телефона?|смартфона?|iphonesta|iphone\d*)\b/u;

/**
 * Whether a whole line is a "Sent from my iPhone" signature, not prose that begins like one
 * ("Sent from my office, where the printer is, it works now", "From my point of view …"): the
 * rest after the prefix must be short and one clause, and name a device or mail app unless it is
 * a few words after a strong prefix ("Sent from …") or a couple after a weak one ("From my …").
 */
function isMobileSignature(raw: string): boolean {
  if (raw.length > 160) return false;
  examined += raw.length;
  let t = raw.trim().toLowerCase();
  if (t.includes('[')) t = t.replace(/\[([^\]]{0,80})\]\([^)]{0,300}\)/g, '$1');
  // Markdown links, <<…>>, (…) wrappers.
  t = t.replace(/^[<(]+/, '').replace(/[>)]+$/, '');
  if (/^\S+ from mobile$/.test(t)) return true;
  const prefix = MOBILE.find((m) => t.startsWith(m));
  if (prefix === undefined) return false;
  const rest = t.slice(prefix.length).replace(/[.\s]+$/, '');
  // A second sentence, a question or an exclamation is prose.
  if (/[.!?;:]\s+\S/.test(rest) || /[!?]$/.test(rest)) return false;
  const words = rest ? rest.split(/\s+/).length : 0;
  if (words > 8) return false;
  if (!rest.includes(' ') && !/[a-z]/.test(prefix)) return true; // 发自我的iPhone and the like
  if (DEVICE.test(rest)) return true;
  // "Sent from my Wiko RIDGE FAB 4G": a strong prefix with a short name, no clause after it.
  return STRONG_MOBILE.has(prefix) ? words <= 6 && !rest.includes(',') : words <= 2;
}

function isRule(raw: string): boolean {
  const t = raw.trim();
  if (t === 'ᐧ') return true;
  if (t.length < 2 || t.length > MAX_PATTERN_LINE) return false;
  for (const ch of t) if (!'-_=+~#*'.includes(ch)) return false;
  return true;
}

// ---------------------------------------------------------------- classification

export function classify(lines: string[], fields: (FieldClass | undefined)[] = []): Kind[] {
  const kinds: Kind[] = new Array(lines.length);
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t.startsWith('```')) {
      inCode = !inCode;
      kinds[i] = 'text';
      continue;
    }
    if (inCode) kinds[i] = t ? 'text' : 'empty';
    else if (!t) kinds[i] = 'empty';
    else if (t === '--' || line === '-- ') kinds[i] = 'sigdash';
    else if (isRule(t)) kinds[i] = 'rule';
    else if (t.startsWith('>')) kinds[i] = isSeparator(t) ? 'header' : 'quote';
    else if (isSeparator(t) || isAttribution(t)) kinds[i] = 'header';
    else if (isMobileSignature(t)) kinds[i] = 'mobile';
    else {
      const field = fieldOf(t);
      fields[i] = field;
      kinds[i] = field ? 'field' : 'text';
    }
  }
  // Attributions wrapped over two or three lines ("On Mon, … <" / "x@y> wrote:").
  for (let i = 0; i < lines.length; i++) {
    const end = wrappedAttribution(lines, kinds, i);
    if (end < 0) continue;
    // Prefer the window that starts later: the line above may be the end of the reply.
    let later = false;
    const firstWord = core(lines[i]!).toLowerCase().split(/[\s,]/, 1)[0] ?? '';
    if (OPENERS.includes(firstWord)) later = false;
    else for (let j = i + 1; j < end && !later; j++) later = wrappedAttribution(lines, kinds, j) === end;
    if (later) continue;
    for (let j = i; j <= end; j++) kinds[j] = 'header';
    i = end;
  }
  return kinds;
}

/** Whether a line could be the first line of a wrapped attribution: an opener word or an early digit. */
function startsAttribution(line: string): boolean {
  const s = core(line).toLowerCase();
  if (!s) return false;
  const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
  if (
    OPENERS.includes(firstWord) ||
    s.startsWith('w dniu ') ||
    s.startsWith('in data ') ||
    s.startsWith('在')
  ) {
    return true;
  }
  return /\d/.test(s.slice(0, 12)) || hasAddress(s);
}

/** If lines i..end (blank lines skipped, at most three more lines) form one attribution, `end`; else -1. */
function wrappedAttribution(lines: string[], kinds: Kind[], i: number): number {
  if (kinds[i] !== 'text') return -1;
  const a = lines[i]!;
  if (a.length > MAX_PATTERN_LINE || !startsAttribution(a)) return -1;
  let joined = a.trim();
  let used = 0;
  for (let j = i + 1; j < lines.length && j <= i + 5 && used < 3; j++) {
    const next = lines[j]!;
    const kk = kinds[j];
    if (kk === 'empty') continue;
    if (next.length > MAX_PATTERN_LINE) return -1;
    if (kk !== 'text' && kk !== 'field' && kk !== 'quote' && kk !== 'header') return -1;
    used++;
    const open = joined.split('<').length - joined.split('>').length;
    const trimmed = next.trimStart();
    const piece = open > 0 && trimmed.startsWith('>') ? trimmed : next.replace(/^[\s>-]*/, '');
    if (kk === 'quote' && piece.length > 40) return -1;
    joined = joined.endsWith('<') || piece.startsWith('>') ? `${joined}${piece}` : `${joined} ${piece}`;
    if (isAttribution(joined)) return j;
  }
  return -1;
}

/**
 * Outlook and friends: a From-like field followed within a few lines by another field
 * (Sent/Date/To/Subject) starts quoted history. Returns the index where the block starts.
 */
function headerBlockStart(kinds: Kind[], fields: (FieldClass | undefined)[], from: number): number {
  for (let i = from; i < kinds.length; i++) {
    if (kinds[i] !== 'field') continue;
    const cls = fields[i];
    const seen = new Set<FieldClass>([cls!]);
    let gap = 0;
    for (let j = i + 1; j < kinds.length && j < i + 10; j++) {
      const c = kinds[j] === 'field' ? fields[j] : undefined;
      if (c) {
        seen.add(c);
        gap = 0;
      } else if (kinds[j] === 'empty' || kinds[j] === 'text') {
        if (++gap > 2) break;
      } else break;
    }
    const strong = seen.has('from') && (seen.has('sent') || seen.has('to') || seen.has('subject'));
    if (strong && seen.size >= 2 && (seen.size >= 3 || cls === 'from')) return i;
  }
  return -1;
}

// ---------------------------------------------------------------- extraction

const join = (lines: string[]): string => lines.join('\n').trim();

function fromText(input: string): ExtractedReply {
  const lines = input.replace(/\r\n?/g, '\n').split('\n');
  const fields: (FieldClass | undefined)[] = [];
  const kinds = classify(lines, fields);

  // The first place history starts: an attribution/separator, or a header block.
  let cut = kinds.indexOf('header');
  const block = headerBlockStart(kinds, fields, 0);
  if (block >= 0 && (cut < 0 || block < cut)) cut = block;
  if (cut < 0) cut = lines.length;
  // A rule or separator right above the cut belongs to the history ("____" above "From:").
  let start = cut;
  for (let i = cut - 1; i >= 0; i--) {
    if (kinds[i] === 'empty') continue;
    if (kinds[i] === 'rule') start = i;
    break;
  }

  let body = lines.slice(0, start);
  let bodyKinds = kinds.slice(0, start);
  let quoted = lines.slice(start);

  // Bottom-posting: nothing but history before the cut and text after it.
  if (!bodyKinds.includes('text') && !bodyKinds.includes('mobile')) {
    let last = -1;
    for (let i = 0; i < lines.length; i++) {
      const k = kinds[i];
      if (k === 'quote' || k === 'header' || k === 'field') last = i;
    }
    const tail = kinds.slice(last + 1);
    if (last >= 0 && tail.includes('text')) {
      body = lines.slice(last + 1);
      bodyKinds = tail;
      quoted = lines.slice(0, last + 1);
    }
  }

  // Signature: a "-- " line or a rule followed only by a short tail; else trailing mobile lines.
  let sig = bodyKinds.indexOf('sigdash');
  const rule = bodyKinds.indexOf('rule');
  if (
    rule >= 0 &&
    (sig < 0 || rule < sig) &&
    signatureLike(body.slice(rule + 1), bodyKinds.slice(rule + 1))
  ) {
    sig = rule;
  }
  // A "Sent from my iPhone" line ends what they wrote: what follows it is the original, pasted
  // unquoted by the phone's client (or more signature).
  const firstText = bodyKinds.indexOf('text');
  const mobile = firstText < 0 ? -1 : bodyKinds.indexOf('mobile', firstText);
  if (mobile >= 0 && (sig < 0 || mobile < sig)) {
    let end = mobile + 1;
    while (end < body.length && (bodyKinds[end] === 'mobile' || bodyKinds[end] === 'empty')) end++;
    if (bodyKinds.slice(end).includes('text')) {
      quoted = [...body.slice(end), ...quoted];
      body = body.slice(0, end);
      bodyKinds = bodyKinds.slice(0, end);
    }
    sig = mobile;
  }
  let signature: string | undefined;
  if (sig >= 0 && body.slice(0, sig).some((l) => l.trim())) {
    const tail = body.slice(sig);
    const tailKinds = bodyKinds.slice(sig);
    // Quotes below a signature are history, not signature.
    const sigLines = tail.filter((_, i) => tailKinds[i] !== 'quote');
    const quotedLines = tail.filter((_, i) => tailKinds[i] === 'quote');
    signature = join(sigLines);
    if (quotedLines.length) quoted = [...quotedLines, ...quoted];
    body = body.slice(0, sig);
    bodyKinds = bodyKinds.slice(0, sig);
  }

  // Trailing quotes after the text are history too.
  if (bodyKinds.includes('text')) {
    let end = body.length;
    while (end > 0 && (bodyKinds[end - 1] === 'quote' || bodyKinds[end - 1] === 'empty')) end--;
    if (end < body.length) {
      quoted = [...body.slice(end), ...quoted];
      body = body.slice(0, end);
      bodyKinds = bodyKinds.slice(0, end);
    }
  } else if (!bodyKinds.includes('mobile') && !kinds.includes('text')) {
    // Nothing but quotes: history if any of it carries an attribution, else what they sent.
    if (lines.some((l) => l.length <= MAX_PATTERN_LINE && isAttribution(l.replace(/^[\s>]*/, '')))) {
      quoted = lines;
      body = [];
    }
  }

  const out: ExtractedReply = { visible: join(body), quoted: join(quoted) };
  if (signature) out.signature = signature;
  return out;
}

/** A short tail of short lines (a name, a title, a phone number) rather than more message. */
function signatureLike(lines: string[], kinds: Kind[]): boolean {
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    if (kinds[i] === 'empty') continue;
    if (kinds[i] === 'rule' || kinds[i] === 'sigdash' || kinds[i] === 'mobile') continue;
    if (lines[i]!.length > 80) return false;
    if (++n > 8) return false;
  }
  return true;
}

/**
 * The reply a person wrote, without the quoted history and signature below (or above) it.
 * Recognises Gmail/Apple "On … wrote:" lines (also wrapped over two or three lines), Outlook
 * header blocks and "-----Original Message-----", `>` quotes, the attribution lines of many
 * languages, `-- ` signatures and "Sent from my iPhone"-style lines at the end. HTML mail is
 * read through its text. Runs in linear time: every line pattern sees at most a few hundred
 * characters, and the decisions are single passes over the lines.
 *
 * @example
 * extractReply('Thanks, that worked!\n\nOn Mon, 2 Mar 2026 at 10:00, Support <help@example.com> wrote:\n> Try again?');
 * // { visible: 'Thanks, that worked!', quoted: 'On Mon, … wrote:\n> Try again?' }
 */
export function extractReply(mail: string | ReplySource): ExtractedReply {
  if (typeof mail === 'string') return fromText(mail);
  const text = mail.text?.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
  return fromText(text);
}
