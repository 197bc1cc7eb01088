import {
  type Actor,
  createHelpdesk,
  type Extension,
  type ExtensionContext,
  inMemoryStore,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type Notification, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io' };
const agent: Actor = { kind: 'agent', id: 'a1' };

function setup() {
  const sent: Notification[] = [];
  // Mail is filed by a channel through its extension context (the email channel does this): only
  // such trusted commands may carry `email` and its classification.
  let channel: ExtensionContext | undefined;
  const mailbox: Extension = {
    name: 'mailbox',
    init(ctx) {
      channel = ctx;
    },
  };
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date('2026-03-02T09:00:00.000Z') },
    extensions: [
      mailbox,
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
  const file = (command: ReturnType<typeof mail>) => channel!.execute(command, { actor: customer });
  return { desk, sent, file };
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
    const { desk, sent, file } = setup();
    const { ticket } = await file(mail('auto-reply'));
    const r = { ticket: await desk.get(ticket.id, { actor: agent }) };
    expect(r.ticket.messages.map((m) => m.author.kind)).toEqual(['customer']);
    expect(sent).toEqual([]);
    expect(r.ticket.tags).toEqual(['acknowledged']);
  });

  it('when it was a human mail, then it is answered and notified', async () => {
    const { desk, sent, file } = setup();
    const { ticket } = await file(mail('human'));
    const r = { ticket: await desk.get(ticket.id, { actor: agent }) };
    expect(r.ticket.messages.map((m) => m.author.kind)).toEqual(['customer', 'automation', 'automation']);
    expect(sent).toHaveLength(1);
  });
});
