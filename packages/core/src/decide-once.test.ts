import { describe, expect, it } from 'vitest';
import { decideCommand } from './decide';
import { createHelpdesk } from './desk';
import { ConfigError, ValidationError } from './errors';
import { inMemoryStore } from './memory';
import type { Actor } from './model';
import { defaultPolicy } from './policy';
import { DEFAULT_LIMITS } from './validate';
import { defaultWorkflow, defineWorkflow } from './workflow';
import { workflowSet } from './workflow-set';

const customer: Actor = { kind: 'customer', id: 'c1' };
const open = {
  type: 'openTicket',
  channel: 'portal',
  requester: { id: 'c1' },
  subject: 'S',
  body: 'B',
} as const;

describe('a command is decided once', () => {
  it('openTicket draws each id once: admitted before the number, its events built once', async () => {
    const drawn: string[] = [];
    let n = 0;
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      ids: { next: () => `id${++n}` },
    });
    const { ticket, events } = await desk.execute(open, { actor: customer });
    drawn.push(ticket.id, ticket.messages[0]!.id, ...events.map((e) => e.eventId));
    // Deciding it twice drew a message id for the first, discarded decision.
    expect(drawn).toEqual(['id1', 'id2', 'id3', 'id4']);
    expect(ticket.number).toBe(1);
  });

  it('a refused open burns no number', async () => {
    const store = inMemoryStore();
    const desk = createHelpdesk({ store, types: { bug: 'default' } });
    await expect(desk.execute({ ...open, ticketType: 'nope' }, { actor: customer })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const { ticket } = await desk.execute(open, { actor: customer });
    expect(ticket.number).toBe(1);
  });

  it('decideCommand takes a validated command and decides from the table', () => {
    const events = decideCommand(
      undefined,
      { ...open, tags: [' VIP', 'vip'] },
      {
        actor: customer,
        now: '2026-01-01T00:00:00.000Z',
        ids: { next: () => 'm1' },
        workflows: workflowSet([defaultWorkflow]),
        policy: defaultPolicy(),
        limits: DEFAULT_LIMITS,
        ticketId: 'T1',
        number: 7,
      },
    );
    expect(events.map((e) => e.type)).toEqual(['TicketOpened', 'MessagePosted']);
    expect(events[0]!.data).toMatchObject({ ticketId: 'T1', number: 7, tags: ['vip'] });
  });
});

describe('workflows', () => {
  it('a workflow set with no workflow or a type naming none is a ConfigError', () => {
    expect(() => workflowSet([])).toThrow(ConfigError);
    expect(() => workflowSet([defaultWorkflow], { bug: 'missing' })).toThrow(ConfigError);
  });

  it('the transition table read through XState’s public API has every declared move and no other', () => {
    const wf = defineWorkflow({
      id: 'small',
      statuses: [
        { id: 'new', category: 'new' },
        { id: 'open', category: 'open' },
        { id: 'done', category: 'solved' },
        { id: 'closed', category: 'closed' },
      ],
      transitions: { new: ['open'], open: ['done'], done: ['open', 'closed'] },
    });
    expect(wf.movesFrom('new')).toEqual(['open']);
    expect(wf.movesFrom('done').sort()).toEqual(['closed', 'open']);
    expect(wf.movesFrom('closed')).toEqual([]);
    expect(wf.canMove('new', 'done')).toBe(false);
  });
});
