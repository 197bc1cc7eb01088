import {
  type Actor,
  ConfigError,
  checkOptions,
  type Extension,
  isExtensionEvent,
  type OpenTicket,
  ValidationError,
} from '@tessera/core';

/*
 * Where the credits live. An extension's slice is per ticket, but an organization's credits span
 * its tickets. So each organization gets one ledger ticket, with a fixed id (`ledgerId`), and every
 * grant and every consumption is an event in THAT stream. Deciding "is there a credit left?" on the
 * ledger's own slice makes the append's expected-version check the guard: two tickets solved at
 * once in two processes both decide on the same ledger version, one append wins, the other is
 * retried on the new ledger and sees one credit less. Credits cannot go negative. A projection read
 * with `ctx.scan` would be read-then-write across streams, and two processes could both spend the
 * last credit.
 */

/** The slice: null on ordinary tickets, the organization's account on its ledger ticket. */
export type Ledger = { organizationId: string; granted: number; left: number; consumedBy: string[] } | null;
export type GrantIncidents = {
  type: 'grantIncidents';
  ticketId: string;
  organizationId: string;
  incidents: number;
  note?: string;
};
export type ConsumeIncident = {
  type: 'consumeIncident';
  ticketId: string;
  organizationId: string;
  incidentTicketId: string;
};

export const EXHAUSTED_TAG = 'credits-exhausted';
export const UNCOVERED_TAG = 'prepaid-uncovered';

/** The id of an organization's ledger ticket. @example ledgerId('acme') // 'prepaid-acme' */
export const ledgerId = (organizationId: string) => `prepaid-${organizationId}`;

/**
 * The command that opens an organization's ledger (an admin runs it once; its requester is the
 * ledger itself, in no organization, so no customer ever sees it).
 * @example await desk.execute(openLedger('acme'), { actor: admin });
 */
export function openLedger(organizationId: string): OpenTicket {
  return {
    type: 'openTicket',
    ticketId: ledgerId(organizationId),
    channel: 'api',
    requester: { id: ledgerId(organizationId) },
    subject: `Prepaid incidents of ${organizationId}`,
    body: 'The ledger of this organization’s prepaid support incidents.',
    tags: ['prepaid-ledger'],
  };
}

/**
 * The command that grants an organization a pack of incidents (admins only).
 * @example await desk.execute(grantIncidents('acme', 10, 'invoice 42'), { actor: admin });
 */
export function grantIncidents(organizationId: string, incidents: number, note?: string): GrantIncidents {
  return {
    type: 'grantIncidents',
    ticketId: ledgerId(organizationId),
    organizationId,
    incidents,
    ...(note ? { note } : {}),
  };
}

/**
 * The command that spends one of the organization's incidents on a solved ticket (the module's own
 * reaction issues it, as `automation`).
 * @example await committed.execute(consumeIncident('acme', ticket.id));
 */
export function consumeIncident(organizationId: string, incidentTicketId: string): ConsumeIncident {
  return { type: 'consumeIncident', ticketId: ledgerId(organizationId), organizationId, incidentTicketId };
}

function record(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError([{ path: '', message: 'an object' }]);
  return input as Record<string, unknown>;
}
function organization(c: Record<string, unknown>): string {
  const id = c.organizationId;
  if (typeof id !== 'string' || id.length === 0 || id.length > 150)
    throw new ValidationError([
      { path: 'organizationId', message: 'a non-empty string of at most 150 characters' },
    ]);
  // The ledger is found by the organization: a ticketId naming another ticket is a mistake, not a choice.
  if (c.ticketId !== undefined && c.ticketId !== ledgerId(id))
    throw new ValidationError([
      { path: 'ticketId', message: `must be ${ledgerId(id)} (the ledger) or absent` },
    ]);
  return id;
}

export interface PrepaidOptions {
  /** Addresses the "credits ran out" note is also mailed to (as `notify` of the internal note). */
  notify?: string[];
}

/**
 * Support sold as packs of incidents: admins grant incidents to an organization, and each of its
 * tickets takes one when it is first solved (a reopened ticket solved again is the same incident).
 * @example
 * const desk = createHelpdesk({ extensions: [prepaidSupport({ notify: ['sales@example.com'] })] });
 * await desk.execute(openLedger('acme'), { actor: admin });
 * await desk.execute(grantIncidents('acme', 5), { actor: admin });
 */
export function prepaidSupport(options: PrepaidOptions = {}): Extension<Ledger> {
  checkOptions(options, ['notify'], 'prepaidSupport');
  const notify = options.notify ?? [];
  if (!Array.isArray(notify) || notify.some((a) => typeof a !== 'string' || a.length === 0))
    throw new ConfigError([{ path: 'prepaidSupport.notify', message: 'a list of non-empty addresses' }]);
  return {
    name: 'prepaid',
    events: ['IncidentsGranted', 'IncidentConsumed', 'IncidentsExhausted'],
    commands: {
      grantIncidents: {
        allowed: ['admin'],
        validate(input): GrantIncidents {
          const c = record(input);
          const organizationId = organization(c);
          const n = c.incidents;
          if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 10_000)
            throw new ValidationError([{ path: 'incidents', message: 'an integer from 1 to 10000' }]);
          if (c.note !== undefined && (typeof c.note !== 'string' || c.note.length > 500))
            throw new ValidationError([{ path: 'note', message: 'a string of at most 500 characters' }]);
          const note = c.note === undefined ? {} : { note: c.note as string };
          return {
            type: 'grantIncidents',
            ticketId: ledgerId(organizationId),
            organizationId,
            incidents: n as number,
            ...note,
          };
        },
        decide(_ticket, _state, command) {
          const { organizationId, incidents, note } = command as GrantIncidents;
          return [
            { type: 'IncidentsGranted', data: { organizationId, incidents, ...(note ? { note } : {}) } },
          ];
        },
      },
      consumeIncident: {
        allowed: ['automation'],
        validate(input): ConsumeIncident {
          const c = record(input);
          const organizationId = organization(c);
          if (typeof c.incidentTicketId !== 'string' || c.incidentTicketId.length === 0)
            throw new ValidationError([{ path: 'incidentTicketId', message: 'the id of the solved ticket' }]);
          return {
            type: 'consumeIncident',
            ticketId: ledgerId(organizationId),
            organizationId,
            incidentTicketId: c.incidentTicketId,
          };
        },
        // Once per ticket, never below zero; `[]` is "nothing to do", so a retry appends nothing.
        decide(_ticket, ledger, command) {
          const c = command as ConsumeIncident;
          if (ledger === null || ledger.left < 1 || ledger.consumedBy.includes(c.incidentTicketId)) return [];
          const consumed = {
            type: 'IncidentConsumed',
            data: { organizationId: c.organizationId, ticketId: c.incidentTicketId },
          };
          return ledger.left === 1
            ? [consumed, { type: 'IncidentsExhausted', data: { organizationId: c.organizationId } }]
            : [consumed];
        },
      },
    },
    state: {
      initial: () => null,
      // The account changes only by the module's own events: the fold need not call apply for core's.
      on: ['IncidentsGranted', 'IncidentConsumed'],
      apply(ledger, event) {
        if (isExtensionEvent<{ organizationId: string; incidents: number }>(event, 'IncidentsGranted')) {
          const next = ledger ?? {
            organizationId: event.data.organizationId,
            granted: 0,
            left: 0,
            consumedBy: [],
          };
          next.granted += event.data.incidents;
          next.left += event.data.incidents;
          return next;
        }
        if (ledger && isExtensionEvent<{ ticketId: string }>(event, 'IncidentConsumed')) {
          ledger.left -= 1;
          ledger.consumedBy.push(event.data.ticketId);
        }
      },
    },
    // Staff see the account; a customer sees nothing (the default, written out because it is the point).
    view: (ledger, actor: Actor) => (actor.kind === 'customer' ? undefined : ledger),
    async react(committed, ctx) {
      const { ticket } = committed;
      const organizationId = ticket.requester.organizationId;
      const solved = committed.events.some((e) => e.type === 'StatusChanged' && e.data.category === 'solved');
      if (!solved || organizationId === undefined || ticket.ext.prepaid) return;
      const ledger = (await ctx.load(ledgerId(organizationId)))?.ext.prepaid as Ledger | undefined;
      if (ledger?.consumedBy.includes(ticket.id)) return; // solved again: the incident was paid for
      const result = ledger ? await committed.execute(consumeIncident(organizationId, ticket.id)) : undefined;
      // Read the answer off the ledger as it now is: another process may have consumed for this ticket.
      const after = result?.ticket.ext.prepaid as Ledger | undefined;
      if (result?.events.some((e) => (e.type as string) === 'IncidentsExhausted')) {
        await committed.execute({ type: 'tag', ticketId: ticket.id, tags: [EXHAUSTED_TAG] });
        const body = `This ticket took the last prepaid incident of ${organizationId}; sell them a new pack.`;
        await committed.execute({
          type: 'postMessage',
          ticketId: ticket.id,
          visibility: 'internal',
          body,
          ...(notify.length > 0 ? { notify: { to: notify } } : {}),
        });
      } else if (!after?.consumedBy.includes(ticket.id))
        await committed.execute({ type: 'tag', ticketId: ticket.id, tags: [UNCOVERED_TAG] });
    },
  };
}
