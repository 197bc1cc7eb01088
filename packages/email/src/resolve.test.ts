import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from './parse';
import { replyAddress } from './reply-token';
import { resolveThread, type ThreadLookup, type ThreadTicket } from './resolve';

const secret = 'a-long-enough-test-secret';
const tickets: ThreadTicket[] = [
  {
    id: 'T-1',
    number: 1,
    category: 'open',
    requester: { email: 'ann@c.test' },
    followers: [{ email: 'fol@c.test' }],
    cc: ['Bob <bob@c.test>'],
  },
  { id: 'T-2', number: 2, category: 'merged', requester: { email: 'ann@c.test' }, mergedInto: 'T-1' },
  { id: 'T-3', number: 3, category: 'closed', requester: { email: 'ann@c.test' } },
  { id: 'T-4', number: 4, category: 'closed', requester: { email: 'ann@c.test' }, closedReplies: 'reject' },
  { id: 'T-5', number: 5, category: 'merged', requester: { email: 'ann@c.test' }, mergedInto: 'T-3' },
];
const index = new Map([
  ['<ours@help.test>', 'T-1'],
  ['<old@help.test>', 'T-2'],
]);
const lookup: ThreadLookup = {
  messages: { get: async (id) => index.get(id) },
  ticket: async (id) => tickets.find((t) => t.id === id),
  ticketByNumber: async (n) => tickets.find((t) => t.number === n),
};
const mail = (over: Partial<ParsedEmail>): ParsedEmail => ({
  references: [],
  to: [{ address: 'help@help.test', name: '' }],
  cc: [],
  replyTo: [],
  subject: 'Hello',
  headers: {},
  attachments: [],
  size: 0,
  from: { address: 'ann@c.test', name: 'Ann' },
  ...over,
});
const opts = { secret, address: 'help@help.test' };
const tokenTo = (id: string) => [
  { address: /<(.*)>/.exec(replyAddress('x <help@help.test>', id, secret))![1]!, name: '' },
];

describe('resolveThread', () => {
  it('uses the signed token first', async () => {
    expect(await resolveThread(mail({ to: tokenTo('T-1'), subject: '[#3] other' }), lookup, opts)).toEqual({
      action: 'append',
      ticketId: 'T-1',
      evidence: 'reply-token',
    });
  });

  it('ignores a token that does not verify, or one on another mailbox', async () => {
    const forged = [{ address: 'help+aaaa.bbbbbbbbbbbbbbbb@help.test', name: '' }];
    expect(await resolveThread(mail({ to: forged }), lookup, opts)).toMatchObject({ action: 'open' });
    expect(
      await resolveThread(
        mail({ to: [{ address: tokenTo('T-1')[0]!.address.replace('help+', 'sales+'), name: '' }] }),
        lookup,
        opts,
      ),
    ).toEqual({ action: 'open' });
  });

  it('then our Message-IDs in In-Reply-To / References', async () => {
    expect(await resolveThread(mail({ inReplyTo: '<ours@help.test>' }), lookup, opts)).toEqual({
      action: 'append',
      ticketId: 'T-1',
      evidence: 'message-id',
    });
    expect(
      await resolveThread(mail({ references: ['<x@y>', '<ours@help.test>', '<z@y>'] }), lookup, opts),
    ).toMatchObject({
      ticketId: 'T-1',
    });
  });

  it('routes a reply to a merged ticket to its target', async () => {
    expect(await resolveThread(mail({ inReplyTo: '<old@help.test>' }), lookup, opts)).toEqual({
      action: 'append',
      ticketId: 'T-1',
      evidence: 'message-id',
      mergedFrom: ['T-2'],
    });
  });

  it('opens a follow-up for a closed ticket, or refuses per workflow', async () => {
    expect(await resolveThread(mail({ to: tokenTo('T-3') }), lookup, opts)).toEqual({
      action: 'follow-up',
      of: 'T-3',
      evidence: 'reply-token',
    });
    expect(await resolveThread(mail({ to: tokenTo('T-5') }), lookup, opts)).toEqual({
      action: 'follow-up',
      of: 'T-3',
      evidence: 'reply-token',
    });
    expect(await resolveThread(mail({ to: tokenTo('T-4') }), lookup, opts)).toMatchObject({ action: 'drop' });
    expect(
      await resolveThread(mail({ to: tokenTo('T-3') }), lookup, { ...opts, closedReplies: 'reject' }),
    ).toMatchObject({
      action: 'drop',
    });
  });

  it('takes [#N] only from the requester, a follower or a Cc — unless senderCheck is off', async () => {
    for (const sender of ['ann@c.test', 'FOL@c.test', 'bob@c.test']) {
      expect(
        await resolveThread(
          mail({ subject: 'Re: [#1] Printer', from: { address: sender, name: '' } }),
          lookup,
          opts,
        ),
      ).toEqual({
        action: 'append',
        ticketId: 'T-1',
        evidence: 'subject-reference',
      });
    }
    const stranger = mail({ subject: 'Re: [#1] Printer', from: { address: 'eve@evil.test', name: '' } });
    expect(await resolveThread(stranger, lookup, opts)).toMatchObject({ action: 'open' });
    expect(await resolveThread(stranger, lookup, { ...opts, senderCheck: 'off' })).toMatchObject({
      ticketId: 'T-1',
    });
    expect(await resolveThread(mail({ text: 'About ticket [#1]' }), lookup, opts)).toMatchObject({
      evidence: 'body-reference',
    });
  });

  it('opens a new ticket when nothing matches', async () => {
    expect(await resolveThread(mail({}), lookup, opts)).toEqual({ action: 'open' });
  });

  it('tries a bounded number of reply tokens, and says so briefly, however many a mail carries', async () => {
    let loads = 0;
    const counting: ThreadLookup = {
      ...lookup,
      ticket: async (id) => {
        loads++;
        return lookup.ticket(id);
      },
    };
    const forged = Array.from({ length: 5000 }, (_, i) => ({
      address: `help+forged${i}@help.test`,
      name: '',
    }));
    const r = await resolveThread(mail({ cc: forged }), counting, { secret, address: 'help@help.test' });
    expect(r.action).toBe('open');
    expect(loads).toBe(0);
    const ignored = (r as { ignored?: string[] }).ignored!;
    expect(ignored).toHaveLength(20);
    // A real token still counts when it is among the first twenty.
    const real = await resolveThread(
      mail({
        cc: [...forged.slice(0, 5), { address: replyAddress('help@help.test', 'T-1', secret), name: '' }],
      }),
      lookup,
      { secret, address: 'help@help.test' },
    );
    expect(real).toMatchObject({ action: 'append', ticketId: 'T-1', evidence: 'reply-token' });
  });
});
