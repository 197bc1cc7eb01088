import type { AddressInfo } from 'node:net';
import { AdapterError, isTesseraError } from '@tessera/core';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

/** The SMTP envelope of a received message (what the sending server said, not the headers). */
export interface SmtpEnvelope {
  mailFrom?: string;
  rcptTo: string[];
  remoteAddress: string;
}

export interface SmtpReceiverOptions {
  /** 0 (the default) picks a free port; `listen()` returns the one bound. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Called with each complete message, e.g. `(raw) => channel.ingest(raw)`. */
  onMail(raw: Uint8Array, envelope: SmtpEnvelope): Promise<unknown> | unknown;
  /** Largest message accepted, in bytes (default 25 MiB); larger ones get `552`. */
  maxSize?: number;
  /** Passed to smtp-server as is (TLS keys, auth handlers, banner…); `size` and `onData` are ours. */
  server?: Omit<SMTPServerOptions, 'size' | 'onData'>;
}

export interface SmtpReceiver {
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting connections and waits for open ones to end. */
  close(): Promise<void>;
  /** The bound port, once listening. */
  readonly port: number | undefined;
}

type SmtpError = Error & { responseCode: number };
const smtpError = (responseCode: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode });

/**
 * An inbound SMTP server (smtp-server) that hands each raw message to `onMail` — typically the
 * email channel's `ingest`. Oversized mail is refused with `552 5.3.4`; mail the channel rejects
 * as malformed (`ValidationError`) with `550 5.6.0` and the error's message, so the sender gets a
 * bounce that says why; any other failure with `451` so the sending server retries later.
 *
 * @example
 * const channel = emailChannel({ address: 'support@example.com', secret, transport });
 * const desk = createHelpdesk({ store: inMemoryStore(), extensions: [channel] });
 * const receiver = smtpReceiver({ port: 2525, onMail: (raw) => channel.ingest(raw) });
 * const port = await receiver.listen();
 */
export function smtpReceiver(options: SmtpReceiverOptions): SmtpReceiver {
  const maxSize = options.maxSize ?? 25 * 1024 * 1024;
  const host = options.host ?? '127.0.0.1';
  let bound: number | undefined;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...options.server,
    size: maxSize,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let length = 0;
      stream.on('data', (chunk: Buffer) => {
        length += chunk.length;
        // Keep draining an oversized message (so the connection stays usable) but stop buffering it.
        if (length <= maxSize) chunks.push(chunk);
      });
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || length > maxSize) {
          callback(smtpError(552, `5.3.4 Message too big: ${length} bytes, the limit is ${maxSize}`));
          return;
        }
        const raw = new Uint8Array(Buffer.concat(chunks, length));
        const envelope: SmtpEnvelope = {
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          remoteAddress: session.remoteAddress,
          ...(session.envelope.mailFrom ? { mailFrom: session.envelope.mailFrom.address } : {}),
        };
        Promise.resolve()
          .then(() => options.onMail(raw, envelope))
          .then(
            () => callback(),
            (error: unknown) => {
              if (isTesseraError(error, 'validation')) {
                callback(smtpError(550, `5.6.0 Message rejected: ${oneLine(error.message)}`));
              } else {
                callback(smtpError(451, '4.3.0 Temporary failure processing the message; try again later'));
              }
            },
          );
      });
    },
  });

  return {
    get port() {
      return bound;
    },
    listen() {
      const port = options.port ?? 0;
      return new Promise<number>((resolve, reject) => {
        // A port in use, a host that is not ours, no permission for a low port: typed, with the
        // address and the system error as cause, not a raw EADDRINUSE.
        const onError = (error: Error & { code?: string }) => {
          const why =
            error.code === 'EADDRINUSE'
              ? 'the port is already in use'
              : error.code === 'EACCES'
                ? 'permission denied (ports below 1024 need privileges)'
                : error.code === 'EADDRNOTAVAIL'
                  ? 'the host is not an address of this machine'
                  : error.message;
          reject(
            new AdapterError(`the SMTP receiver cannot listen on ${host}:${port}: ${why}`, {
              cause: error,
              details: { host, port, code: error.code ?? null },
            }),
          );
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          bound = (server.server.address() as AddressInfo).port;
          resolve(bound);
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** SMTP replies are lines; keep the reason readable and bounded. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').slice(0, 400);
