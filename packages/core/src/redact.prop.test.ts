import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command, ExecuteOptions, ModuleCommand } from './commands';
import { createHelpdesk } from './desk';
import { isExtensionEvent } from './events';
import type { Extension } from './extension';
import type { Actor } from './model';

/**
 * For random histories, nothing in any customer view — get, history (events and the ticket as of
 * any instant), query rows, execute's answer, findByNumber — comes from an internal note, an
 * internal field, bookkeeping or an agent's private details: each of those carries a unique
 * marker, and no customer view's JSON may hold one.
 */
const MARK = 'SECRET';
const customer: Actor = { kind: 'customer', id: 'c1', email: 'c1@example.com' };
const agent: Actor = {
  kind: 'agent',
  id: 'a1',
  name: 'Maria',
  email: `${MARK}-agent@example.com`,
  teams: [`${MARK}-team`],
};
const system: Actor = { kind: 'system', id: 'sys' };
const automation: Actor = { kind: 'automation', id: 'bot' };

type Step =
  | 'internal-note'
  | 'notify-note'
  | 'agent-reply'
  | 'customer-reply'
  | 'internal-field'
  | 'public-field'
  | 'log-time'
  | 'module-note'
  | 'module-rule'
  | 'rule-reply'
  | 'keyed-reply'
  | 'pending';

const STEPS: Step[] = [
  'internal-note',
  'notify-note',
  'agent-reply',
  'customer-reply',
  'internal-field',
  'public-field',
  'log-time',
  'module-note',
  'module-rule',
  'rule-reply',
  'keyed-reply',
  'pending',
];

/** An extension's bookkeeping: its own command, event, slice and index part, each with the secret. */
const ledger: Extension<string[]> = {
  name: 'ledger',
  events: ['SecretNoted'],
  commands: {
    noteSecret: {
      validate: (input) => input as ModuleCommand,
      decide: (_ticket, _state, c) => [
        { type: 'SecretNoted', data: { secret: (c as ModuleCommand).secret } },
      ],
    },
  },
  state: {
    initial: () => [],
    apply(draft, event) {
      if (isExtensionEvent<{ secret: string }>(event, 'SecretNoted')) draft.push(event.data.secret);
    },
  },
  summarize: (ticket, summary) => ({ ...summary, ext: { ...summary.ext, ledger: ticket.ext.ledger } }),
};

function stepCommand(
  step: Step,
  ticketId: string,
  _messageId: string,
  n: number,
): [Command | ModuleCommand, ExecuteOptions] {
  const secret = `${MARK}-${n}`;
  const post = (body: string, visibility: 'public' | 'internal') =>
    ({ type: 'postMessage', ticketId, body, visibility }) as const;
  switch (step) {
    case 'internal-note':
      return [post(secret, 'internal'), { actor: agent }];
    case 'notify-note':
      return [
        { ...post(secret, 'internal'), notify: { to: [`${secret}@example.com`], text: secret } },
        { actor: agent },
      ];
    case 'agent-reply':
      return [post(`reply ${n}`, 'public'), { actor: agent }];
    case 'customer-reply':
      return [post(`question ${n}`, 'public'), { actor: customer }];
    case 'internal-field':
      return [{ type: 'setFields', ticketId, fields: { margin: secret } }, { actor: agent }];
    case 'public-field':
      return [
        { type: 'setFields', ticketId, fields: { plan: `gold ${n}`, margin: secret } },
        { actor: agent },
      ];
    case 'log-time':
      return [{ type: 'logTime', ticketId, minutes: 5, note: secret }, { actor: agent }];
    case 'module-note':
      return [{ type: 'noteSecret', ticketId, secret }, { actor: system }];
    case 'module-rule':
      return [
        { type: 'noteSecret', ticketId, secret: `rule ${n}` },
        { actor: automation, ruleId: secret },
      ];
    case 'rule-reply':
      return [post(`auto ${n}`, 'public'), { actor: automation, ruleId: secret }];
    case 'keyed-reply':
      return [post(`keyed ${n}`, 'public'), { actor: agent, idempotencyKey: secret }];
    case 'pending':
      return [{ type: 'changeStatus', ticketId, status: 'pending' }, { actor: agent }];
  }
}

describe('customer views hold nothing internal', () => {
  it('for random histories, no marker of an internal note, internal field or bookkeeping reaches a customer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 25 }),
        async (steps) => {
          let now = Date.parse('2026-03-02T09:00:00.000Z');
          const desk = createHelpdesk({
            clock: { now: () => new Date(now) },
            internalFields: ['margin'],
            extensions: [ledger],
          });
          const views: unknown[] = [];
          const opened = await desk.execute(
            {
              type: 'openTicket',
              channel: 'portal',
              requester: { id: 'c1' },
              subject: 'Help',
              body: 'Please',
            },
            { actor: customer },
          );
          const id = opened.ticket.id;
          const firstMessage = opened.ticket.messages[0]!.id;
          for (const [n, step] of steps.entries()) {
            now += 1000;
            const [command, opts] = stepCommand(step, id, firstMessage, n);
            await desk.execute(command, opts);
            // What a customer's own command hands back is a view too.
            if (step === 'customer-reply') views.push(await desk.execute(command, { actor: customer }));
          }
          views.push(await desk.get(id, { actor: customer }));
          views.push(await desk.findByNumber(opened.ticket.number, { actor: customer }));
          const history = await desk.history(id, { actor: customer });
          views.push(history);
          for (const e of history.events)
            views.push(await desk.history(id, { actor: customer, asOf: e.occurredAt }));
          views.push(await desk.query({}, { actor: customer }));
          views.push(await desk.query({ queue: 'waiting-on-agent' }, { actor: customer }));
          const json = JSON.stringify(views);
          expect(json).not.toContain(MARK);
          // The markers are there for staff: the test would notice a desk that hid nothing.
          if (steps.some((s) => s !== 'agent-reply' && s !== 'customer-reply' && s !== 'pending')) {
            const staff = JSON.stringify(await desk.history(id, { actor: agent }));
            expect(staff).toContain(MARK);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
