import {
  type Actor,
  ConfigError,
  createHelpdesk,
  defaultWorkflow,
  ForbiddenError,
  inMemoryStore,
  isTesseraError,
  type NewDomainEvent,
  NotFoundError,
  type StoredExtensionEvent,
  ValidationError,
  workflowSet,
} from '@tessera/core';
import { given } from '@tessera/testing';
import { describe, expect, it } from 'vitest';
import {
  consumeIncident,
  EXHAUSTED_TAG,
  grantIncidents,
  type Ledger,
  ledgerId,
  openLedger,
  prepaidSupport,
  UNCOVERED_TAG,
} from './prepaid';

const NOW = '2026-03-02T09:00:00.000Z';
const admin: Actor = { kind: 'admin', id: 'root' };
const agent: Actor = { kind: 'agent', id: 'ann' };
const automation: Actor = { kind: 'automation', id: 'prepaid' };
const bob: Actor = { kind: 'customer', id: 'bob', organizationId: 'acme' };
const prepaid = prepaidSupport();

/**
 * Given/when/then for the module's pure side: `given` (from @tessera/testing) builds the ledger
 * ticket from core's `openTicket`, then the module's own events are folded by its `state.apply`;
 * `when` runs the command's `validate` and `decide` as the desk would, after its `allowed` check.
 */
function givenLedger(...events: NewDomainEvent[]) {
  const ticket = given([[openLedger('acme'), admin]]).state;
  if (!ticket) throw new Error('the ledger did not open');
  const state = prepaid.state;
  if (!state) throw new Error('prepaid has no state');
  let slice = state.initial();
  events.forEach((e, i) => {
    const stored = { ...e, eventId: `p${i}`, occurredAt: NOW, actor: automation, schemaVersion: 1 };
    slice =
      state.apply(
        slice,
        { ...stored, streamId: ticket.id, version: i + 2, position: `${i + 2}` } as StoredExtensionEvent,
        ticket,
      ) ?? slice;
  });
  return {
    slice,
    when(input: { type: string } & Record<string, unknown>) {
      const spec = prepaid.commands?.[input.type];
      if (!spec) throw new Error(`no command ${input.type}`);
      const ctx = { actor: automation, now: NOW, workflows: workflowSet([defaultWorkflow]) };
      const run = () =>
        spec.decide(
          { ...ticket, ext: { prepaid: slice } },
          slice,
          spec.validate(structuredClone(input)),
          ctx,
        );
      return {
        thenEmits: (expected: NewDomainEvent[]) => expect(run()).toEqual(expected),
        thenThrows: (error: typeof ValidationError) => expect(run).toThrow(error),
      };
    },
  };
}

const granted = (incidents: number): NewDomainEvent => ({
  type: 'IncidentsGranted',
  data: { organizationId: 'acme', incidents },
});
const consumed = (ticketId: string): NewDomainEvent => ({
  type: 'IncidentConsumed',
  data: { organizationId: 'acme', ticketId },
});
const consume = (incidentTicketId: string) => ({
  type: 'consumeIncident',
  organizationId: 'acme',
  incidentTicketId,
});

describe('prepaid support, decided purely (given/when/then)', () => {
  it('grants a pack of incidents, with its note, on the organization’s ledger', () => {
    givenLedger()
      .when({ type: 'grantIncidents', organizationId: 'acme', incidents: 5, note: 'invoice 42' })
      .thenEmits([
        { type: 'IncidentsGranted', data: { organizationId: 'acme', incidents: 5, note: 'invoice 42' } },
      ]);
    expect(givenLedger(granted(5), granted(2)).slice).toEqual({
      organizationId: 'acme',
      granted: 7,
      left: 7,
      consumedBy: [],
    });
  });
  it('consumes one credit per ticket, and says so when it took the last one', () => {
    givenLedger(granted(2))
      .when(consume('T1'))
      .thenEmits([consumed('T1')]);
    givenLedger(granted(2), consumed('T1'))
      .when(consume('T2'))
      .thenEmits([consumed('T2'), { type: 'IncidentsExhausted', data: { organizationId: 'acme' } }]);
  });
  it('never consumes twice for one ticket, nor below zero, nor without a grant', () => {
    givenLedger(granted(2), consumed('T1')).when(consume('T1')).thenEmits([]);
    givenLedger(granted(1), consumed('T1')).when(consume('T2')).thenEmits([]);
    givenLedger().when(consume('T1')).thenEmits([]);
  });
  it('refuses bad input with a ValidationError', () => {
    const bad = [
      { type: 'grantIncidents', organizationId: 'acme', incidents: 0 },
      { type: 'grantIncidents', organizationId: 'acme', incidents: 1.5 },
      { type: 'grantIncidents', organizationId: '', incidents: 1 },
      { type: 'grantIncidents', organizationId: 'acme', incidents: 1, note: 7 },
      { type: 'grantIncidents', organizationId: 'acme', incidents: 1, ticketId: 'prepaid-other' },
      { type: 'consumeIncident', organizationId: 'acme' },
    ];
    for (const input of bad) givenLedger().when(input).thenThrows(ValidationError);
  });
});

async function deskWithAcme(incidents: number, options: Parameters<typeof prepaidSupport>[0] = {}) {
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date(NOW) },
    extensions: [prepaidSupport(options)],
    visibility: 'organization',
  });
  await desk.execute(openLedger('acme'), { actor: admin });
  if (incidents > 0) await desk.execute(grantIncidents('acme', incidents), { actor: admin });
  const open = async (subject: string, actor: Actor = bob) =>
    (
      await desk.execute(
        { type: 'openTicket', channel: 'portal', requester: { id: actor.id }, subject, body: 'help' },
        { actor },
      )
    ).ticket.id;
  const status = (ticketId: string, to: string) =>
    desk.execute({ type: 'changeStatus', ticketId, status: to }, { actor: agent });
  const ledger = async () => (await desk.get(ledgerId('acme'), { actor: agent })).ext.prepaid as Ledger;
  return { desk, open, status, ledger };
}

describe('prepaid support on a desk', () => {
  it('takes one credit per solved ticket, tags and notifies when they run out, and tags the uncovered', async () => {
    const { desk, open, status, ledger } = await deskWithAcme(2, { notify: ['sales@example.com'] });
    const [t1, t2, t3] = [await open('one'), await open('two'), await open('three')];
    await status(t1, 'solved');
    expect(await ledger()).toMatchObject({ granted: 2, left: 1, consumedBy: [t1] });
    expect((await desk.get(t1, { actor: agent })).tags).toEqual([]);
    await status(t2, 'solved');
    expect(await ledger()).toMatchObject({ left: 0, consumedBy: [t1, t2] });
    const last = await desk.get(t2, { actor: agent });
    expect(last.tags).toEqual([EXHAUSTED_TAG]);
    expect(last.messages.at(-1)).toMatchObject({
      visibility: 'internal',
      notify: { to: ['sales@example.com'] },
    });
    expect(last.status).toBe('solved');
    await status(t3, 'solved');
    expect(await ledger()).toMatchObject({ left: 0, consumedBy: [t1, t2] });
    expect((await desk.get(t3, { actor: agent })).tags).toEqual([UNCOVERED_TAG]);
    const types = (await desk.history(ledgerId('acme'), { actor: agent })).events.map((e) => e.type);
    expect(types.filter((t) => t.startsWith('Incident'))).toEqual([
      'IncidentsGranted',
      'IncidentConsumed',
      'IncidentConsumed',
      'IncidentsExhausted',
    ]);
  });
  it('a ticket reopened and solved again is the same incident: no second credit', async () => {
    const { open, status, ledger, desk } = await deskWithAcme(3);
    const t1 = await open('one');
    await status(t1, 'solved');
    await status(t1, 'open');
    await status(t1, 'solved');
    expect(await ledger()).toMatchObject({ left: 2, consumedBy: [t1] });
    expect((await desk.get(t1, { actor: agent })).tags).toEqual([]);
  });
  it('an organization without a ledger pays for nothing: its solved ticket is tagged uncovered', async () => {
    const { desk, status } = await deskWithAcme(0);
    const carol: Actor = { kind: 'customer', id: 'carol', organizationId: 'globex' };
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'portal', requester: { id: 'carol' }, subject: 's', body: 'b' },
      { actor: carol },
    );
    await status(ticket.id, 'solved');
    expect((await desk.get(ticket.id, { actor: agent })).tags).toEqual([UNCOVERED_TAG]);
  });
});

describe('what a customer may do and see', () => {
  it('a customer cannot grant incidents, and nothing is appended', async () => {
    const { desk, ledger } = await deskWithAcme(1);
    const before = (await desk.get(ledgerId('acme'), { actor: agent })).version;
    const attempt = desk.execute(grantIncidents('acme', 100), { actor: bob });
    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(desk.execute(grantIncidents('acme', 1), { actor: agent })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await desk.get(ledgerId('acme'), { actor: agent })).version).toBe(before);
    expect(await ledger()).toMatchObject({ granted: 1, left: 1 });
  });
  it('nor consume one by hand', async () => {
    const { desk, open } = await deskWithAcme(1);
    const t1 = await open('one');
    for (const actor of [bob, agent, admin])
      await expect(desk.execute(consumeIncident('acme', t1), { actor })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
  });
  it('sees none of the module’s state: not the ledger, not its events, not the notes on their ticket', async () => {
    const { desk, open, status } = await deskWithAcme(1, { notify: ['sales@example.com'] });
    const t1 = await open('one');
    await status(t1, 'solved');
    const error = await desk.get(ledgerId('acme'), { actor: bob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    const mine = await desk.get(t1, { actor: bob });
    expect(mine.ext).toEqual({});
    expect(mine.messages.every((m) => m.visibility === 'public')).toBe(true);
    const { events } = await desk.history(t1, { actor: bob });
    expect(
      events.some((e) => ['IncidentsGranted', 'IncidentConsumed', 'IncidentsExhausted'].includes(e.type)),
    ).toBe(false);
    const page = await desk.query({}, { actor: bob });
    expect(page.items.map((s) => s.id)).toEqual([t1]);
  });
});

describe('options', () => {
  it('refuses unknown keys and bad addresses with a ConfigError', () => {
    expect(() => prepaidSupport({ notfy: ['x'] } as never)).toThrow(ConfigError);
    expect(() => prepaidSupport({ notify: [''] })).toThrow(ConfigError);
    const error = (() => {
      try {
        prepaidSupport({ notify: 'sales@example.com' } as never);
      } catch (e) {
        return e;
      }
    })();
    expect(isTesseraError(error) && error.code).toBe('config');
  });
});
