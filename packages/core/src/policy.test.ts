import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import type { Actor, Ticket } from './model';
import { defaultPolicy } from './policy';

const agent: Actor = { kind: 'agent', id: 'a1' };
const open: Extract<Command, { type: 'openTicket' }> = {
  type: 'openTicket',
  channel: 'api',
  requester: { id: 'c1' },
  subject: 's',
  body: 'b',
};
/** Kinds the desk does not know: each was treated as an admin before. */
const strangers = [
  { kind: 'guest', id: 'g1' },
  { kind: 'Customer', id: 'c1' },
  { id: 'c1' },
] as unknown as Actor[];

async function seeded() {
  const desk = createHelpdesk({ internalFields: ['margin'] });
  const { ticket } = await desk.execute({ ...open, fields: { margin: 40 } }, { actor: agent });
  await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'internal only', visibility: 'internal' },
    { actor: agent },
  );
  return { desk, ticket };
}

describe('the default policy fails closed', () => {
  it('refuses, hides and scopes out every actor kind it does not know', () => {
    const policy = defaultPolicy({ internalFields: ['margin'] });
    const ticket = { id: 'T1', requester: { id: 'c1' }, followers: [], cc: [] } as unknown as Ticket;
    for (const actor of strangers) {
      expect(policy.canView(actor, ticket)).toBe(false);
      expect(policy.authorize(actor, { type: 'tag', ticketId: 'T1', tags: ['x'] }, ticket)).toMatch(
        /may do nothing/,
      );
      expect(policy.scope(actor)).toBeNull();
    }
  });

  it('the desk refuses them on commands and on every read with a ValidationError, changing nothing', async () => {
    const { desk, ticket } = await seeded();
    const before = JSON.stringify(await desk.store.events.readAll());
    for (const actor of [...strangers, null, undefined] as unknown as Actor[]) {
      const refused = { code: 'validation' };
      await expect(
        desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['x'] }, { actor }),
      ).rejects.toMatchObject(refused);
      await expect(desk.get(ticket.id, { actor })).rejects.toMatchObject(refused);
      await expect(desk.history(ticket.id, { actor })).rejects.toMatchObject(refused);
      await expect(desk.query({}, { actor })).rejects.toMatchObject(refused);
      await expect(desk.findByNumber(ticket.number, { actor })).rejects.toMatchObject(refused);
    }
    expect(JSON.stringify(await desk.store.events.readAll())).toBe(before);
  });

  it('execute without options, or with null, is a ValidationError, not a TypeError', async () => {
    const { desk, ticket } = await seeded();
    const tag: Command = { type: 'tag', ticketId: ticket.id, tags: ['x'] };
    await expect((desk.execute as (c: Command) => Promise<unknown>)(tag)).rejects.toMatchObject({
      code: 'validation',
    });
    await expect(desk.execute(tag, null as never)).rejects.toMatchObject({ code: 'validation' });
    await expect(desk.get(ticket.id, null as never)).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('any actor kind but the five', () => {
  it('is refused everything and sees nothing, by the policy and at the desk', async () => {
    const { desk, ticket } = await seeded();
    const policy = defaultPolicy({ internalFields: ['margin'] });
    const known = new Set(['customer', 'agent', 'admin', 'system', 'automation']);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('Admin', 'SYSTEM', 'customer ', 'agent\u0000'),
        ),
        async (kind) => {
          fc.pre(!known.has(kind));
          const actor = { kind, id: 'x' } as unknown as Actor;
          const t = await desk.get(ticket.id, { actor: agent });
          expect(policy.canView(actor, t)).toBe(false);
          expect(policy.scope(actor)).toBeNull();
          expect(policy.authorize(actor, { type: 'tag', ticketId: t.id, tags: ['x'] }, t)).toBeDefined();
          await expect(desk.get(ticket.id, { actor })).rejects.toMatchObject({ code: 'validation' });
          await expect(
            desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['x'] }, { actor }),
          ).rejects.toMatchObject({ code: 'validation' });
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('a custom policy', () => {
  it('decides what execute hands back to every actor, staff too', async () => {
    const base = defaultPolicy();
    const desk = createHelpdesk({
      // A desk where agents, too, see only public messages.
      policy: {
        ...base,
        redact: (_actor, t) => ({ ...t, messages: t.messages.filter((m) => m.visibility === 'public') }),
      },
    });
    const { ticket } = await desk.execute(open, { actor: agent });
    const r = await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'note', visibility: 'internal' },
      { actor: agent },
    );
    expect(r.ticket.messages).toHaveLength(1);
    expect((await desk.get(ticket.id, { actor: agent })).messages).toHaveLength(1);
  });
});
