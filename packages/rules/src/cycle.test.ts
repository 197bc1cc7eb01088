import { type Actor, ConfigError, createHelpdesk, type Extension, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, rules, type Trigger } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

describe('the trigger cycle, given many triggers', () => {
  it('when a command commits, then the ticket is read once per pass, not once per trigger (evaluation itself is synchronous)', async () => {
    const store = inMemoryStore();
    let reads = 0;
    const readStream = store.events.readStream.bind(store.events);
    store.events.readStream = (...args) => {
      reads++;
      return readStream(...args);
    };
    const idle: Trigger[] = Array.from({ length: 200 }, (_, i) => ({
      id: `idle-${i}`,
      when: { field: 'tags', op: 'contains', value: `never-${i}` },
      then: [{ type: 'addTags', tags: ['x'] }],
    }));
    const desk = createHelpdesk({
      store,
      clock: { now: () => new Date('2026-03-02T09:00:00Z') },
      extensions: [
        rules(
          defineRules({
            triggers: [
              ...idle,
              {
                id: 'one',
                when: { field: 'tags', op: 'contains', value: 'go' },
                then: [{ type: 'setPriority', priority: 'high' }],
              },
            ],
          }),
        ),
      ],
    });
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: customer },
    );
    reads = 0;
    const r = await desk.execute({ type: 'tag', ticketId: ticket.id, tags: ['go'] }, { actor: agent });
    expect(r.ticket.priority).toBe('high');
    // Two passes (one fires, one finds nothing), plus the desk's own reads around the two commands.
    expect(reads).toBeLessThan(20);
  });
});

describe('a cascade through another extension', () => {
  it('when a rule and an extension keep undoing each other, then it stops at the fixed depth with a ConfigError naming the chain', async () => {
    // An extension that flips tag `a` back whenever it changes: with a rule that sets it, a cycle.
    const flipper: Extension = {
      name: 'flipper',
      react: async (committed) => {
        if (committed.events.some((e) => e.type === 'TagsChanged'))
          await committed.execute({
            command: committed.ticket.tags.includes('a')
              ? { type: 'untag', ticketId: committed.ticket.id, tags: ['a'] }
              : { type: 'tag', ticketId: committed.ticket.id, tags: ['a'] },
            ruleId: 'flipper',
          });
      },
    };
    const desk = createHelpdesk({
      store: inMemoryStore(),
      maxCascadeDepth: 4,
      extensions: [
        rules(
          defineRules({
            triggers: [{ id: 'tag-a', on: ['TicketOpened'], then: [{ type: 'addTags', tags: ['a'] }] }],
          }),
        ),
        flipper,
      ],
    });
    const attempt = desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: customer },
    );
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/tag-a → flipper → flipper/);
  });
});

describe('a command retried with its idempotency key (another process, or after a restart)', () => {
  it('when it is answered from the log, then the triggers it set off the first time do not fire again', async () => {
    const store = inMemoryStore();
    const make = () =>
      createHelpdesk({
        store,
        extensions: [
          rules(
            defineRules({
              templates: { thanks: 'Thanks, we got it.' },
              triggers: [
                {
                  id: 'ack',
                  on: ['MessagePosted'],
                  when: { field: 'event.actor.kind', op: 'is', value: 'customer' },
                  then: [{ type: 'reply', template: 'thanks' }],
                },
              ],
            }),
          ),
        ],
      });
    const first = make();
    const { ticket } = await first.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: customer },
    );
    const more = {
      type: 'postMessage',
      ticketId: ticket.id,
      body: 'one more thing',
      visibility: 'public',
    } as const;
    await first.execute(more, { actor: customer, idempotencyKey: 'k1' });
    const retried = await make().execute(more, { actor: customer, idempotencyKey: 'k1' });
    expect(retried.ticket.messages.map((m) => [m.author.kind, m.body])).toEqual([
      ['customer', 'b'],
      ['automation', 'Thanks, we got it.'],
      ['customer', 'one more thing'],
      ['automation', 'Thanks, we got it.'],
    ]);
  });
});
