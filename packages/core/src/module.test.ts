import { describe, expect, it } from 'vitest';
import { evolveAll, fold } from './apply';
import { createHelpdesk } from './desk';
import { ConfigError, ForbiddenError, isTesseraError, ValidationError } from './errors';
import { isExtensionEvent, type StoredEvent } from './events';
import type { Extension, ExtensionContext } from './extension';
import { inMemoryStore } from './memory';
import type { Actor } from './model';
import { moduleSet } from './modules';
import { openedT1 } from './opened.fixture';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const admin: Actor = { kind: 'admin', id: 'root' };
const system: Actor = { kind: 'system', id: 'sys' };
const fixed = () => ({ now: () => new Date('2026-03-02T09:00:00Z') });

interface Credits {
  granted: number;
  notes: number;
}
type Grant = { type: 'grantCredits'; ticketId: string; credits: number };

/** A small module: a command of its own (admins), an event, a slice that also counts core's notes. */
function credits(counter = { validated: 0 }): Extension<Credits> {
  return {
    name: 'credits',
    events: ['CreditsGranted'],
    commands: {
      grantCredits: {
        allowed: ['admin', 'system'],
        validate(input) {
          counter.validated++;
          const c = input as Grant;
          if (!Number.isInteger(c.credits) || c.credits < 1)
            throw new ValidationError([{ path: 'credits', message: 'a positive integer' }]);
          return { type: 'grantCredits', ticketId: c.ticketId, credits: c.credits };
        },
        decide: (_ticket, state, command) =>
          state.granted >= 100
            ? []
            : [{ type: 'CreditsGranted', data: { credits: (command as Grant).credits } }],
      },
    },
    state: {
      initial: () => ({ granted: 0, notes: 0 }),
      apply(draft, event) {
        if (isExtensionEvent<{ credits: number }>(event, 'CreditsGranted'))
          draft.granted += event.data.credits;
        if (event.type === 'MessagePosted' && event.data.visibility === 'internal') draft.notes++;
      },
    },
  };
}

async function opened(desk: ReturnType<typeof createHelpdesk>) {
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'Help', body: 'Please' },
    { actor: customer },
  );
  return ticket;
}

describe('an extension as a module: commands, events, state, view', () => {
  it('runs its command like core’s: validated once, allowed kinds checked, folded into ticket.ext', async () => {
    const counter = { validated: 0 };
    const desk = createHelpdesk({ clock: fixed(), extensions: [credits(counter)] });
    const t = await opened(desk);
    // The customer who opened it sees none of the slice; staff see it.
    expect(t.ext).toEqual({});
    expect((await desk.get(t.id, { actor: agent })).ext.credits).toEqual({ granted: 0, notes: 0 });
    const { ticket, events } = await desk.execute(
      { type: 'grantCredits', ticketId: t.id, credits: 5 },
      { actor: admin },
    );
    expect(counter.validated).toBe(1);
    expect(events.map((e) => [e.type, e.data])).toEqual([['CreditsGranted', { credits: 5 }]]);
    expect(ticket.ext.credits).toEqual({ granted: 5, notes: 0 });
    // Its slice sees core's events too, in the same pass.
    const noted = await desk.execute(
      { type: 'postMessage', ticketId: t.id, body: 'fyi', visibility: 'internal' },
      { actor: agent },
    );
    expect(noted.ticket.ext.credits).toEqual({ granted: 5, notes: 1 });
    // The extension's event is bookkeeping: it does not update the ticket for queues.
    expect(ticket.updatedAt).toBe(t.updatedAt);
    expect(ticket.version).toBe(t.version + 1);
  });

  it('refuses an actor kind it does not allow, and bad input, changing nothing', async () => {
    const store = inMemoryStore();
    const desk = createHelpdesk({ store, clock: fixed(), extensions: [credits()] });
    const t = await opened(desk);
    const before = (await store.events.readAll()).length;
    await expect(
      desk.execute({ type: 'grantCredits', ticketId: t.id, credits: 5 }, { actor: agent }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      desk.execute({ type: 'grantCredits', ticketId: t.id, credits: -1 }, { actor: admin }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      desk.execute({ type: 'grantCredits', ticketId: 'nope', credits: 1 }, { actor: admin }),
    ).rejects.toSatisfy((e) => isTesseraError(e, 'not_found'));
    expect((await store.events.readAll()).length).toBe(before);
  });

  it('a retry with the same idempotency key appends once', async () => {
    const desk = createHelpdesk({ clock: fixed(), extensions: [credits()] });
    const t = await opened(desk);
    const cmd = { type: 'grantCredits', ticketId: t.id, credits: 3 };
    await desk.execute(cmd, { actor: system, idempotencyKey: 'grant-1' });
    const again = await desk.execute(cmd, { actor: system, idempotencyKey: 'grant-1' });
    expect(again.ticket.ext.credits).toEqual({ granted: 3, notes: 0 });
    const history = await desk.history(t.id, { actor: admin });
    expect(history.events.filter((e) => e.type === ('CreditsGranted' as string))).toHaveLength(1);
    expect(history.events.at(-1)?.idempotencyKey).toBe('grant-1');
  });

  it('may emit only its own events: another type is a ConfigError and nothing is appended', async () => {
    const rogue: Extension = {
      name: 'rogue',
      events: ['RogueThing'],
      commands: {
        rogue: {
          validate: (input) => input as { type: string; ticketId: string },
          decide: () => [{ type: 'StatusChanged', data: { to: 'solved' } }],
        },
      },
    };
    const store = inMemoryStore();
    const desk = createHelpdesk({ store, clock: fixed(), extensions: [rogue] });
    const t = await opened(desk);
    await expect(desk.execute({ type: 'rogue', ticketId: t.id }, { actor: system })).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect((await store.events.readStream(`ticket-${t.id}`)).length).toBe(t.version);
  });

  it('customers see none of a slice by default; view decides what each actor sees', async () => {
    const shown: Extension<Credits> = {
      ...credits(),
      view: (s, actor) => (actor.kind === 'customer' ? { granted: s.granted } : s),
    };
    const hidden = createHelpdesk({ clock: fixed(), extensions: [credits()] });
    const t1 = await opened(hidden);
    await hidden.execute({ type: 'grantCredits', ticketId: t1.id, credits: 2 }, { actor: admin });
    expect((await hidden.get(t1.id, { actor: customer })).ext).toEqual({});
    expect((await hidden.get(t1.id, { actor: agent })).ext).toEqual({ credits: { granted: 2, notes: 0 } });

    const viewing = createHelpdesk({ clock: fixed(), extensions: [shown] });
    const t2 = await opened(viewing);
    const r = await viewing.execute(
      { type: 'postMessage', ticketId: t2.id, body: 'more', visibility: 'public' },
      { actor: customer },
    );
    expect(r.ticket.ext).toEqual({ credits: { granted: 0 } });
    expect((await viewing.history(t2.id, { actor: customer })).ticket?.ext).toEqual({
      credits: { granted: 0 },
    });
  });

  it('core’s fold skips the events of an extension that is not installed; installed later, rebuild folds them', async () => {
    const store = inMemoryStore();
    const withIt = createHelpdesk({ store, clock: fixed(), extensions: [credits()] });
    const t = await opened(withIt);
    await withIt.execute({ type: 'grantCredits', ticketId: t.id, credits: 4 }, { actor: admin });

    const without = createHelpdesk({ store, clock: fixed() });
    const bare = await without.get(t.id, { actor: agent });
    expect(bare.ext).toEqual({});
    // The version still counts the skipped event, so the next command appends after it.
    expect(bare.version).toBe(t.version + 1);
    const moved = await without.execute(
      { type: 'setPriority', ticketId: t.id, priority: 'high' },
      { actor: agent },
    );
    expect(moved.ticket.version).toBe(t.version + 2);
    // Its command is unknown to a desk without it.
    await expect(
      without.execute({ type: 'grantCredits', ticketId: t.id, credits: 1 }, { actor: admin }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await store.events.readStream(`ticket-${t.id}`)).map((e) => e.type)).toContain('CreditsGranted');

    const later = createHelpdesk({ store, clock: fixed(), extensions: [credits()] });
    await later.rebuild();
    const folded = await later.get(t.id, { actor: agent });
    expect(folded.ext.credits).toEqual({ granted: 4, notes: 0 });
    expect(folded.priority).toBe('high');
  });

  it('evolveAll in batches equals one fold, slices included, and leaves the earlier ticket as it was', async () => {
    const store = inMemoryStore();
    const modules = moduleSet([credits()]);
    const desk = createHelpdesk({ store, clock: fixed(), extensions: [credits()] });
    const t = await opened(desk);
    for (let i = 1; i <= 3; i++) {
      await desk.execute({ type: 'grantCredits', ticketId: t.id, credits: i }, { actor: admin });
      await desk.execute(
        { type: 'postMessage', ticketId: t.id, body: `n${i}`, visibility: 'internal' },
        { actor: agent },
      );
    }
    const events = await store.events.readStream(`ticket-${t.id}`);
    const whole = fold(events, modules);
    const first = evolveAll(undefined, events.slice(0, 3), modules)!;
    const snapshot = JSON.stringify(first);
    const rest = evolveAll(first, events.slice(3), modules);
    expect(rest).toEqual(whole);
    expect(JSON.stringify(first)).toBe(snapshot);
    expect(whole?.ext.credits).toEqual({ granted: 6, notes: 3 });
    expect(fold(events)?.ext).toEqual({});
  });

  it('moduleSet refuses core’s event and command types and a type owned twice', () => {
    expect(() => moduleSet([{ name: 'x', events: ['MessagePosted'] }])).toThrow(
      /MessagePosted is core's event/,
    );
    expect(() =>
      moduleSet([
        { name: 'a', events: ['E'] },
        { name: 'b', events: ['E'] },
      ]),
    ).toThrow(/owned by a too/);
    const spec = { validate: (i: unknown) => i as { type: string; ticketId: string }, decide: () => [] };
    expect(() => moduleSet([{ name: 'x', commands: { assign: spec } }])).toThrow(/assign is core's command/);
    expect(() =>
      moduleSet([{ name: 'x', commands: { go: { ...spec, allowed: ['guest' as never] } } }]),
    ).toThrow(ConfigError);
    expect(() =>
      createHelpdesk({ extensions: [{ name: 'x', state: { initial: () => 0 } as never }] }),
    ).toThrow(ConfigError);
  });

  it('an extension’s upcaster upgrades its own older events on read', async () => {
    const store = inMemoryStore();
    const v1 = createHelpdesk({ store, clock: fixed(), extensions: [credits()] });
    const t = await opened(v1);
    await v1.execute({ type: 'grantCredits', ticketId: t.id, credits: 2 }, { actor: admin });
    // Version 2 of the module counts credits ten times over: its upcaster turns v1 events into v2.
    const v2: Extension<Credits> = {
      ...credits(),
      schemaVersion: 2,
      upcasters: {
        CreditsGranted: (e: StoredEvent) =>
          ({
            ...e,
            schemaVersion: 2,
            data: { credits: (e.data as unknown as { credits: number }).credits * 10 },
          }) as unknown as StoredEvent,
      },
    };
    const desk = createHelpdesk({ store, clock: fixed(), extensions: [v2] });
    expect((await desk.get(t.id, { actor: agent })).ext.credits).toEqual({ granted: 20, notes: 0 });
  });
});

describe('ExtensionContext reads and issuing commands', () => {
  it('scan reads this tenant’s events of the given types from a checkpoint, page by page', async () => {
    const store = inMemoryStore();
    let ctx: ExtensionContext | undefined;
    const spy: Extension = {
      name: 'spy',
      init(c) {
        ctx = c;
      },
    };
    const acme = createHelpdesk({ store, tenantId: 'acme', clock: fixed(), extensions: [spy] });
    const other = createHelpdesk({ store, tenantId: 'other', clock: fixed() });
    const a1 = await opened(acme);
    await opened(other);
    const a2 = await opened(acme);
    const first = await ctx!.scan({ types: ['TicketOpened'], limit: 1 });
    expect(first.items.map((i) => i.ticketId)).toEqual([a1.id]);
    expect(first.done).toBe(false);
    const second = await ctx!.scan({ types: ['TicketOpened'], after: first.checkpoint! });
    expect(second.items.map((i) => i.ticketId)).toEqual([a2.id]);
    expect(second.done).toBe(true);
    const none = await ctx!.scan({ types: ['TicketOpened'], after: second.checkpoint! });
    expect(none).toEqual({ items: [], done: true, checkpoint: second.checkpoint });
    await expect(ctx!.scan({ types: 'TicketOpened' as never })).rejects.toBeInstanceOf(ValidationError);
  });

  it('onDue issues commands with ctx.execute in the tick’s cascade; a refusal it lets out is reported and the tick goes on', async () => {
    const errors: unknown[] = [];
    const due: Extension = {
      name: 'due',
      due: () => new Date('2026-03-02T08:00:00Z'),
      async onDue(ticket, _now, ctx) {
        await ctx.execute({ type: 'tag', ticketId: ticket.id, tags: ['late'] }, { actor: system });
        if (ticket.number === 1) {
          await ctx.execute(
            { type: 'changeStatus', ticketId: ticket.id, status: 'nowhere' },
            { actor: system },
          );
        }
      },
    };
    const desk = createHelpdesk({ clock: fixed(), extensions: [due], onError: (e) => errors.push(e) });
    const t1 = await opened(desk);
    const t2 = await opened(desk);
    const result = await desk.tick(new Date('2026-03-02T09:00:00Z'));
    expect(result.commands).toBe(2);
    expect(errors).toHaveLength(1);
    expect(isTesseraError(errors[0], 'validation')).toBe(true);
    expect((await desk.get(t1.id, { actor: agent })).tags).toContain('late');
    expect((await desk.get(t2.id, { actor: agent })).tags).toContain('late');
    const tagged = (await desk.history(t2.id, { actor: agent })).events.at(-1)!;
    expect(tagged.actor).toEqual(system);
  });

  it('a slice that lists the event types it needs (state.on) is folded for those alone', () => {
    const seen: string[] = [];
    const picky: Extension<number> = {
      name: 'picky',
      events: ['Counted'],
      state: {
        initial: () => 0,
        on: ['Counted', 'StatusChanged'],
        apply(count, event) {
          seen.push(event.type);
          return count + 1;
        },
      },
    };
    const stream = [
      { type: 'TicketOpened', data: openedT1() },
      { type: 'TagsChanged', data: { added: ['a'], removed: [] } },
      { type: 'Counted', data: {} },
      {
        type: 'StatusChanged',
        data: { from: 'new', to: 'open', fromCategory: 'new', category: 'open', reason: 'manual' },
      },
    ].map((e, i) => ({
      ...e,
      eventId: `e${i}`,
      occurredAt: '2026-01-01T00:00:00.000Z',
      actor: system,
      schemaVersion: 1,
      streamId: 'ticket-T1',
      version: i + 1,
      position: String(i + 1),
    })) as unknown as StoredEvent[];
    const ticket = fold(stream, moduleSet([picky]));
    expect(seen).toEqual(['Counted', 'StatusChanged']);
    expect(ticket?.ext.picky).toBe(2);
    expect(ticket?.version).toBe(4);
    expect(() => moduleSet([{ ...picky, state: { ...picky.state!, on: 'Counted' as never } }])).toThrow(
      ConfigError,
    );
  });
});
