import { type Actor, defineWorkflow } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarArbitrary, commandArbitrary, given, workflowArbitrary } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const open = {
  type: 'openTicket',
  channel: 'portal',
  requester: { id: 'c1' },
  subject: 'Hi',
  body: 'Help',
} as const;

describe('given/when/then', () => {
  it('checks the events a command decides', () => {
    given([[open, customer]])
      .when({ type: 'setPriority', ticketId: 'T1', priority: 'high' }, agent)
      .thenEmits([{ type: 'PriorityChanged', data: { from: 'normal', to: 'high' } }]);
  });
  it('checks a refusal by code and message', () => {
    given([[open, customer]])
      .when({ type: 'setPriority', ticketId: 'T1', priority: 'high' }, customer)
      .thenThrows('forbidden', /customers may not/);
  });
  it('fails when the events differ', () => {
    expect(() =>
      given([[open, customer]])
        .when({ type: 'setPriority', ticketId: 'T1', priority: 'high' }, agent)
        .thenEmits([]),
    ).toThrow();
  });
});

describe('arbitraries', () => {
  it('generate workflows that defineWorkflow accepts', () => {
    fc.assert(
      fc.property(workflowArbitrary(), (def) => void defineWorkflow(def)),
      { numRuns: 200 },
    );
  });
  it('generate well-formed commands', async () => {
    const { validateCommand } = await import('@tessera/core');
    fc.assert(
      fc.property(
        commandArbitrary(['T1', 'T2'], ['open', 'solved']),
        (command) => void validateCommand(command),
      ),
      { numRuns: 300 },
    );
  });
  it('generate calendar configurations with working time', () => {
    fc.assert(
      fc.property(calendarArbitrary(), (config) => {
        expect(Object.values(config.week).some((p) => p.length > 0)).toBe(true);
      }),
    );
  });
});
