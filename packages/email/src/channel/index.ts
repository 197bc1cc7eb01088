export { type EmailChannel, emailChannel } from './channel';
export { sanitizeEmailHtml } from './sanitize';
export type { AutoReplyOptions, EmailChannelOptions, IngestResult } from './types';
