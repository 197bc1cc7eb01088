import { describe, expect, it } from 'vitest';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import { isTesseraError } from './errors';
import type { Actor } from './model';

const ann: Actor = { kind: 'customer', id: 'c1' };
const bob: Actor = { kind: 'customer', id: 'c2' };
const billing: Actor = { kind: 'agent', id: 'a1', teams: ['billing'] };
const sales: Actor = { kind: 'agent', id: 'a2', teams: ['sales'] };
const admin: Actor = { kind: 'admin', id: 'root' };
const open = (requester: string): Command => ({
  type: 'openTicket',
  channel: 'api',
  requester: { id: requester },
  subject: 's',
  body: 'b',
});

/** Every command a user may send, aimed at one ticket. */
const commandsOn = (id: string, other: string): Command[] => [
  { type: 'postMessage', ticketId: id, body: 'x', visibility: 'public' },
  { type: 'postMessage', ticketId: id, body: 'x', visibility: 'internal' },
  { type: 'changeStatus', ticketId: id, status: 'solved' },
  { type: 'assign', ticketId: id, assignee: 'a2' },
  { type: 'unassign', ticketId: id },
  { type: 'setPriority', ticketId: id, priority: 'high' },
  { type: 'setType', ticketId: id, ticketType: 'question' },
  { type: 'tag', ticketId: id, tags: ['t'] },
  { type: 'untag', ticketId: id, tags: ['t'] },
  { type: 'setFields', ticketId: id, fields: { f: 1 } },
  { type: 'addFollower', ticketId: id, follower: { id: 'c2' } },
  { type: 'removeFollower', ticketId: id, followerId: 'c1' },
  { type: 'logTime', ticketId: id, minutes: 5 },
  { type: 'requestRating', ticketId: id },
  { type: 'rate', ticketId: id, score: 5 },
  { type: 'merge', ticketId: id, into: other },
  { type: 'link', ticketId: id, to: other, relation: 'related' },
];

async function outcome(run: () => Promise<unknown>, id: string) {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    // The same shape as for a missing ticket, with the id it was asked about.
    return JSON.stringify({ code: error.code, message: error.message, details: error.details }).replaceAll(
      id,
      '<id>',
    );
  }
}

describe('a ticket the actor may not see answers as a missing one', () => {
  it('to every command and read, for another customer and an agent out of its team', async () => {
    const desk = createHelpdesk();
    const annsTicket = (await desk.execute(open('c1'), { actor: ann })).ticket;
    await desk.execute({ type: 'assign', ticketId: annsTicket.id, team: 'billing' }, { actor: admin });
    const bobs = (await desk.execute(open('c2'), { actor: bob })).ticket;
    await desk.execute({ type: 'assign', ticketId: bobs.id, team: 'sales' }, { actor: admin });
    const before = JSON.stringify(await desk.store.events.readAll());
    for (const [actor, own] of [
      [bob, bobs.id],
      [sales, bobs.id],
    ] as const) {
      for (const [i, command] of commandsOn(annsTicket.id, own).entries()) {
        const hidden = await outcome(() => desk.execute(command, { actor }), annsTicket.id);
        const missing = await outcome(() => desk.execute(commandsOn('nope', own)[i]!, { actor }), 'nope');
        expect(hidden, `${actor.id} ${command.type}`).toBe(missing);
        expect(hidden).toContain('not_found');
      }
      // The other side of a merge or link, too.
      for (const type of ['merge', 'link'] as const) {
        const cmd = commandsOn(own, annsTicket.id).find((c) => c.type === type)!;
        const missing = commandsOn(own, 'nope').find((c) => c.type === type)!;
        expect(await outcome(() => desk.execute(cmd, { actor }), annsTicket.id)).toBe(
          await outcome(() => desk.execute(missing, { actor }), 'nope'),
        );
      }
      const reads = [(id: string) => desk.get(id, { actor }), (id: string) => desk.history(id, { actor })];
      for (const read of reads) {
        expect(await outcome(() => read(annsTicket.id), annsTicket.id)).toBe(
          await outcome(() => read('nope'), 'nope'),
        );
      }
      expect(await desk.findByNumber(annsTicket.number, { actor })).toBeUndefined();
      expect((await desk.query({ ids: [annsTicket.id] }, { actor })).items).toEqual([]);
    }
    expect(JSON.stringify(await desk.store.events.readAll())).toBe(before);
  });

  it('a merged ticket does not name the ticket it went into to someone who may not see that one', async () => {
    const desk = createHelpdesk();
    const annsTicket = (await desk.execute(open('c1'), { actor: ann })).ticket;
    const bobs = (await desk.execute(open('c2'), { actor: bob })).ticket;
    await desk.execute({ type: 'merge', ticketId: bobs.id, into: annsTicket.id }, { actor: billing });
    const reply: Command = { type: 'postMessage', ticketId: bobs.id, body: 'hello?', visibility: 'public' };
    const error = await desk.execute(reply, { actor: bob }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'closed' });
    expect(JSON.stringify({ ...(error as Error), message: (error as Error).message })).not.toContain(
      annsTicket.id,
    );
    const seen = await desk.get(bobs.id, { actor: bob });
    expect(seen.mergedInto).toBeUndefined();
    const { events, ticket } = await desk.history(bobs.id, { actor: bob });
    expect(JSON.stringify({ events, ticket })).not.toContain(annsTicket.id);
    // Staff are told where it went, and a reply they post follows it there.
    const staff = await desk.execute(reply, { actor: billing });
    expect(staff.ticket.id).toBe(annsTicket.id);
    expect((await desk.get(bobs.id, { actor: billing })).mergedInto).toBe(annsTicket.id);
  });

  it('openTicket with a taken ticketId tells nothing: customers choose no id, staff get one answer', async () => {
    const desk = createHelpdesk();
    await desk.execute({ ...open('c1'), ticketId: 'T1' } as Command, { actor: billing });
    await desk.execute({ type: 'assign', ticketId: 'T1', team: 'billing' }, { actor: admin });
    for (const ticketId of ['T1', 'T2']) {
      await expect(
        desk.execute({ ...open('c2'), ticketId } as Command, { actor: bob }),
      ).rejects.toMatchObject({
        code: 'forbidden',
        message: 'customers may not choose a ticket id',
      });
    }
    const asSales = await outcome(
      () => desk.execute({ ...open('c2'), ticketId: 'T1' } as Command, { actor: sales }),
      'T1',
    );
    const asBilling = await outcome(
      () => desk.execute({ ...open('c2'), ticketId: 'T1' } as Command, { actor: billing }),
      'T1',
    );
    expect(asSales).toBe(asBilling);
    expect(asSales).toContain('validation');
  });
});
