import {
  createHelpdesk,
  type Helpdesk,
  inMemoryStore,
  type OutboundEmail,
  type Store,
  type Ticket,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { emailChannel } from './channel';
import { emailState } from './state';
import type { EmailChannelOptions } from './types';

const AGENT = { kind: 'agent', id: 'agent-1', name: 'Agnes' } as const;
const ADMIN = { kind: 'admin', id: 'admin' } as const;

interface Mail {
  from: string;
  to?: string;
  cc?: string;
  subject: string;
  body: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  html?: string;
}

/** A raw RFC 5322 message; multipart/alternative when `html` is given. */
function raw(m: Mail): string {
  const head = [
    `From: ${m.from}`,
    `To: ${m.to ?? 'support@example.com'}`,
    ...(m.cc ? [`Cc: ${m.cc}`] : []),
    `Subject: ${m.subject}`,
    `Message-ID: <${m.messageId}>`,
    'Date: Mon, 2 Nov 2026 10:00:00 +0000',
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`] : []),
    ...(m.references ? [`References: ${m.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  if (!m.html) return [...head, 'Content-Type: text/plain; charset=utf-8', '', m.body, ''].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    m.body,
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    m.html,
    '--b1--',
    '',
  ].join('\r\n');
}

function setup(opts: Partial<EmailChannelOptions> & { store?: Store; failures?: number } = {}) {
  // `store` and `failures` are the harness's; the rest are the channel's options.
  const { store: givenStore, failures: givenFailures, ...channelOptions } = opts;
  const sent: OutboundEmail[] = [];
  let failures = givenFailures ?? 0;
  let now = new Date('2026-11-02T10:00:00Z');
  let seq = 0;
  const channel = emailChannel({
    address: 'Support <support@example.com>',
    secret: 'test-secret',
    transport: {
      async send(mail) {
        if (failures > 0) {
          failures--;
          throw new Error('connection reset');
        }
        sent.push(mail);
        return { accepted: [...mail.to, ...(mail.cc ?? [])], rejected: [] };
      },
    },
    ...channelOptions,
  });
  const store = givenStore ?? inMemoryStore();
  const desk = createHelpdesk({
    store,
    clock: { now: () => now },
    ids: { next: () => `id${++seq}` },
    extensions: [channel],
  });
  return {
    channel,
    desk,
    store,
    sent,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
      return now;
    },
    now: () => now,
    failNext(n: number) {
      failures = n;
    },
  };
}

const load = (desk: Helpdesk, id: string) => desk.get(id, { actor: ADMIN });
const customerMessages = (t: Ticket) => t.messages.filter((m) => m.author.kind === 'customer');

describe('emailChannel inbound', () => {
  it('opens a ticket from a human mail, sanitises HTML, keeps attachments and acknowledges once', async () => {
    const { channel, desk, sent, store } = setup();
    const text = 'My printer is on fire.\r\n\r\nAnn';
    const html = '<p onclick="steal()">My printer is <b>on fire</b>.<script>alert(1)</script></p>';
    const result = await channel.ingest(
      raw({
        from: 'Ann <ann@example.org>',
        subject: 'Printer',
        body: text,
        html,
        messageId: 'c1@example.org',
      }),
    );
    expect(result).toMatchObject({ action: 'opened', classification: 'human', autoReplied: true });
    const ticket = await load(desk, result.ticketId!);
    expect(ticket.channel).toBe('email');
    expect(ticket.requester).toMatchObject({ id: 'ann@example.org', email: 'ann@example.org', name: 'Ann' });
    const [first] = ticket.messages;
    expect(first!.body).toContain('My printer is on fire.');
    expect(first!.html).toContain('<b>on fire</b>');
    expect(first!.html).not.toMatch(/script|onclick/);
    expect(first!.email).toMatchObject({
      messageId: '<c1@example.org>',
      from: 'ann@example.org',
      classification: 'human',
    });
    expect(await store.messages.get('<c1@example.org>')).toBe(ticket.id);

    // The acknowledgement went out as automated mail, and is recorded as sent.
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['ann@example.org']);
    expect(sent[0]!.headers['Auto-Submitted']).toBe('auto-replied');
    expect(sent[0]!.subject).toContain(`[#${ticket.number}]`);
    expect(emailState(ticket).deliveries.filter((d) => d.status === 'sent')).toHaveLength(1);
    expect(ticket.status).toBe('new');
  });

  it('stores attachments in the BlobStore, inline images with their Content-ID', async () => {
    const { channel, desk, store } = setup({ autoReply: false });
    const png = 'iVBORw0KGgo=';
    const message = [
      'From: ann@example.org',
      'To: support@example.com',
      'Subject: Screenshot',
      'Message-ID: <att1@example.org>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:shot1@example.org"></p>',
      '--r',
      'Content-Type: image/png; name="shot.png"',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <shot1@example.org>',
      'Content-Disposition: inline; filename="shot.png"',
      '',
      png,
      '--r--',
      '',
    ].join('\r\n');
    const result = await channel.ingest(message);
    const ticket = await load(desk, result.ticketId!);
    const [attachment] = ticket.messages[0]!.attachments;
    expect(attachment).toMatchObject({ filename: 'shot.png', contentType: 'image/png', inline: true });
    expect(attachment!.contentId).toContain('shot1@example.org');
    const bytes = await store.blobs.get(attachment!.blob!);
    expect(Array.from(bytes!.slice(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(ticket.messages[0]!.html).toContain('cid:shot1@example.org');
  });

  it('files the same mail delivered three times once, also when the deliveries race', async () => {
    const { channel, desk } = setup({ autoReply: false });
    const mail = raw({
      from: 'ann@example.org',
      subject: 'Once',
      body: 'Hello',
      messageId: 'dup@example.org',
    });
    const results = await Promise.all([channel.ingest(mail), channel.ingest(mail), channel.ingest(mail)]);
    expect(results.map((r) => r.action).sort()).toEqual(['duplicate', 'duplicate', 'opened']);
    const again = await channel.ingest(mail);
    expect(again.action).toBe('duplicate');
    const page = await desk.query({}, { actor: ADMIN });
    expect(page.items).toHaveLength(1);
    expect((await load(desk, results[0]!.ticketId!)).messages).toHaveLength(1);

    // A reply delivered twice in a row is one message as well.
    const reply = raw({
      from: 'ann@example.org',
      subject: 'Re: Once',
      body: 'More',
      messageId: 'dup2@example.org',
      inReplyTo: 'dup@example.org',
    });
    const [a, b] = await Promise.all([channel.ingest(reply), channel.ingest(reply)]);
    expect([a.action, b.action].sort()).toEqual(['appended', 'duplicate']);
    expect(customerMessages(await load(desk, a.ticketId!))).toHaveLength(2);
  });

  it('appends a reply to our mail by its Message-ID, with only the new text visible', async () => {
    const { channel, desk, sent } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: 'Printer',
        body: 'It is on fire',
        messageId: 'c1@example.org',
      }),
    );
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'Unplug it, please.', visibility: 'public' },
      { actor: AGENT },
    );
    expect(sent).toHaveLength(1);
    const ours = sent[0]!;
    expect(ours.inReplyTo).toContain('c1@example.org');
    expect(ours.headers['Auto-Submitted']).toBeUndefined();

    const reply = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: `Re: ${ours.subject}`,
        body: `Done, it is out.\r\n\r\nOn Mon, 2 Nov 2026 at 10:05, Support <support@example.com> wrote:\r\n> Unplug it, please.\r\n`,
        messageId: 'c2@example.org',
        inReplyTo: ours.messageId.replace(/[<>]/g, ''),
        references: ['c1@example.org', ours.messageId.replace(/[<>]/g, '')],
      }),
    );
    expect(reply).toMatchObject({ action: 'appended', ticketId: opened.ticketId });
    expect(reply.evidence).toBeDefined();
    const ticket = await load(desk, opened.ticketId!);
    const last = customerMessages(ticket).at(-1)!;
    expect(last.body).toBe('Done, it is out.');
    expect(ticket.category).toBe('open');
  });

  it('does not let a stranger join a ticket by quoting its number', async () => {
    const { channel, desk } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    const ticket = await load(desk, opened.ticketId!);
    const stranger = await channel.ingest(
      raw({
        from: 'mallory@evil.example',
        subject: `Re: Printer [#${ticket.number}]`,
        body: 'Let me in',
        messageId: 'm1@evil.example',
      }),
    );
    expect(stranger.action).toBe('opened');
    expect(stranger.ticketId).not.toBe(ticket.id);
    expect(customerMessages(await load(desk, ticket.id))).toHaveLength(1);

    // The requester quoting the number is enough.
    const own = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: `Printer again [#${ticket.number}]`,
        body: 'Still',
        messageId: 'c9@example.org',
      }),
    );
    expect(own).toMatchObject({ action: 'appended', ticketId: ticket.id });
  });

  it('never opens, reopens or acknowledges for auto-replies; records them on the ticket as automatic', async () => {
    const { channel, desk, sent } = setup();
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    expect(sent).toHaveLength(1); // the acknowledgement
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'Fixed?', visibility: 'public' },
      { actor: AGENT },
    );
    await desk.execute(
      { type: 'changeStatus', ticketId: opened.ticketId!, status: 'solved' },
      { actor: AGENT },
    );
    expect(sent).toHaveLength(2);
    const ours = sent[1]!;
    const ooo = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: `Out of office: ${ours.subject}`,
        body: 'I am away until Monday.',
        messageId: 'ooo1@example.org',
        inReplyTo: ours.messageId.replace(/[<>]/g, ''),
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    expect(ooo.classification).toBe('auto-reply');
    const ticket = await load(desk, opened.ticketId!);
    expect(ticket.category).toBe('solved');
    expect(sent).toHaveLength(2); // no ping-pong
    if (ooo.action === 'appended') expect(customerMessages(ticket).at(-1)!.body).toContain('away');
    else expect(ooo.action).toBe('dropped');

    // An auto-reply that answers nothing of ours opens nothing.
    const stray = await channel.ingest(
      raw({
        from: 'bob@example.org',
        subject: 'Automatic reply: hello',
        body: 'Away',
        messageId: 'ooo2@example.org',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    expect(stray.action).toBe('dropped');
    expect((await desk.query({}, { actor: ADMIN })).items).toHaveLength(1);
    expect(sent).toHaveLength(2);
  });

  it('drops bulk mail with the reason', async () => {
    const { channel, desk } = setup();
    const result = await channel.ingest(
      raw({
        from: 'news@shop.example',
        subject: 'Deals',
        body: 'Buy',
        messageId: 'n1@shop.example',
        headers: { Precedence: 'bulk', 'List-Unsubscribe': '<mailto:u@shop.example>' },
      }),
    );
    expect(result.action).toBe('dropped');
    expect(result.reason).toMatch(/bulk/i);
    expect((await desk.query({}, { actor: ADMIN })).items).toHaveLength(0);
  });

  it('records a bounce against the delivery it answers and opens nothing', async () => {
    const { channel, desk, sent } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    const { ticket: replied } = await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    const agentMessage = replied.messages.at(-1)!;
    const ours = sent[0]!;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
      'To: support@example.com',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce1@mx.example.org>',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
      '',
      '--d',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--d',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; ann@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--d',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${ours.messageId}`,
      'From: support@example.com',
      'To: ann@example.org',
      `Subject: ${ours.subject}`,
      '',
      '--d--',
      '',
    ].join('\r\n');
    const result = await channel.ingest(dsn);
    expect(result).toMatchObject({ action: 'dropped', classification: 'bounce', ticketId: opened.ticketId });
    expect(result.bounce).toMatchObject({
      ticketMessageId: agentMessage.id,
      recipient: 'ann@example.org',
      status: '5.1.1',
      permanent: true,
    });
    const ticket = await load(desk, opened.ticketId!);
    const failed = emailState(ticket).deliveries.filter((d) => d.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ messageId: agentMessage.id, permanent: true });
    expect((await desk.query({}, { actor: ADMIN })).items).toHaveLength(1);
    expect(await channel.ingest(dsn)).toMatchObject({ action: 'duplicate' });
    expect(
      emailState(await load(desk, opened.ticketId!)).deliveries.filter((d) => d.status === 'failed'),
    ).toHaveLength(1);
  });

  it('sends with the ticket’s signed address as envelope sender (VERP), and a bounce that quotes nothing lands by it', async () => {
    const { channel, desk, sent } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    const other = await channel.ingest(
      raw({ from: 'bob@example.org', subject: 'Scanner', body: 'Smoke', messageId: 'c2@example.org' }),
    );
    const { ticket: replied } = await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    await desk.execute(
      { type: 'postMessage', ticketId: other.ticketId!, body: 'Looking', visibility: 'public' },
      { actor: AGENT },
    );
    const envelope = sent[0]!.envelope!.from;
    // The bare reply address: what Reply-To names, without the display name.
    expect(sent[0]!.replyTo!.replace(/^.*<|>$/g, '')).toBe(envelope);
    expect(envelope).toMatch(/^support\+[^@]+@example\.com$/);
    expect(sent[1]!.envelope!.from).not.toBe(envelope);
    let n = 0;
    const dsn = (to: string, recipient: string) =>
      [
        'From: MAILER-DAEMON@mx.example.org',
        `To: ${to}`,
        'Subject: failure notice',
        `Message-ID: <bounce${++n}@mx.example.org>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
        '',
        '--d',
        'Content-Type: text/plain',
        '',
        'Sorry, we could not deliver your message.',
        '--d',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        `Final-Recipient: rfc822; ${recipient}`,
        'Action: failed',
        'Status: 5.2.2',
        '',
        '--d--',
        '',
      ].join('\r\n');
    const result = await channel.ingest(dsn(envelope, 'ann@example.org'));
    expect(result).toMatchObject({ action: 'dropped', classification: 'bounce', ticketId: opened.ticketId });
    expect(result.bounce).toMatchObject({ ticketMessageId: replied.messages.at(-1)!.id, status: '5.2.2' });
    const failed = emailState(await load(desk, opened.ticketId!)).deliveries.filter(
      (d) => d.status === 'failed',
    );
    expect(failed).toMatchObject([{ messageId: replied.messages.at(-1)!.id, permanent: true }]);
    // A forged token, or a recipient we never sent that ticket's mail to, finds nothing.
    const forged = envelope.replace(/\+([^@]{4})/, '+zzzz');
    expect(await channel.ingest(dsn(forged, 'ann@example.org'))).toMatchObject({ action: 'dropped' });
    expect(await channel.ingest(dsn(envelope, 'eve@example.org'))).not.toHaveProperty('bounce');
    expect(
      emailState(await load(desk, opened.ticketId!)).deliveries.filter((d) => d.status === 'failed'),
    ).toHaveLength(1);
    expect(
      emailState(await load(desk, other.ticketId!)).deliveries.filter((d) => d.status === 'failed'),
    ).toHaveLength(0);
  });

  it('drops our own mail coming back (a loop)', async () => {
    const { channel, desk, sent } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    const ours = sent[0]!;
    const back = await channel.ingest(
      raw({
        from: 'support@example.com',
        to: 'support@example.com',
        subject: ours.subject,
        body: ours.text,
        messageId: ours.messageId.replace(/[<>]/g, ''),
      }),
    );
    expect(back.action).toBe('dropped');
    expect(back.reason).toMatch(/loop/);
    expect(customerMessages(await load(desk, opened.ticketId!))).toHaveLength(1);
  });

  it('opens a follow-up for a reply to a closed ticket, and sends to a merged ticket’s target', async () => {
    const { channel, desk, sent } = setup({ autoReply: false });
    const a = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'A', body: 'a', messageId: 'a1@example.org' }),
    );
    await desk.execute(
      { type: 'postMessage', ticketId: a.ticketId!, body: 'Reply A', visibility: 'public' },
      { actor: AGENT },
    );
    const toA = sent.at(-1)!;
    await desk.execute({ type: 'changeStatus', ticketId: a.ticketId!, status: 'solved' }, { actor: AGENT });
    await desk.execute({ type: 'changeStatus', ticketId: a.ticketId!, status: 'closed' }, { actor: AGENT });
    const late = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: `Re: ${toA.subject}`,
        body: 'One more thing',
        messageId: 'a2@example.org',
        inReplyTo: toA.messageId.replace(/[<>]/g, ''),
      }),
    );
    expect(late.action).toBe('follow-up');
    expect(late.ticketId).not.toBe(a.ticketId);
    expect((await load(desk, late.ticketId!)).messages[0]!.body).toBe('One more thing');

    const b = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'B', body: 'b', messageId: 'b1@example.org' }),
    );
    const c = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'C', body: 'c', messageId: 'c1@example.org' }),
    );
    await desk.execute({ type: 'merge', ticketId: b.ticketId!, into: c.ticketId! }, { actor: AGENT });
    const toMerged = await channel.ingest(
      raw({
        from: 'ann@example.org',
        subject: 'Re: B',
        body: 'about b',
        messageId: 'b2@example.org',
        inReplyTo: 'b1@example.org',
      }),
    );
    expect(toMerged).toMatchObject({ action: 'appended', ticketId: c.ticketId });
  });

  it('lets a Cc of the ticket reply, copies them on agent replies, and keeps the original mail', async () => {
    const { channel, desk, sent, store } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({
        from: 'ann@example.org',
        cc: 'Bob <bob@example.org>, support@example.com',
        subject: 'Printer',
        body: 'Fire\r\n> old quote',
        messageId: 'c1@example.org',
      }),
    );
    let ticket = await load(desk, opened.ticketId!);
    expect(ticket.cc).toEqual(['bob@example.org']);
    const original = ticket.messages[0]!.attachments.find((a) => a.filename === 'original.eml')!;
    expect(original.contentType).toBe('message/rfc822');
    expect(new TextDecoder().decode(await store.blobs.get(original.blob!))).toContain('> old quote');

    // Stored for this ticket, so the agent may attach it.
    const blob = await store.blobs.put(new TextEncoder().encode('steps'), {
      contentType: 'text/plain',
      ticketId: ticket.id,
    });
    await desk.execute(
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'See attached.',
        visibility: 'public',
        attachments: [{ filename: 'steps.txt', contentType: 'text/plain', size: 5, blob }],
      },
      { actor: AGENT },
    );
    expect(sent[0]).toMatchObject({ to: ['ann@example.org'], cc: ['bob@example.org'] });
    expect(new TextDecoder().decode(sent[0]!.attachments![0]!.content)).toBe('steps');

    const bob = await channel.ingest(
      raw({
        from: 'Bob <bob@example.org>',
        subject: `Re: ${sent[0]!.subject}`,
        body: 'Thanks!',
        messageId: 'b1@example.org',
        inReplyTo: 'c1@example.org',
      }),
    );
    expect(bob).toMatchObject({ action: 'appended', ticketId: ticket.id });
    ticket = await load(desk, ticket.id);
    expect(ticket.messages.at(-1)).toMatchObject({ body: 'Thanks!', email: { from: 'bob@example.org' } });
    expect(ticket.messages.at(-1)!.author).toMatchObject({ kind: 'customer', email: 'bob@example.org' });
  });

  it('acknowledges to the sender only, not to the Cc', async () => {
    const { channel, sent } = setup();
    await channel.ingest(
      raw({
        from: 'ann@example.org',
        cc: 'bob@example.org',
        subject: 'Printer',
        body: 'Fire',
        messageId: 'c1@example.org',
      }),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['ann@example.org']);
    expect(sent[0]!.cc).toBeUndefined();
  });

  it('rate-limits acknowledgements per sender', async () => {
    const { channel, sent } = setup({ maxAutoRepliesPerSenderPerHour: 2 });
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await channel.ingest(
          raw({ from: 'ann@example.org', subject: `Q${i}`, body: 'q', messageId: `q${i}@example.org` }),
        ),
      );
    }
    expect(results.map((r) => r.action)).toEqual(['opened', 'opened', 'opened', 'opened']);
    expect(results.map((r) => r.autoReplied)).toEqual([true, true, false, false]);
    expect(sent).toHaveLength(2);
  });

  it('drops a bounce for mail we never sent, and works only once in a desk', async () => {
    const loose = emailChannel({
      address: 'support@example.com',
      secret: 'test-secret',
      transport: { send: async () => ({ accepted: [], rejected: [] }) },
    });
    await expect(loose.ingest('From: a@b\r\n\r\nhi')).rejects.toMatchObject({ code: 'config' });

    const { channel, desk } = setup();
    const result = await channel.ingest(
      raw({
        from: 'MAILER-DAEMON@mx.example.org',
        subject: 'Undelivered Mail Returned to Sender',
        body: 'Delivery failed',
        messageId: 'b9@mx.example.org',
        inReplyTo: 'unknown@elsewhere.example',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    expect(result.action).toBe('dropped');
    expect((await desk.query({}, { actor: ADMIN })).items).toHaveLength(0);
  });

  it('maps senders through resolveCustomer, and with senderCheck off lets [#N] alone decide', async () => {
    const { channel, desk } = setup({
      autoReply: false,
      senderCheck: 'off',
      resolveCustomer: ({ address, name }) => ({
        id: `cust:${address}`,
        email: address,
        ...(name ? { name } : {}),
      }),
    });
    const opened = await channel.ingest(
      raw({ from: 'Ann <ann@example.org>', subject: 'Q', body: 'q', messageId: 'q1@example.org' }),
    );
    const ticket = await load(desk, opened.ticketId!);
    expect(ticket.requester).toMatchObject({ id: 'cust:ann@example.org', email: 'ann@example.org' });
    const other = await channel.ingest(
      raw({
        from: 'carl@example.org',
        subject: `About [#${ticket.number}]`,
        body: 'me too',
        messageId: 'k1@example.org',
      }),
    );
    expect(other).toMatchObject({ action: 'appended', ticketId: ticket.id, evidence: 'subject-reference' });
  });

  it('trims an HTML-only reply through its text and keeps the sanitised HTML', async () => {
    const { channel, desk } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Q', body: 'q', messageId: 'h0@example.org' }),
    );
    const message = [
      'From: ann@example.org',
      'To: support@example.com',
      'Subject: Re: Q',
      'Message-ID: <h1@example.org>',
      'In-Reply-To: <h0@example.org>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<div>New answer</div><div>On Mon, 2 Nov 2026, Support &lt;support@example.com&gt; wrote:</div><blockquote>old text</blockquote><img src="https://tracker.example/p.gif">',
      '',
    ].join('\r\n');
    const result = await channel.ingest(message);
    expect(result).toMatchObject({ action: 'appended', ticketId: opened.ticketId });
    const last = (await load(desk, opened.ticketId!)).messages.at(-1)!;
    expect(last.body).toBe('New answer');
    expect(last.html).toContain('old text');
    expect(last.html).not.toContain('tracker.example');
  });

  it('dedupes mail without a Message-ID by its bytes, and tolerates odd Cc groups', async () => {
    const { channel, desk } = setup({ autoReply: false });
    const message = [
      'From: ann@example.org',
      'To: support@example.com',
      'Cc: undisclosed-recipients:;',
      'Subject: No id',
      '',
      'Hello',
      '',
    ].join('\r\n');
    const first = await channel.ingest(message);
    const second = await channel.ingest(message);
    expect(first.action).toBe('opened');
    expect(second).toMatchObject({ action: 'duplicate', ticketId: first.ticketId });
    const ticket = await load(desk, first.ticketId!);
    expect(ticket.cc).toEqual([]);
    expect(ticket.messages).toHaveLength(1);
  });

  it('rejects malformed and oversized input with ValidationError', async () => {
    const { channel } = setup({ maxSize: 1000 });
    await expect(channel.ingest('x'.repeat(2000))).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('emailChannel outbound', () => {
  it('retries a failed send on tick: one mail, one EmailSent, and a later tick sends nothing', async () => {
    const env = setup({ autoReply: false, failures: 1, retryDelayMs: 60_000 });
    const { channel, desk, sent } = env;
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    let ticket = await load(desk, opened.ticketId!);
    expect(sent).toHaveLength(0);
    expect(emailState(ticket).deliveries).toMatchObject([
      { status: 'failed', attempts: 1, permanent: false },
    ]);

    await desk.tick(env.advance(1000)); // before the retry is due
    expect(sent).toHaveLength(0);
    await desk.tick(env.advance(60_000));
    expect(sent).toHaveLength(1);
    ticket = await load(desk, opened.ticketId!);
    expect(emailState(ticket).deliveries.filter((d) => d.status === 'sent')).toMatchObject([{ attempts: 2 }]);
    await desk.tick(env.advance(3_600_000));
    expect(sent).toHaveLength(1);
    expect(emailState(await load(desk, opened.ticketId!)).deliveries).toHaveLength(2);
  });

  it('after a crash between commit and send, a desk on the same store sends the mail exactly once', async () => {
    const store = inMemoryStore();
    // The first process commits the reply and dies before its channel could send anything.
    const crashed = createHelpdesk({ store, clock: { now: () => new Date('2026-11-02T09:59:00Z') } });
    const { ticket } = await crashed.execute(
      {
        type: 'openTicket',
        channel: 'email',
        requester: { id: 'ann@example.org', email: 'ann@example.org' },
        subject: 'Printer',
        body: 'Fire',
      },
      { actor: { kind: 'customer', id: 'ann@example.org' } },
    );
    await crashed.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    await crashed.close();

    const restarted = setup({ store, autoReply: false });
    await restarted.desk.tick(restarted.advance(0));
    expect(restarted.sent).toHaveLength(1);
    expect(restarted.sent[0]!.messageId).toContain(ticket.id);
    const after = await load(restarted.desk, ticket.id);
    expect(emailState(after).deliveries).toMatchObject([{ status: 'sent', attempts: 1 }]);

    await restarted.desk.tick(restarted.advance(3_600_000));
    // A third process starting over the same log sends nothing either.
    const third = setup({ store, autoReply: false });
    await third.desk.tick(third.advance(0));
    expect(restarted.sent).toHaveLength(1);
    expect(third.sent).toHaveLength(0);
  });

  it('a restarted desk reads the log once and loads only the tickets with mail still to send', async () => {
    const inner = inMemoryStore();
    const first = setup({ store: inner, autoReply: false });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const opened = await first.channel.ingest(
        raw({ from: `c${i}@example.org`, subject: `T${i}`, body: 'x', messageId: `m${i}@example.org` }),
      );
      ids.push(opened.ticketId!);
      await first.desk.execute(
        { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
        { actor: AGENT },
      );
    }
    // One more reply fails (transiently): its ticket is the only one with mail left to send.
    first.failNext(1);
    await first.desk.execute(
      { type: 'postMessage', ticketId: ids[3]!, body: 'Again', visibility: 'public' },
      { actor: AGENT },
    );
    expect(first.sent).toHaveLength(20);
    await first.desk.close();

    const loaded: string[] = [];
    const store: Store = {
      ...inner,
      events: {
        ...inner.events,
        readStream: (streamId, options) => {
          loaded.push(streamId);
          return inner.events.readStream(streamId, options);
        },
      },
    };
    const restarted = setup({ store, autoReply: false });
    await restarted.desk.tick(restarted.advance(120_000));
    expect(restarted.sent.map((m) => m.text)).toEqual(['Again']);
    expect(new Set(loaded)).toEqual(new Set([`ticket-${ids[3]}`]));
  });

  it('several desks ticking at once on one store send each mail once; a claim that lapses is taken over', async () => {
    const store = inMemoryStore();
    let now = new Date('2026-11-02T10:00:00Z');
    const wire: { by: string; mail: OutboundEmail }[] = [];
    const hung: (() => void)[] = [];
    const instance = (name: string, opts: { hang?: boolean } = {}) => {
      const channel = emailChannel({
        address: 'support@example.com',
        secret: 'test-secret',
        autoReply: false,
        sendOnCommit: false,
        claimant: name,
        claimLeaseMs: 10_000,
        transport: {
          async send(mail) {
            wire.push({ by: name, mail });
            if (opts.hang) {
              // This instance dies mid-send: its send never answers.
              await new Promise<void>((_, reject) => hung.push(() => reject(new Error('process died'))));
            }
            await new Promise((r) => setTimeout(r, 5));
            return { accepted: mail.to, rejected: [] };
          },
        },
      });
      const desk = createHelpdesk({ store, clock: { now: () => now }, extensions: [channel] });
      return { channel, desk };
    };
    const a = instance('a');
    const b = instance('b');
    const c = instance('c');
    const opened = await a.channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    const ticketId = opened.ticketId!;
    await a.desk.execute(
      { type: 'postMessage', ticketId, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    await Promise.all([a.desk.tick(now), b.desk.tick(now), c.desk.tick(now)]);
    expect(wire).toHaveLength(1);
    let ticket = await load(b.desk, ticketId);
    expect(emailState(ticket).deliveries).toMatchObject([{ status: 'sent', attempts: 1 }]);
    expect(emailState(ticket).sendClaims).toHaveLength(1);
    expect(emailState(ticket).sendClaims[0]!.claimant).toBe(wire[0]!.by);

    // An instance claims the next mail and dies while sending it.
    await a.desk.execute(
      { type: 'postMessage', ticketId, body: 'Fixed', visibility: 'public' },
      { actor: AGENT },
    );
    const dead = instance('dead', { hang: true });
    void dead.desk.tick(now);
    for (let i = 0; i < 100 && wire.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(wire.map((w) => w.by)).toEqual([wire[0]!.by, 'dead']);
    now = new Date(now.getTime() + 9_999); // the claim still runs: nobody else sends
    await Promise.all([b.desk.tick(now), c.desk.tick(now)]);
    expect(wire).toHaveLength(2);
    now = new Date(now.getTime() + 1); // it lapsed: one of the others sends, once
    await Promise.all([b.desk.tick(now), c.desk.tick(now)]);
    expect(wire).toHaveLength(3);
    expect(wire[2]!.mail.messageId).toBe(wire[1]!.mail.messageId);
    ticket = await load(b.desk, ticketId);
    const second = ticket.messages.at(-1)!.id;
    expect(emailState(ticket).deliveries.filter((d) => d.messageId === second)).toMatchObject([
      { status: 'sent' },
    ]);
    expect(
      emailState(ticket)
        .sendClaims.filter((x) => x.messageId === second)
        .map((x) => x.claimant),
    ).toEqual(['dead', wire[2]!.by]);
    for (const die of hung) die();
  });

  it('a resend after a send whose outcome was lost is the same mail (same Message-ID), recorded once', async () => {
    const wire: OutboundEmail[] = [];
    let lose = 1;
    const channel = emailChannel({
      address: 'support@example.com',
      secret: 'test-secret',
      autoReply: false,
      retryDelayMs: 1000,
      transport: {
        async send(mail) {
          wire.push(mail);
          if (lose-- > 0) throw new Error('connection lost after DATA');
          return { accepted: mail.to, rejected: [] };
        },
      },
    });
    let now = new Date('2026-11-02T10:00:00Z');
    const desk = createHelpdesk({ clock: { now: () => now }, extensions: [channel] });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'P', body: 'x', messageId: 'c1@example.org' }),
    );
    await desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    now = new Date(now.getTime() + 5000);
    await desk.tick(now);
    await desk.tick(new Date(now.getTime() + 5000));
    expect(wire).toHaveLength(2);
    expect(wire[1]!.messageId).toBe(wire[0]!.messageId);
    expect(wire[1]!.text).toBe(wire[0]!.text);
    const ticket = await load(desk, opened.ticketId!);
    expect(emailState(ticket).deliveries.map((d) => d.status)).toEqual(['failed', 'sent']);
  });

  it('with sendOnCommit off, execute sends nothing and the next tick does; a hung transport times out', async () => {
    const env = setup({ autoReply: false, sendOnCommit: false });
    const opened = await env.channel.ingest(
      raw({ from: 'ann@example.org', subject: 'P', body: 'x', messageId: 'c1@example.org' }),
    );
    await env.desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    expect(env.sent).toHaveLength(0);
    await env.desk.tick(env.advance(0));
    expect(env.sent).toHaveLength(1);

    let hungSends = 0;
    const hung = emailChannel({
      address: 'support@example.com',
      secret: 'test-secret',
      autoReply: false,
      sendTimeoutMs: 20,
      transport: {
        send: () => {
          hungSends++;
          return new Promise(() => {});
        },
      },
    });
    let hungNow = new Date('2026-11-02T10:00:00Z');
    const desk = createHelpdesk({ clock: { now: () => hungNow }, extensions: [hung] });
    const t = await hung.ingest(
      raw({ from: 'ann@example.org', subject: 'P', body: 'x', messageId: 'c1@example.org' }),
    );
    const { ticket } = await desk.execute(
      { type: 'postMessage', ticketId: t.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    // A send that timed out may have been delivered: its outcome is unknown, and the mail is not
    // sent again (it was, as a failure to retry, and customers got it twice).
    expect(emailState(ticket).deliveries).toMatchObject([{ status: 'unknown', attempts: 1 }]);
    expect(emailState(ticket).deliveries[0]!.error).toMatch(/^the transport did not answer within 20 ms/);
    hungNow = new Date(hungNow.getTime() + 3_600_000);
    await desk.tick(hungNow);
    expect(hungSends).toBe(1);
  });

  it('gives up after a permanent failure and after maxAttempts transient ones', async () => {
    const env = setup({ autoReply: false, failures: 10, maxAttempts: 3, retryDelayMs: 1000 });
    const opened = await env.channel.ingest(
      raw({ from: 'ann@example.org', subject: 'P', body: 'x', messageId: 'c1@example.org' }),
    );
    await env.desk.execute(
      { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
      { actor: AGENT },
    );
    for (let i = 0; i < 6; i++) await env.desk.tick(env.advance(60_000));
    const ticket = await load(env.desk, opened.ticketId!);
    expect(emailState(ticket).deliveries.map((d) => d.attempts)).toEqual([1, 2, 3]);
    expect(emailState(ticket).deliveries.at(-1)!.permanent).toBe(true);
    expect(env.sent).toHaveLength(0);
  });

  it('mails an internal note that is a notification to its addresses, as automated mail, with its text', async () => {
    const { desk, channel, sent } = setup({ autoReply: false });
    const opened = await channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    const { ticket } = await desk.execute(
      {
        type: 'postMessage',
        ticketId: opened.ticketId!,
        body: 'Notified the lead',
        visibility: 'internal',
        notify: { to: ['Lead@Example.com', 'agent-7', 'support@example.com'], text: 'Urgent ticket' },
      },
      { actor: { kind: 'automation', id: 'escalate' } },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ['lead@example.com'], text: 'Urgent ticket' });
    expect(sent[0]!.cc).toBeUndefined();
    expect(sent[0]!.headers['Auto-Submitted']).toBe('auto-replied');
    const note = ticket.messages.at(-1)!;
    expect(emailState(await load(desk, ticket.id)).deliveries).toMatchObject([
      { messageId: note.id, status: 'sent', recipients: ['lead@example.com'] },
    ]);
    // Plain internal notes are never mailed.
    await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'Just a note', visibility: 'internal' },
      { actor: AGENT },
    );
    expect(sent).toHaveLength(1);
  });

  it('retries a notification whose send failed, and a failed send never fails the command', async () => {
    const env = setup({ autoReply: false, retryDelayMs: 1000 });
    const opened = await env.channel.ingest(
      raw({ from: 'ann@example.org', subject: 'Printer', body: 'Fire', messageId: 'c1@example.org' }),
    );
    env.failNext(2);
    const r = await env.desk.execute(
      {
        type: 'postMessage',
        ticketId: opened.ticketId!,
        body: 'Escalated',
        visibility: 'internal',
        notify: { to: ['lead@example.com'] },
      },
      { actor: AGENT },
    );
    expect(r.events.map((e) => e.type)).toEqual(['MessagePosted']);
    expect(env.sent).toHaveLength(0);
    await env.desk.tick(env.advance(1000));
    expect(env.sent).toHaveLength(0);
    await env.desk.tick(env.advance(2000));
    expect(env.sent).toHaveLength(1);
    expect(env.sent[0]).toMatchObject({ to: ['lead@example.com'], text: 'Escalated' });
    const ticket = await load(env.desk, opened.ticketId!);
    expect(emailState(ticket).deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['sent', 3],
    ]);
    // Sent once: later ticks leave it alone.
    await env.desk.tick(env.advance(60_000));
    expect(env.sent).toHaveLength(1);
  });
});
