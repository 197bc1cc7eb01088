export { type EmailChannel, emailChannel, type Notification } from './channel';
export { sanitizeEmailHtml } from './sanitize';
export type { AutoReplyOptions, EmailChannelOptions, IngestResult } from './types';
