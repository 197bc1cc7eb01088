import { ConfigError, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { emailChannel } from './channel';
import type { EmailChannelOptions } from './types';

const ADMIN = { kind: 'admin', id: 'admin' } as const;
const transport = { send: async (m: { to: string[] }) => ({ accepted: m.to, rejected: [] }) };
const base: EmailChannelOptions = { address: 'support@example.com', secret: 'test-secret', transport };

const mail = (id: string, body = 'My printer is on fire.', extra: string[] = []) =>
  [
    'From: Ann <ann@example.org>',
    'To: support@example.com',
    'Subject: Printer',
    `Message-ID: <${id}>`,
    ...extra,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');

describe('emailChannel options', () => {
  it('refuses unknown option keys with a ConfigError naming the path and the likely key', () => {
    const attempt = (options: unknown) => {
      try {
        emailChannel(options as EmailChannelOptions);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const typo = attempt({ ...base, autoReplies: false });
    expect(typo).toBeInstanceOf(ConfigError);
    expect((typo as ConfigError).problems).toEqual([
      expect.objectContaining({
        path: 'emailChannel.autoReplies',
        message: expect.stringMatching(/did you mean autoReply/),
      }),
    ]);
    const nested = attempt({ ...base, autoReply: { txt: () => 'hi' } });
    expect(nested).toBeInstanceOf(ConfigError);
    expect((nested as ConfigError).problems[0]!.path).toBe('emailChannel.autoReply.txt');
    expect(attempt({ ...base, transport: undefined })).toBeInstanceOf(ConfigError);
    expect(attempt(undefined)).toBeInstanceOf(ConfigError);
    expect(attempt('support@example.com')).toBeInstanceOf(ConfigError);
    expect(attempt(base)).toBeUndefined();
  });

  it('provides the acknowledgement while autoReply is on, and nothing when it is off', () => {
    expect(emailChannel(base).provides).toEqual(['acknowledgement']);
    expect(emailChannel({ ...base, autoReply: { text: () => 'Got it' } }).provides).toEqual([
      'acknowledgement',
    ]);
    expect(emailChannel({ ...base, autoReply: false }).provides).toBeUndefined();
  });

  it('a desk refuses the channel’s acknowledgement beside another acknowledger, and takes either alone', () => {
    const rulesAck = { name: 'rules', provides: ['acknowledgement'] };
    expect(() => createHelpdesk({ extensions: [emailChannel(base), rulesAck] })).toThrow(ConfigError);
    expect(() =>
      createHelpdesk({ extensions: [emailChannel({ ...base, autoReply: false }), rulesAck] }),
    ).not.toThrow();
    expect(() => createHelpdesk({ extensions: [emailChannel(base)] })).not.toThrow();
  });
});

describe('emailChannel inbound, several processes', () => {
  it('of three desks on one store filing the same mail at once, one opens and two say duplicate', async () => {
    for (let round = 0; round < 5; round++) {
      const store = inMemoryStore();
      const channels = [0, 1, 2].map(() => emailChannel({ ...base, autoReply: false }));
      const desks = channels.map((channel) => createHelpdesk({ store, extensions: [channel] }));
      const raw = mail(`race-${round}@example.org`);
      const results = await Promise.all(channels.map((c) => c.ingest(raw)));
      expect(results.map((r) => r.action).sort()).toEqual(['duplicate', 'duplicate', 'opened']);
      // All three name the same ticket, which holds the mail once.
      expect(new Set(results.map((r) => r.ticketId)).size).toBe(1);
      const tickets = (await desks[0]!.query({}, { actor: ADMIN })).items;
      expect(tickets).toHaveLength(1);
      const ticket = await desks[0]!.get(tickets[0]!.id, { actor: ADMIN });
      expect(ticket.messages).toHaveLength(1);
    }
  }, 30_000);

  it('a redelivery after the filing process died before indexing and acknowledging says duplicate, and acknowledges once', async () => {
    const store = inMemoryStore();
    const sent: string[] = [];
    const mailer = {
      send: async (m: { to: string[]; text: string }) => {
        sent.push(m.text);
        return { accepted: m.to, rejected: [] };
      },
    };
    // The first process appended the ticket, then died: its Message-ID never reached the store's
    // index (it went to a throwaway one here) and no acknowledgement was sent.
    const first = emailChannel({
      ...base,
      transport: mailer,
      autoReply: false,
      messages: inMemoryStore().messages,
    });
    createHelpdesk({ store, extensions: [first] });
    const raw = mail('crash@example.org');
    expect((await first.ingest(raw)).action).toBe('opened');
    // The sending server retries, at two fresh processes at once.
    const channels = [0, 1].map(() => emailChannel({ ...base, transport: mailer }));
    const desks = channels.map((channel) => createHelpdesk({ store, extensions: [channel] }));
    const results = await Promise.all(channels.map((c) => c.ingest(raw)));
    expect(results.map((r) => r.action)).toEqual(['duplicate', 'duplicate']);
    const ticket = await desks[0]!.get(results[0]!.ticketId!, { actor: ADMIN });
    expect(ticket.messages.filter((m) => m.author.id === 'email-auto-reply')).toHaveLength(1);
    expect(sent.filter((t) => t.startsWith('Thank you'))).toHaveLength(1);
    expect(await store.messages.get('<crash@example.org>')).toBe(ticket.id);
  }, 30_000);

  it('of three desks filing the same reply at once, one appends and two say duplicate', async () => {
    const store = inMemoryStore();
    const channels = [0, 1, 2].map(() => emailChannel({ ...base, autoReply: false }));
    const desks = channels.map((channel) => createHelpdesk({ store, extensions: [channel] }));
    const opened = await channels[0]!.ingest(mail('first@example.org'));
    const reply = mail('second@example.org', 'Still burning.', ['In-Reply-To: <first@example.org>']);
    const results = await Promise.all(channels.map((c) => c.ingest(reply)));
    expect(results.map((r) => r.action).sort()).toEqual(['appended', 'duplicate', 'duplicate']);
    const ticket = await desks[1]!.get(opened.ticketId!, { actor: ADMIN });
    expect(ticket.messages.map((m) => m.body)).toEqual(['My printer is on fire.', 'Still burning.']);
  }, 30_000);
});

describe('emailChannel inbound, limits', () => {
  it('cuts what cannot be kept and records why, on the result and on the message', async () => {
    const channel = emailChannel({ ...base, autoReply: false });
    const desk = createHelpdesk({ extensions: [channel] });
    const long = `${'All work and no play makes Jack a dull boy. '.repeat(6000)}`;
    const result = await channel.ingest(mail('long@example.org', long));
    expect(result.action).toBe('opened');
    expect(result.truncated).toEqual([
      'text: longer than 200000 characters; only the first 200000 were read',
      'body: longer than 100000 characters; cut (the original keeps it all)',
    ]);
    const ticket = await desk.get(result.ticketId!, { actor: ADMIN });
    expect(ticket.messages[0]!.body).toHaveLength(100_000);
    expect((ticket.messages[0]!.email as { truncated?: string[] }).truncated).toEqual(result.truncated);

    const deep = [
      'From: ann@example.org',
      'To: support@example.com',
      'Subject: Deep',
      'Message-ID: <deep@example.org>',
      'Content-Type: text/html; charset=utf-8',
      '',
      `${'<div>'.repeat(5000)}Help${'</div>'.repeat(5000)}`,
      '',
    ].join('\r\n');
    const nested = await channel.ingest(deep);
    expect(nested.truncated).toEqual([
      'html: nested deeper than 100 elements; the deeper tags were dropped, their text kept',
    ]);
    const t2 = await desk.get(nested.ticketId!, { actor: ADMIN });
    expect(t2.messages[0]!.html!.match(/<div>/g)).toHaveLength(100);
    expect(t2.messages[0]!.body).toBe('Help');
  }, 30_000);

  it("cuts to the desk's own limits (createHelpdesk({ limits })), so a mail over them is filed, not refused", async () => {
    const channel = emailChannel({ ...base, autoReply: false });
    const desk = createHelpdesk({
      extensions: [channel],
      limits: { maxBodyLength: 40, maxSubjectLength: 5, maxAttachments: 1 },
    });
    const result = await channel.ingest(
      mail('small@example.org', 'My printer is on fire, and the fax is too.'),
    );
    expect(result.action).toBe('opened');
    expect(result.truncated).toEqual(['body: longer than 40 characters; cut (the original keeps it all)']);
    const ticket = await desk.get(result.ticketId!, { actor: ADMIN });
    expect(ticket.subject).toBe('Print');
    expect(ticket.messages[0]!.body).toBe('My printer is on fire, and the fax is to');
    // One attachment allowed: the original mail takes it.
    expect(ticket.messages[0]!.attachments.map((a) => a.filename)).toEqual(['original.eml']);
  });

  it('an ordinary mail is not marked truncated', async () => {
    const channel = emailChannel({ ...base, autoReply: false });
    createHelpdesk({ extensions: [channel] });
    const result = await channel.ingest(mail('plain@example.org'));
    expect(result.truncated).toBeUndefined();
  });
});
