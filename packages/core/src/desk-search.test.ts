import { describe, expect, it } from 'vitest';
import { createHelpdesk } from './desk';
import type { ExtensionContext } from './extension';
import { inMemoryStore } from './memory';
import type { Actor } from './model';

describe('counting a search on an index without count', () => {
  it('pages through query with the actor’s textScope', async () => {
    const store = inMemoryStore();
    const { count: _count, ...index } = store.index;
    let ctx: ExtensionContext | undefined;
    const desk = createHelpdesk({
      store: { ...store, index },
      extensions: [
        {
          name: 'probe',
          init: (c) => {
            ctx = c;
          },
        },
      ],
    });
    const customer: Actor = { kind: 'customer', id: 'c1' };
    const agent: Actor = { kind: 'agent', id: 'a1' };
    for (let i = 0; i < 3; i++) {
      const { ticket } = await desk.execute(
        { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: `Printer ${i}`, body: 'b' },
        { actor: customer },
      );
      await desk.execute(
        { type: 'postMessage', ticketId: ticket.id, body: 'secret word', visibility: 'internal' },
        { actor: agent },
      );
    }
    expect(await ctx!.count({ text: 'printer' }, { actor: customer })).toBe(3);
    expect(await ctx!.count({ text: 'secret' }, { actor: customer })).toBe(0);
    expect(await ctx!.count({ text: 'secret' }, { actor: agent })).toBe(3);
    expect(await ctx!.count({ text: 'secret' })).toBe(3);
  });
});
