export { type EmailChannel, emailChannel, outboundMessageId } from './channel';
export { sanitizeEmailHtml } from './sanitize';
export type { AutoReplyOptions, EmailChannelOptions, IngestResult } from './types';
