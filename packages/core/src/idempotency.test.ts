import { classics, defineRules, rules } from '@tessera/rules';
import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import type { Extension } from './extension';
import { inMemoryStore } from './memory';
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

describe('idempotency keys are scoped to their ticket', () => {
  it('autoCloseSolved closes all five solved tickets in one tick', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const store = inMemoryStore();
    const options = {
      store,
      clock: { now: () => new Date(now) },
      extensions: [rules(defineRules({ automations: [classics.autoCloseSolved({ days: 1 })] }))],
    };
    const desk = createHelpdesk(options);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { ticket } = await desk.execute(open, { actor: customer });
      await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: agent });
      ids.push(ticket.id);
    }
    now += 2 * 86_400_000;
    expect(await desk.tick()).toMatchObject({ due: 5 });
    for (const id of ids) expect((await desk.get(id, { actor: agent })).category).toBe('closed');
    // A restarted desk on the same store finds nothing left to do.
    await createHelpdesk(options).tick();
    for (const id of ids) {
      const { events } = await desk.history(id, { actor: agent });
      expect(events.filter((e) => e.type === 'StatusChanged' && e.data.category === 'closed')).toHaveLength(
        1,
      );
    }
  });

  it('three desks on one store ticking at once append a keyed command once per ticket', async () => {
    // An internal note is never refused as a repeat by the ticket itself: only the key can stop a
    // second one, so this shows the log (not a cache) deciding across desks.
    const noter: Extension = {
      name: 'noter',
      due: (t) => (t.messages.some((m) => m.visibility === 'internal') ? undefined : new Date(0)),
      async onDue(t, _now, ctx) {
        await ctx.execute(
          { type: 'postMessage', ticketId: t.id, body: 'reminder', visibility: 'internal' },
          { actor: { kind: 'automation', id: 'noter' }, idempotencyKey: `remind:${t.id}:1` },
        );
      },
    };
    const store = inMemoryStore();
    const desks = [0, 1, 2].map(() => createHelpdesk({ store, extensions: [noter] }));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await desks[i % 3]!.execute(open, { actor: customer })).ticket.id);
    await Promise.all(desks.map((d) => d.tick()));
    for (const id of ids) {
      const ticket = await desks[0]!.get(id, { actor: agent });
      expect(ticket.messages.filter((m) => m.visibility === 'internal')).toHaveLength(1);
    }
  });

  it('the same key on two tickets is two commands, in the cache and in the log', async () => {
    // An extension that (like the rules' old key) uses one key for every ticket.
    const tagger: Extension = {
      name: 'tagger',
      due: (t) => (t.tags.includes('done') ? undefined : new Date(0)),
      async onDue(t, _now, ctx) {
        await ctx.execute(
          { type: 'tag', ticketId: t.id, tags: ['done'] },
          { actor: { kind: 'automation', id: 'tagger' }, idempotencyKey: 'tag-once' },
        );
      },
    };
    const store = inMemoryStore();
    const desk = createHelpdesk({ store, extensions: [tagger] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await desk.execute(open, { actor: customer })).ticket.id);
    await desk.tick();
    for (const id of ids) expect((await desk.get(id, { actor: agent })).tags).toEqual(['done']);
    // Within one ticket the key still holds: a retry appends nothing.
    const again = await desk.execute(
      { type: 'untag', ticketId: ids[0]!, tags: ['done'] },
      { actor: { kind: 'automation', id: 'tagger' }, idempotencyKey: 'tag-once' },
    );
    expect(again.ticket.tags).toEqual(['done']);
  });

  it("another actor's key is not this actor's: no replay of someone else's result", async () => {
    const desk = createHelpdesk();
    const mine = await desk.execute(open, { actor: customer, idempotencyKey: 'k1' });
    const other: Actor = { kind: 'customer', id: 'c2' };
    const theirs = await desk.execute(
      { ...open, requester: { id: 'c2' } },
      { actor: other, idempotencyKey: 'k1' },
    );
    expect(theirs.ticket.id).not.toBe(mine.ticket.id);
    expect(theirs.ticket.requester.id).toBe('c2');
    const retried = await createHelpdesk({ store: desk.store }).execute(open, {
      actor: customer,
      idempotencyKey: 'k1',
    });
    expect(retried.ticket.id).toBe(mine.ticket.id);
  });
});

describe('a replayed key', () => {
  it('says so: the second execute with the key appends nothing and is marked replayed', async () => {
    const desk = createHelpdesk({ store: inMemoryStore() });
    const { ticket } = await desk.execute(open, { actor: customer });
    const tag: Command = { type: 'tag', ticketId: ticket.id, tags: ['vip'] };
    const first = await desk.execute(tag, { actor: agent, idempotencyKey: 'k1' });
    expect(first.replayed).toBeUndefined();
    // A second desk on the store has no in-process cache: the log answers.
    const second = await createHelpdesk({ store: desk.store }).execute(tag, {
      actor: agent,
      idempotencyKey: 'k1',
    });
    expect(second.replayed).toBe(true);
    expect(second.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(second.ticket.version).toBe(first.ticket.version);
  });
});
