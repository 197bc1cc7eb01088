export {
  type AutoReplyOptions,
  type ClaimDelivery,
  type EmailChannel,
  type EmailChannelOptions,
  type EmailDelivery,
  type EmailDeliveryFailedData,
  type EmailOutcomeUnknownData,
  type EmailSendClaim,
  type EmailSendClaimedData,
  type EmailSentData,
  type EmailState,
  emailChannel,
  emailState,
  type IngestResult,
  type RecordDelivery,
  sanitizeEmailHtml,
} from './channel/index';
export {
  type BounceInfo,
  type ClassifiableEmail,
  type Classification,
  type ClassifyOptions,
  classifyEmail,
  type EmailKind,
} from './classify';
export {
  type ComposeMessage,
  type ComposeOptions,
  type ComposeTicket,
  composeEmail,
  ourMessageId,
} from './compose';
export {
  type EmailAddress,
  type ParsedAttachment,
  type ParsedEmail,
  type ParseLimits,
  parseEmail,
} from './parse';
export { type ExtractedReply, extractReply, type ReplySource } from './reply';
export { replyAddress, replyToken, type TokenSecret, verifyReplyToken } from './reply-token';
export {
  messageIdKey,
  type Resolution,
  type ResolvableEmail,
  type ResolveOptions,
  resolveThread,
  type ThreadEvidence,
  type ThreadLookup,
  type ThreadTicket,
} from './resolve';
export { normalizeSubject, type SubjectOptions } from './subject';
export { type Thread, type ThreadInput, type ThreadOptions, threadMessages } from './thread';
