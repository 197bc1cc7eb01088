import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type Notification, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io' };

function setup() {
  const sent: Notification[] = [];
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date('2026-03-02T09:00:00.000Z') },
    extensions: [
      rules(
        defineRules({
          templates: { ack: 'We got it.', heads: 'New mail' },
          triggers: [
            {
              id: 'ack',
              on: ['TicketOpened'],
              then: [
                { type: 'reply', template: 'ack' },
                { type: 'notify', to: 'address', address: 'lead@desk.io', template: 'heads' },
                { type: 'addTags', tags: ['acknowledged'] },
              ],
            },
          ],
        }),
        { deliver: (n) => void sent.push(n) },
      ),
    ],
  });
  return { desk, sent };
}

const mail = (classification: string) =>
  ({
    type: 'openTicket',
    channel: 'email',
    requester: { id: 'c1', email: 'ann@acme.io' },
    subject: 'Re: your order',
    body: 'I am out of office until Monday.',
    email: { messageId: `<${classification}@mx>`, classification },
  }) as const;

describe('loop protection, given a trigger that replies and notifies when a ticket opens', () => {
  it('when the opening mail was classified automatic, then no reply and no notification; other actions still run', async () => {
    const { desk, sent } = setup();
    const r = await desk.execute(mail('auto-reply'), { actor: customer });
    expect(r.ticket.messages.map((m) => m.author.kind)).toEqual(['customer']);
    expect(sent).toEqual([]);
    expect(r.ticket.tags).toEqual(['acknowledged']);
  });

  it('when it was a human mail, then it is answered and notified', async () => {
    const { desk, sent } = setup();
    const r = await desk.execute(mail('human'), { actor: customer });
    expect(r.ticket.messages.map((m) => m.author.kind)).toEqual(['customer', 'automation', 'automation']);
    expect(sent).toHaveLength(1);
  });
});
