export * from './channel/index';
export {
  type BounceInfo,
  type ClassifiableEmail,
  type Classification,
  type ClassifyOptions,
  classifyEmail,
  type EmailKind,
} from './classify';
export {
  type EmailAddress,
  type ParsedAttachment,
  type ParsedEmail,
  type ParseLimits,
  parseEmail,
} from './parse';
export { type ExtractedReply, extractReply, type ReplySource } from './reply';
export { normalizeSubject, type SubjectOptions } from './subject';
export { type Thread, type ThreadInput, type ThreadOptions, threadMessages } from './thread';
