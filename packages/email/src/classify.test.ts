import { describe, expect, it } from 'vitest';
import { classifyEmail } from './classify';
import type { ParsedEmail } from './parse';

const mail = (headers: Record<string, string>, over: Partial<ParsedEmail> = {}): ParsedEmail => ({
  references: [],
  to: [],
  cc: [],
  replyTo: [],
  subject: 'Hello',
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  attachments: [],
  size: 0,
  from: { address: 'ann@c.test', name: '' },
  ...over,
});

describe('classifyEmail', () => {
  it('calls ordinary mail human', () => {
    expect(classifyEmail(mail({}))).toEqual({ kind: 'human', reasons: [], suppressAutoReply: false });
    expect(classifyEmail(mail({ 'auto-submitted': 'no' })).kind).toBe('human');
  });

  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'auto-submitted: auto-replied'],
    [{ 'x-autoreply': 'yes' }, 'x-autoreply: yes'],
    [{ 'x-autorespond': 'yes' }, 'x-autorespond: yes'],
    [{ precedence: 'auto_reply' }, 'precedence: auto_reply'],
  ])('calls %j an auto-reply', (headers, reason) => {
    const c = classifyEmail(mail(headers));
    expect(c.kind).toBe('auto-reply');
    expect(c.reasons).toContain(reason);
    expect(c.suppressAutoReply).toBe(true);
  });

  it.each([
    'Automatic reply: Hello',
    'Out of Office: Hello',
    'Abwesenheitsnotiz: Hallo',
    'Réponse automatique : Bonjour',
    '自动回复: 你好',
    'Autosvar: Hej',
  ])('recognises the auto-reply subject %j', (subject) => {
    expect(classifyEmail(mail({}, { subject })).kind).toBe('auto-reply');
  });

  it('does not count X-Auto-Response-Suppress as automated, but honours it', () => {
    const c = classifyEmail(mail({ 'x-auto-response-suppress': 'DR, RN, NRN, OOF, AutoReply' }));
    expect(c.kind).toBe('human');
    expect(c.suppressAutoReply).toBe(true);
  });

  it('calls list mail bulk', () => {
    for (const h of [
      { precedence: 'bulk' },
      { precedence: 'list' },
      { precedence: 'junk' },
      { 'list-id': '<l.example>' },
      { 'list-unsubscribe': '<mailto:x>' },
    ]) {
      expect(classifyEmail(mail(h)).kind).toBe('bulk');
    }
  });

  it('calls a null Return-Path automated and a mailer-daemon a bounce', () => {
    expect(classifyEmail(mail({}, { returnPath: '' })).kind).toBe('auto-reply');
    expect(classifyEmail(mail({}, { from: { address: 'MAILER-DAEMON@mx.test', name: '' } })).kind).toBe(
      'bounce',
    );
    expect(classifyEmail(mail({}, { from: { address: 'postmaster@mx.test', name: '' } })).kind).toBe(
      'bounce',
    );
  });

  it('reads a DSN: recipient, status, permanence, VERP key and the bounced Message-ID', () => {
    const dsn = new TextEncoder().encode(
      'Reporting-MTA: dns; mx.test\n\nFinal-Recipient: rfc822; gone@c.test\nOriginal-Recipient: rfc822;old@c.test\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; slow@c.test\nAction: delayed\nStatus: 4.4.1\n',
    );
    const original = new TextEncoder().encode('Message-ID: <tessera.T-1.M-2@help.test>\nSubject: x\n\nbody');
    const c = classifyEmail(
      mail(
        { 'content-type': 'multipart/report; report-type=delivery-status; boundary="x"' },
        {
          to: [{ address: 'help+verp-abc123@help.test', name: '' }],
          attachments: [
            { contentType: 'message/delivery-status', content: dsn, size: dsn.length, inline: false },
            { contentType: 'message/rfc822', content: original, size: original.length, inline: false },
          ],
        },
      ),
    );
    expect(c.kind).toBe('bounce');
    expect(c.bounce).toMatchObject({
      recipient: 'gone@c.test',
      status: '5.1.1',
      permanent: true,
      action: 'failed',
      originalRecipient: 'old@c.test',
      verp: 'abc123',
      originalMessageId: '<tessera.T-1.M-2@help.test>',
    });
    expect(c.bounce!.recipients).toHaveLength(2);
  });

  it('sees loops: our own header, our Message-ID domain, too many hops', () => {
    expect(classifyEmail(mail({ 'x-tessera-ticket': 'T-1' })).kind).toBe('loop');
    expect(classifyEmail(mail({}), { ownAddresses: ['ANN@c.test'] }).kind).toBe('loop');
    expect(
      classifyEmail(mail({}, { messageId: '<tessera.T-1.M-1@help.test>' }), { ownDomains: ['help.test'] })
        .kind,
    ).toBe('loop');
    const hops = mail({});
    hops.headers.received = Array.from({ length: 30 }, (_, i) => `from h${i}`);
    expect(classifyEmail(hops).kind).toBe('loop');
    expect(classifyEmail(hops, { maxHops: 40 }).kind).toBe('human');
  });
});
