import { evolve, fold, moduleSet, type StoredEvent } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { emailChannel } from './channel';
import { emailState } from './state';

const customer = { kind: 'customer', id: 'c1' } as const;
const agent = { kind: 'agent', id: 'a1' } as const;
const system = { kind: 'system', id: 'mailer' } as const;
const modules = moduleSet([
  emailChannel({
    address: 'support@example.com',
    secret: 'state-test-secret-0123456789',
    transport: { send: async () => ({ accepted: [], rejected: [] }) },
  }),
]);

/** One ticket's stream: opened, an agent's reply, and (if `sent`) that reply's claim and delivery. */
function stream(ticketId: string, sent: boolean): StoredEvent[] {
  let version = 0;
  const at = '2026-01-01T00:00:00.000Z';
  const ev = (type: string, data: unknown, actor: StoredEvent['actor']) =>
    ({
      type,
      data,
      actor,
      eventId: `${ticketId}-${version + 1}`,
      occurredAt: at,
      schemaVersion: 1,
      streamId: `ticket-${ticketId}`,
      version: ++version,
      position: `${ticketId}-${version}`,
    }) as StoredEvent;
  const message = {
    messageId: 'm1',
    author: agent,
    visibility: 'public',
    body: 'Hi',
    channel: 'email',
    attachments: [],
  };
  return [
    ev(
      'TicketOpened',
      {
        ticketId,
        number: 1,
        subject: 'Printer',
        channel: 'email',
        requester: { id: 'c1' },
        workflowId: 'default',
        status: 'new',
        category: 'new',
        priority: 'normal',
        tags: [],
        fields: {},
      },
      customer,
    ),
    ev('MessagePosted', message, agent),
    ...(sent
      ? [
          ev('EmailSendClaimed', { messageId: 'm1', attempt: 1, claimant: 'p1', leaseUntil: at }, system),
          ev(
            'EmailSent',
            {
              messageId: 'm1',
              emailMessageId: '<m1@example.com>',
              recipients: ['ann@example.org'],
              accepted: ['ann@example.org'],
              rejected: [],
              attempts: 1,
            },
            system,
          ),
        ]
      : []),
  ];
}

describe('the email slice', () => {
  it('gives each ticket lists of its own: a delivery folded into one is in no other', () => {
    const sent = fold(stream('T1', true), modules)!;
    const quiet = fold(stream('T2', false), modules)!;
    const fresh = fold(stream('T3', false).slice(0, 1), modules)!;
    expect(emailState(sent)).toMatchObject({ pending: [], sendClaims: [{ messageId: 'm1' }] });
    expect(emailState(sent).deliveries).toHaveLength(1);
    expect(emailState(quiet)).toEqual({ deliveries: [], sendClaims: [], pending: ['m1'] });
    expect(emailState(fresh)).toEqual({ deliveries: [], sendClaims: [], pending: [] });
  });

  it('evolves a ticket folded without mail activity, leaving the ticket it started from as it was', () => {
    const events = stream('T1', true);
    const before = fold(events.slice(0, 2), modules)!;
    const after = evolve(before, events[2]!, modules);
    const done = evolve(after, events[3]!, modules);
    expect(emailState(before)).toEqual({ deliveries: [], sendClaims: [], pending: ['m1'] });
    expect(emailState(after).sendClaims).toHaveLength(1);
    expect(emailState(done)).toMatchObject({ pending: [], deliveries: [{ status: 'sent' }] });
    expect(emailState(fold(events.slice(0, 1), modules)!)).toEqual({
      deliveries: [],
      sendClaims: [],
      pending: [],
    });
  });
});
