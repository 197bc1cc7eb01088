import { type Actor, type Command, type Condition, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type HoursSince, rules } from './index';

// Given a ticket, when a command, then the trigger fires for that command (it adds a note) or not.
// One case per condition op, event condition and time condition, each true and false.

const customer: Actor = { kind: 'customer', id: 'c1', email: 'ann@acme.io', name: 'Ann' };
const agent: Actor = { kind: 'agent', id: 'a1' };

interface Case {
  name: string;
  when: Condition | HoursSince;
  /** The command after the ticket is opened; the trigger is evaluated for it. Default: tag `other`. */
  command?: (ticketId: string) => Command;
  actor?: Actor;
  /** Hours between opening the ticket and the command. */
  after?: number;
  hit: boolean;
}

const tag = (ticketId: string): Command => ({ type: 'tag', ticketId, tags: ['other'] });
const toHigh = (ticketId: string): Command => ({ type: 'setPriority', ticketId, priority: 'high' });
const chat = (ticketId: string): Command => ({
  type: 'postMessage',
  ticketId,
  body: 'hello',
  visibility: 'public',
  channel: 'chat',
});

const cases: Case[] = [
  {
    name: 'is (strings case-insensitively)',
    when: { field: 'subject', op: 'is', value: 'printer ON fire' },
    hit: true,
  },
  { name: 'is, not equal', when: { field: 'priority', op: 'is', value: 'high' }, hit: false },
  { name: 'isNot', when: { field: 'priority', op: 'isNot', value: 'low' }, hit: true },
  { name: 'isNot, equal', when: { field: 'priority', op: 'isNot', value: 'normal' }, hit: false },
  { name: 'in', when: { field: 'channel', op: 'in', value: ['chat', 'email'] }, hit: true },
  { name: 'in, not a member', when: { field: 'channel', op: 'in', value: ['api'] }, hit: false },
  { name: 'notIn', when: { field: 'channel', op: 'notIn', value: ['api', 'chat'] }, hit: true },
  { name: 'notIn, a member', when: { field: 'channel', op: 'notIn', value: ['email'] }, hit: false },
  { name: 'contains a substring', when: { field: 'subject', op: 'contains', value: 'FIRE' }, hit: true },
  { name: 'contains a tag', when: { field: 'tags', op: 'contains', value: 'vip' }, hit: true },
  { name: 'contains, missing tag', when: { field: 'tags', op: 'contains', value: 'refund' }, hit: false },
  { name: 'notContains', when: { field: 'tags', op: 'notContains', value: 'refund' }, hit: true },
  {
    name: 'notContains, present',
    when: { field: 'subject', op: 'notContains', value: 'printer' },
    hit: false,
  },
  { name: 'matches', when: { field: 'subject', op: 'matches', value: '^printer\\s+on' }, hit: true },
  {
    name: 'matches, no match',
    when: { field: 'requester.email', op: 'matches', value: '@example\\.com$' },
    hit: false,
  },
  { name: 'gt on a custom number field', when: { field: 'fields.seats', op: 'gt', value: 5 }, hit: true },
  { name: 'gt, equal', when: { field: 'fields.seats', op: 'gt', value: 10 }, hit: false },
  { name: 'gte on priority rank', when: { field: 'priority', op: 'gte', value: 'normal' }, hit: true },
  { name: 'gte, below', when: { field: 'priority', op: 'gte', value: 'high' }, hit: false },
  { name: 'lt', when: { field: 'fields.seats', op: 'lt', value: 11 }, hit: true },
  { name: 'lt, equal', when: { field: 'fields.seats', op: 'lt', value: 10 }, hit: false },
  { name: 'lte', when: { field: 'fields.seats', op: 'lte', value: 10 }, hit: true },
  { name: 'lte, above', when: { field: 'priority', op: 'lte', value: 'low' }, hit: false },
  { name: 'present', when: { field: 'requester.email', op: 'present' }, hit: true },
  { name: 'present, absent', when: { field: 'assignee', op: 'present' }, hit: false },
  { name: 'absent', when: { field: 'assignee', op: 'absent' }, hit: true },
  { name: 'absent, present', when: { field: 'tags', op: 'absent' }, hit: false },
  { name: 'changed', when: { field: 'priority', op: 'changed' }, command: toHigh, hit: true },
  { name: 'changed, unchanged', when: { field: 'status', op: 'changed' }, command: toHigh, hit: false },
  {
    name: 'changedTo',
    when: { field: 'priority', op: 'changedTo', value: 'high' },
    command: toHigh,
    hit: true,
  },
  {
    name: 'changedTo, other value',
    when: { field: 'priority', op: 'changedTo', value: 'urgent' },
    command: toHigh,
    hit: false,
  },
  {
    name: 'changedFrom',
    when: { field: 'priority', op: 'changedFrom', value: 'normal' },
    command: toHigh,
    hit: true,
  },
  {
    name: 'changedFrom, other value',
    when: { field: 'priority', op: 'changedFrom', value: 'low' },
    command: toHigh,
    hit: false,
  },
  {
    name: 'event.type',
    when: { field: 'event.type', op: 'is', value: 'PriorityChanged' },
    command: toHigh,
    hit: true,
  },
  {
    name: 'event.type, other event',
    when: { field: 'event.type', op: 'is', value: 'MessagePosted' },
    command: toHigh,
    hit: false,
  },
  {
    name: 'event.actor.kind',
    when: { field: 'event.actor.kind', op: 'is', value: 'agent' },
    command: chat,
    hit: true,
  },
  {
    name: 'event.actor.kind, other actor',
    when: { field: 'event.actor.kind', op: 'is', value: 'agent' },
    command: chat,
    actor: customer,
    hit: false,
  },
  {
    name: 'event.channel',
    when: { field: 'event.channel', op: 'is', value: 'chat' },
    command: chat,
    hit: true,
  },
  {
    name: 'event.channel, other channel',
    when: { field: 'event.channel', op: 'is', value: 'email' },
    command: chat,
    hit: false,
  },
  {
    name: 'all',
    when: {
      all: [
        { field: 'tags', op: 'contains', value: 'vip' },
        { field: 'channel', op: 'is', value: 'email' },
      ],
    },
    hit: true,
  },
  {
    name: 'all, one false',
    when: {
      all: [
        { field: 'tags', op: 'contains', value: 'vip' },
        { field: 'channel', op: 'is', value: 'api' },
      ],
    },
    hit: false,
  },
  {
    name: 'any',
    when: {
      any: [
        { field: 'channel', op: 'is', value: 'api' },
        { field: 'tags', op: 'contains', value: 'vip' },
      ],
    },
    hit: true,
  },
  {
    name: 'any, none true',
    when: {
      any: [
        { field: 'channel', op: 'is', value: 'api' },
        { field: 'team', op: 'present' },
      ],
    },
    hit: false,
  },
  { name: 'not', when: { not: { field: 'channel', op: 'is', value: 'api' } }, hit: true },
  { name: 'not, inner true', when: { not: { field: 'channel', op: 'is', value: 'email' } }, hit: false },
  { name: 'hoursSince gte', when: { hoursSince: 'created', gte: 2 }, after: 3, hit: true },
  { name: 'hoursSince gte, too early', when: { hoursSince: 'created', gte: 2 }, after: 1, hit: false },
  { name: 'hoursSince lt', when: { hoursSince: 'lastCustomerMessage', lt: 2 }, after: 1, hit: true },
  {
    name: 'hoursSince lt, too late',
    when: { hoursSince: 'lastCustomerMessage', lt: 2 },
    after: 2,
    hit: false,
  },
  { name: 'hoursSince, instant not reached yet', when: { hoursSince: 'solved', gte: 0 }, hit: false },
  {
    name: 'hoursSince lastAgentReply, none yet',
    when: { hoursSince: 'lastAgentReply', lt: 100 },
    hit: false,
  },
];

async function fires(c: Case): Promise<boolean> {
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const desk = createHelpdesk({
    store: inMemoryStore(),
    clock: { now: () => new Date(now) },
    extensions: [
      rules(
        defineRules({
          templates: { hit: 'hit' },
          triggers: [{ id: 'under-test', when: c.when, then: [{ type: 'note', template: 'hit' }] }],
        }),
      ),
    ],
  });
  const { ticket } = await desk.execute(
    {
      type: 'openTicket',
      channel: 'email',
      requester: { id: 'c1', email: 'ann@acme.io', name: 'Ann' },
      subject: 'Printer on fire',
      body: 'Help!',
      tags: ['vip'],
      fields: { seats: 10 },
    },
    { actor: customer },
  );
  now += (c.after ?? 0) * 3_600_000;
  const before = ticket.version;
  await desk.execute((c.command ?? tag)(ticket.id), { actor: c.actor ?? agent });
  // Read from the log as staff: what `execute` hands a customer is redacted (no rule ids).
  const { events } = await desk.history(ticket.id, { actor: { kind: 'admin', id: 'auditor' } });
  return events.some((e) => e.version > before && e.ruleId === 'under-test');
}

describe('given a ticket, when a command, then each condition decides whether a trigger fires', () => {
  it.each(cases)('$name → $hit', async (c) => {
    expect(await fires(c)).toBe(c.hit);
  });
});
