import { type Actor, createHelpdesk, inMemoryStore, isTesseraError } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, expandCanned } from './index';

const customer: Actor = { kind: 'customer', id: 'c1', name: 'Ann' };

describe('canned responses, given templates', () => {
  const defined = defineRules({
    templates: {
      refund: 'Hi {{ requester.name }}, refunds for #{{ ticket.number }} take 5 days.\n{{ agent.name }}',
      latest: 'You wrote: "{{ message.body }}"',
    },
  });

  it('when an agent expands a shortcut, then it renders with the ticket, the latest message and the extra scope', async () => {
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
    });
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'portal',
        requester: { id: 'c1', name: 'Ann' },
        subject: 's',
        body: 'Where is my money?',
      },
      { actor: customer },
    );
    expect(expandCanned(defined, 'refund', ticket, { agent: { name: 'Maria' } })).toBe(
      'Hi Ann, refunds for #1 take 5 days.\nMaria',
    );
    expect(expandCanned(defined, 'latest', ticket)).toBe('You wrote: "Where is my money?"');
  });

  it('when the shortcut does not exist, then a not_found error names the known ones', async () => {
    const desk = createHelpdesk({ store: inMemoryStore() });
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: customer },
    );
    try {
      expandCanned(defined, 'refnud', ticket);
      expect.unreachable();
    } catch (error) {
      expect(isTesseraError(error, 'not_found')).toBe(true);
      expect((error as Error).message).toBe('no canned response "refnud"; known: refund, latest');
    }
  });
});
