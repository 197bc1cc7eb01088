export { type EmailChannel, emailChannel } from './channel';
export type { ClaimDelivery, RecordDelivery } from './commands';
export { sanitizeEmailHtml } from './sanitize';
export {
  type EmailDelivery,
  type EmailDeliveryFailedData,
  type EmailOutcomeUnknownData,
  type EmailSendClaim,
  type EmailSendClaimedData,
  type EmailSentData,
  type EmailState,
  emailState,
} from './state';
export type { AutoReplyOptions, EmailChannelOptions, IngestResult } from './types';
