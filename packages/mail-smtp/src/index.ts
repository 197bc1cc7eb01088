export { type SmtpEnvelope, type SmtpReceiver, type SmtpReceiverOptions, smtpReceiver } from './receiver';
export { type SmtpMailTransport, type SmtpTransportOptions, smtpTransport } from './transport';
