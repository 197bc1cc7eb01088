import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, expandCanned, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1', name: 'Ann' };

async function opened(definition: Parameters<typeof defineRules>[0], errors: string[] = []) {
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date('2026-03-02T09:00:00Z') },
    extensions: [rules(defineRules(definition), { onError: (e) => void errors.push((e as Error).message) })],
  });
  return (
    await desk.execute(
      {
        type: 'openTicket',
        channel: 'api',
        requester: { id: 'c1', name: 'Ann' },
        subject: 'Help',
        body: 'b',
      },
      { actor: customer },
    )
  ).ticket;
}

describe('templates, given a rule set', () => {
  it('when one renders another by name, then the named template is used', async () => {
    const ticket = await opened({
      templates: {
        signature: '-- {{ team | default: "Support" }}',
        ack: 'Hi {{ requester.name }}.\n{% render "signature" %}',
      },
      triggers: [{ id: 'ack', on: ['TicketOpened'], then: [{ type: 'reply', template: 'ack' }] }],
    });
    expect(ticket.messages.at(-1)?.body).toBe('Hi Ann.\n-- Support');
  });

  it('when one tries to include a file from the server, then nothing is read: the action is skipped and reported', async () => {
    const errors: string[] = [];
    const definition = {
      templates: { leak: "{% include 'package.json' %}", leak2: "{% render '../../package.json' %}" },
      triggers: [
        {
          id: 'leak',
          on: ['TicketOpened' as const],
          then: [
            { type: 'reply' as const, template: 'leak' },
            { type: 'reply' as const, template: 'leak2' },
            { type: 'addTags' as const, tags: ['still-runs'] },
          ],
        },
      ],
    };
    const ticket = await opened(definition, errors);
    expect(ticket.messages).toHaveLength(1);
    expect(ticket.tags).toEqual(['still-runs']);
    expect(errors).toHaveLength(2);
    expect(() => expandCanned(defineRules(definition), 'leak', ticket)).toThrow();
  });
});
