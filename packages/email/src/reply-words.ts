/**
 * The vocabularies of reply extraction: the words that start and end attribution lines, forward
 * separators, Outlook header field names and mobile signatures, in many languages, lower-cased.
 */

// ---------------------------------------------------------------- quote headers

/** Words that end an "On <date>, <someone> wrote:" line, lower-cased, in many languages. */
export const WROTE = [
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
export const WROTE_BY_LAST = new Map<string, string[]>();
for (const w of WROTE) {
  const last = w[w.length - 1]!;
  WROTE_BY_LAST.set(last, [...(WROTE_BY_LAST.get(last) ?? []), w]);
}
/** Words that start one. */
export const OPENERS = [
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
export const SEPARATORS = [
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
export const FORWARD_LINES = [
  'begin forwarded message',
  'début du message transféré',
  'debut du message transfere',
  'anfang der weitergeleiteten nachricht',
  'inicio del mensaje reenviado',
  'inizio messaggio inoltrato',
  'begin doorgestuurd bericht',
  'början på vidarebefordrat meddelande',
];

export const MID_VERBS = ['skrev', 'schrieb', 'schreef', 'wrote', 'escribió', 'napisał', 'kirjoitti', 'írta'];

// ---------------------------------------------------------------- header blocks

export type FieldClass = 'from' | 'sent' | 'to' | 'subject' | 'cc';
export const FIELDS: Record<string, FieldClass> = Object.create(null);
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

// ---------------------------------------------------------------- signatures

export const MOBILE = [
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
export const STRONG_MOBILE = new Set(['sent from ', 'get outlook for ', 'sent on the go']);
/** Words that name a device, a mail app or a network: what follows "Sent from my …". */
export const DEVICE =
  /\b(?:iphone|ipad|ipod|android|mobile|phone|smartphone|tablet|device|galaxy|samsung|pixel|nokia|huawei|xiaomi|blackberry|droid|verizon|sprint|t-mobile|at&t|vodafone|outlook|mail|gmail|yahoo|aol|proton|protonmail|tutanota|thunderbird|spark|airmail|superhuman|windows|ios|mac|macbook|owa|wireless|handy|portable|móvil|movil|celular|telefono|teléfono|téléphone|telefoon|mobiel|mobil|телефона?|смартфона?|iphonesta|iphone\d*)\b/u;
