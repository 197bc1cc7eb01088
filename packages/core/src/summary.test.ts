import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import type { Extension } from './extension';
import type { Actor } from './model';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const open: Command = {
  type: 'openTicket',
  channel: 'api',
  requester: { id: 'c1' },
  subject: 's',
  body: 'b',
};

describe('an automated message is not the agent’s answer', () => {
  for (const kind of ['automation', 'system'] as const) {
    it(`a public acknowledgement by ${kind} keeps the ticket waiting on the agent`, async () => {
      const ack: Extension = {
        name: 'ack',
        react: async (c) => {
          if (c.events.some((e) => e.type === 'TicketOpened'))
            await c.execute({
              command: {
                type: 'postMessage',
                ticketId: c.ticket.id,
                body: 'We got it',
                visibility: 'public',
              },
              actor: { kind, id: 'ack' },
            });
        },
      };
      const desk = createHelpdesk({ extensions: [ack] });
      const { ticket } = await desk.execute(open, { actor: customer });
      const after = await desk.get(ticket.id, { actor: agent });
      expect(after.messages.map((m) => m.author.kind)).toEqual(['customer', kind]);
      expect(after.lastAgentReplyAt).toBeUndefined();
      expect(after.category).toBe('new');
      const queue = await desk.query({ queue: 'waiting-on-agent' }, { actor: agent });
      expect(queue.items.map((s) => s.id)).toEqual([ticket.id]);
      // An agent's reply does take it out.
      await desk.execute(
        { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
        { actor: agent },
      );
      expect((await desk.query({ queue: 'waiting-on-agent' }, { actor: agent })).items).toEqual([]);
    });
  }
});
