import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import type { Extension, ExtensionContext } from './extension';
import { inMemoryStore } from './memory';
import type { Actor } from './model';

const admin: Actor = { kind: 'admin', id: 'root' };
const open = (subject: string): Command => ({
  type: 'openTicket',
  ticketId: 'T1',
  channel: 'email',
  requester: { id: 'c1' },
  subject,
  body: 'b',
});

function tenants() {
  const store = inMemoryStore();
  const contexts = new Map<string, ExtensionContext>();
  const spy = (name: string): Extension => ({
    name: 'spy',
    init: (ctx) => {
      contexts.set(name, ctx);
    },
  });
  const a = createHelpdesk({ store, tenantId: 'a', extensions: [spy('a')] });
  const b = createHelpdesk({ store, tenantId: 'b', extensions: [spy('b')] });
  const none = createHelpdesk({ store, extensions: [spy('none')] });
  return { store, a, b, none, ctx: (name: string) => contexts.get(name)! };
}

describe('tenants on one store', () => {
  it('the same ticket id in two tenants is two tickets, each listed only by its own desk', async () => {
    const { a, b, none } = tenants();
    await a.execute(open('from a'), { actor: admin });
    await b.execute(open('from b'), { actor: admin });
    expect((await a.get('T1', { actor: admin })).subject).toBe('from a');
    expect((await a.query({}, { actor: admin })).items.map((s) => s.subject)).toEqual(['from a']);
    expect((await b.query({}, { actor: admin })).items.map((s) => s.subject)).toEqual(['from b']);
    // A desk without a tenant lists no tenant's tickets.
    expect((await none.query({}, { actor: admin })).items).toEqual([]);
    // A caller's tenantId cannot widen the scope: a contradiction matches nothing.
    expect((await a.query({ tenantId: 'b' }, { actor: admin })).items).toEqual([]);
  });

  it("rebuild clears and rebuilds only its own tenant's rows", async () => {
    const { a, b, none, store } = tenants();
    await a.execute(open('from a'), { actor: admin });
    await b.execute(open('from b'), { actor: admin });
    await none.execute(open('no tenant'), { actor: admin });
    const progress = await a.rebuild();
    expect(progress.tickets).toBe(1);
    expect((await b.query({}, { actor: admin })).items.map((s) => s.subject)).toEqual(['from b']);
    expect((await none.query({}, { actor: admin })).items.map((s) => s.subject)).toEqual(['no tenant']);
    expect((await a.query({}, { actor: admin })).items.map((s) => s.subject)).toEqual(['from a']);
    expect(await store.index.checkpoint({ tenantId: 'a' })).toBe(progress.position);
  });

  it("an extension's store is its tenant's: Message-IDs and blobs of another tenant are not seen", async () => {
    const { ctx } = tenants();
    expect(await ctx('a').store.messages.put('<m1@example.com>', 'T1')).toBe(true);
    expect(await ctx('b').store.messages.get('<m1@example.com>')).toBeUndefined();
    expect(await ctx('b').store.messages.put('<m1@example.com>', 'T9')).toBe(true);
    expect(await ctx('a').store.messages.get('<m1@example.com>')).toBe('T1');
    const ref = await ctx('a').store.blobs.put(new Uint8Array([1]), {
      contentType: 'text/plain',
      tenantId: 'b',
    });
    expect(await ctx('a').store.blobs.get(ref)).toEqual(new Uint8Array([1]));
    expect(await ctx('b').store.blobs.get(ref)).toBeUndefined();
    expect(await ctx('none').store.blobs.stat(ref)).toBeUndefined();
    expect(ctx('a').workflows.default.id).toBe(ctx('b').workflows.default.id);
  });

  it("rebuild hands each tenant's extensions a context of that tenant, whose scan and store stay in it", async () => {
    // What the email channel does in onRebuild: refill its Message-ID index from the log.
    const store = inMemoryStore();
    const refill: Extension = {
      name: 'mail-index',
      async onRebuild(ctx) {
        const { items } = await ctx.scan({ types: ['MessagePosted'] });
        for (const { ticketId, event } of items) {
          const id = event.type === 'MessagePosted' ? event.data.email?.messageId : undefined;
          if (id) await ctx.store.messages.put(id, ticketId);
        }
      },
    };
    const a = createHelpdesk({ store, tenantId: 'a', extensions: [refill] });
    const b = createHelpdesk({ store, tenantId: 'b', extensions: [refill] });
    const sys: Actor = { kind: 'system', id: 'mail' };
    await a.execute({ ...open('mail'), email: { messageId: '<x@example.com>' } } as Command, { actor: sys });
    await b.execute(open('other'), { actor: sys });
    await a.rebuild();
    await b.rebuild();
    expect(await store.messages.get('<x@example.com>', { tenantId: 'a' })).toBe('T1');
    expect(await store.messages.get('<x@example.com>', { tenantId: 'b' })).toBeUndefined();
    expect(await store.messages.get('<x@example.com>')).toBeUndefined();
  });
});
