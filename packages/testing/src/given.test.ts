import type { Actor } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { given } from './index';

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
