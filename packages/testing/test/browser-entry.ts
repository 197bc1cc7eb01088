/**
 * Runs in headless Chromium (bundled by browser.e2e.test.ts with esbuild for the browser): a desk
 * with the in-memory store and the SLA, rules and email extensions, and no Node anywhere. Mail goes
 * to a transport that records it in memory — a browser has no SMTP, so that is the honest stand-in.
 * What happened is left on `window.__result` for the test to read.
 */
import { type Actor, createHelpdesk, inMemoryStore, type OutboundEmail } from '@tessera/core';
import { composeEmail, emailChannel } from '@tessera/email';
import { defineRules, rules } from '@tessera/rules';
import { businessCalendar, sla } from '@tessera/sla';

export interface BrowserResult {
  ok: boolean;
  error?: string;
  tags?: string[];
  nextDeadline?: string;
  composed?: { subject: string; to: string[]; inReplyTo?: string; replyTo?: string };
  sent?: { subject: string; to: string[]; text: string }[];
}

declare global {
  interface Window {
    __result?: BrowserResult;
  }
}

async function run(): Promise<BrowserResult> {
  const now = new Date('2026-11-02T09:00:00Z'); // a Monday, 09:00 UTC
  const outbox: OutboundEmail[] = [];
  const transport = {
    async send(mail: OutboundEmail) {
      outbox.push(mail);
      return { accepted: mail.to, rejected: [] };
    },
  };
  const office = businessCalendar({
    timeZone: 'UTC',
    week: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']] },
  });
  const secret = 'browser-secret-0123456789abcdef';
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => now },
    extensions: [
      sla({
        calendars: { office },
        policies: [{ id: 'std', calendar: 'office', targets: { firstReply: 60 } }],
      }),
      rules(
        defineRules({
          triggers: [
            {
              id: 'outage',
              on: ['TicketOpened'],
              when: { field: 'subject', op: 'contains', value: 'down' },
              // biome-ignore lint/suspicious/noThenProperty: a trigger's actions are named `then` in @tessera/rules
              then: [{ type: 'addTags', tags: ['outage'] }],
            },
          ],
        }),
      ),
      emailChannel({ address: 'Support <support@example.com>', secret, transport }),
    ],
  });
  const ann: Actor = { kind: 'customer', id: 'ann', name: 'Ann', email: 'ann@example.com' };
  const bob: Actor = { kind: 'agent', id: 'bob', name: 'Bob', teams: ['support'] };

  const { ticket } = await desk.execute(
    {
      type: 'openTicket',
      channel: 'portal',
      requester: { id: 'ann' },
      subject: 'Site is down',
      body: 'A 502.',
    },
    { actor: ann },
  );
  const row = (await desk.query({}, { actor: bob })).items.find((s) => s.id === ticket.id);
  const replied = await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'Rolled back, please retry.', visibility: 'public' },
    { actor: bob },
  );
  const message = replied.ticket.messages.at(-1)!;
  const composed = composeEmail(replied.ticket, message, { from: 'Support <support@example.com>', secret });
  await desk.close();
  return {
    ok: true,
    tags: [...(row?.tags ?? [])],
    ...(row?.sla?.nextDeadline === undefined ? {} : { nextDeadline: row.sla.nextDeadline }),
    composed: {
      subject: composed.subject,
      to: composed.to,
      ...(composed.inReplyTo === undefined ? {} : { inReplyTo: composed.inReplyTo }),
      ...(composed.replyTo === undefined ? {} : { replyTo: composed.replyTo }),
    },
    sent: outbox.map((m) => ({ subject: m.subject, to: m.to, text: m.text })),
  };
}

run().then(
  (result) => {
    window.__result = result;
  },
  (error: unknown) => {
    window.__result = {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error),
    };
  },
);
