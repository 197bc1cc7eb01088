import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import type { Extension, ExtensionContext } from './extension';
import { inMemoryStore } from './memory';
import type { Actor } from './model';

const ann: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io', name: 'Ann', organizationId: 'acme' };
const bob: Actor = { kind: 'customer', id: 'c2', email: 'bob@other.io', organizationId: 'other' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const open = (over: Partial<Extract<Command, { type: 'openTicket' }>> = {}): Command => ({
  type: 'openTicket',
  channel: 'portal',
  requester: { id: 'c1' },
  subject: 'Help',
  body: 'Please',
  ...over,
});

describe('who a customer is comes from the actor', () => {
  it("openTicket's requester email, name and organization are the actor's, whatever the command says", async () => {
    const desk = createHelpdesk({ visibility: 'organization' });
    const { ticket } = await desk.execute(
      open({ requester: { id: 'c1', email: 'attacker@evil.io', name: 'Eve', organizationId: 'other' } }),
      { actor: ann },
    );
    expect(ticket.requester).toEqual({ id: 'c1', email: 'ann@acme.io', name: 'Ann', organizationId: 'acme' });
    // The organization the command named does not see it.
    await expect(desk.get(ticket.id, { actor: bob })).rejects.toMatchObject({ code: 'not_found' });
    const rows = await desk.query({}, { actor: bob });
    expect(rows.items).toEqual([]);
    // An agent opening for a customer (a phone call) still names the requester.
    const phoned = await desk.execute(open({ requester: { id: 'c9', email: 'c9@x.io' } }), { actor: agent });
    expect(phoned.ticket.requester).toEqual({ id: 'c9', email: 'c9@x.io' });
  });

  it('a customer adds only themself as a follower, as the actor they are', async () => {
    const desk = createHelpdesk({ visibility: 'organization' });
    const colleague: Actor = { kind: 'customer', id: 'c3', email: 'cy@acme.io', organizationId: 'acme' };
    const { ticket } = await desk.execute(open(), { actor: ann });
    await expect(
      desk.execute({ type: 'addFollower', ticketId: ticket.id, follower: { id: 'c2' } }, { actor: ann }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const r = await desk.execute(
      { type: 'addFollower', ticketId: ticket.id, follower: { id: 'c3', email: 'other@evil.io' } },
      { actor: colleague },
    );
    expect(r.ticket.followers).toEqual([{ id: 'c3', email: 'cy@acme.io', organizationId: 'acme' }]);
  });

  it('automatic, email and followUpOf are for system and automation only', async () => {
    const desk = createHelpdesk();
    const { ticket } = await desk.execute(open(), { actor: ann });
    await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: agent });
    const before = JSON.stringify(await desk.store.events.readAll());
    const reply = { type: 'postMessage', ticketId: ticket.id, body: 'thanks', visibility: 'public' } as const;
    for (const actor of [ann, agent]) {
      await expect(desk.execute({ ...reply, automatic: true }, { actor })).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(
        desk.execute({ ...reply, email: { messageId: '<m@x>' } }, { actor }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(desk.execute(open({ followUpOf: ticket.id }), { actor })).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
    expect(JSON.stringify(await desk.store.events.readAll())).toBe(before);
    // The customer's reply without the flag moves the pending ticket, as a reply should.
    const moved = await desk.execute(reply, { actor: ann });
    expect(moved.ticket.category).toBe('open');
  });
});

describe('blobs', () => {
  it('a customer attaches only what they uploaded or what was stored for that ticket', async () => {
    let ctx: ExtensionContext | undefined;
    const channel: Extension = {
      name: 'channel',
      init: (c) => {
        ctx = c;
      },
    };
    const store = inMemoryStore();
    const desk = createHelpdesk({ store, extensions: [channel] });
    const bobs = (await desk.execute(open({ requester: { id: 'c2' } }), { actor: bob })).ticket;
    // The channel stores Bob's original mail for his ticket.
    const original = await ctx!.store.blobs.put(new TextEncoder().encode('From: bob'), {
      contentType: 'message/rfc822',
      owner: { kind: 'channel', id: 'email' },
      ticketId: bobs.id,
    });
    const attach = (blob: typeof original) => [
      { filename: 'f', contentType: blob.contentType, size: blob.size, blob },
    ];
    // Ann names Bob's mail: refused, on a new ticket and on her own ticket.
    await expect(desk.execute(open({ attachments: attach(original) }), { actor: ann })).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    );
    const anns = (await desk.execute(open(), { actor: ann })).ticket;
    const post = (blob: typeof original) =>
      ({
        type: 'postMessage',
        ticketId: anns.id,
        body: 'see',
        visibility: 'public',
        attachments: attach(blob),
      }) as const;
    await expect(desk.execute(post(original), { actor: ann })).rejects.toMatchObject({ code: 'forbidden' });
    // An unknown blob id is refused the same way.
    await expect(desk.execute(post({ ...original, id: 'blob-nope' }), { actor: ann })).rejects.toMatchObject({
      code: 'forbidden',
    });
    // Her own upload she may attach; so may Bob attach what was stored for his ticket.
    const mine = await desk.upload(new Uint8Array([1, 2]), { contentType: 'image/png' }, { actor: ann });
    expect(
      (await desk.execute(post(mine), { actor: ann })).ticket.messages.at(-1)?.attachments[0]?.blob,
    ).toEqual(mine);
    const onBobs = { ...post(original), ticketId: bobs.id };
    await desk.execute(onBobs, { actor: bob });
    // An upload for Bob's ticket is refused to Ann, who may not see it (as if it did not exist).
    await expect(
      desk.upload(new Uint8Array([1]), { contentType: 'text/plain' }, { actor: ann, ticketId: bobs.id }),
    ).rejects.toMatchObject({ code: 'not_found' });
    // Another tenant's desk on the same store does not find Ann's upload.
    const acme = createHelpdesk({ store, tenantId: 'acme' });
    await expect(acme.execute(open({ attachments: attach(mine) }), { actor: ann })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
