import {
  type Actor,
  type Command,
  type DecideContext,
  type DomainEvent,
  decide,
  defaultPolicy,
  defaultWorkflow,
  fold,
  type NewEvent,
  type Policy,
  type StoredEvent,
  type TesseraErrorCode,
  type Ticket,
  type Workflow,
  workflowSet,
} from '@tessera/core';
import { expect } from 'vitest';

export interface GivenOptions {
  workflows?: Workflow[];
  types?: Record<string, string>;
  policy?: Policy;
  now?: string;
}

/**
 * Given/when/then over the decider (Emmett's DeciderSpecification): given these events (or
 * commands, by their actors), when this command by this actor, then these events (`thenEmits`; not `then`, which would make
 * the object a thenable) — or this error (`thenThrows`),
 * and nothing emitted.
 *
 * @example
 * const open = { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'Hi', body: 'Help' } as const;
 * given([[open, customer]])
 *   .when({ type: 'setPriority', ticketId: 'T1', priority: 'high' }, agent)
 *   .thenEmits([{ type: 'PriorityChanged', data: { from: 'normal', to: 'high' } }]);
 * given([[open, customer]])
 *   .when({ type: 'setPriority', ticketId: 'T1', priority: 'high' }, customer)
 *   .thenThrows('forbidden', /customers may not/);
 */
export function given(history: (StoredEvent | [Command, Actor])[], options: GivenOptions = {}) {
  let n = 0;
  const ctx = (actor: Actor): DecideContext => ({
    actor,
    now: options.now ?? '2026-01-01T00:00:00.000Z',
    ids: { next: () => `id${++n}` },
    workflows: workflowSet(options.workflows ?? [defaultWorkflow], options.types ?? {}),
    policy: options.policy ?? defaultPolicy(),
    ticketId: 'T1',
    number: 1,
  });
  const events: NewEvent[] = [];
  let state: Ticket | undefined;
  for (const item of history) {
    if (Array.isArray(item)) {
      const [command, actor] = item;
      for (const e of decide(state, command, ctx(actor))) {
        events.push({
          ...e,
          eventId: `e${events.length + 1}`,
          occurredAt: options.now ?? '2026-01-01T00:00:00.000Z',
          actor,
          schemaVersion: 1,
        } as NewEvent);
      }
    } else events.push(item);
    state = fold(events.map((e, i) => ({ ...e, version: i + 1 })));
  }
  return {
    state,
    when(command: Command, actor: Actor) {
      const run = () => decide(state, command, ctx(actor));
      return {
        thenEmits(expected: DomainEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenThrows(code: TesseraErrorCode, message?: RegExp) {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown, `expected a ${code} error`).toMatchObject({ code });
          if (message) expect((thrown as Error).message).toMatch(message);
        },
      };
    },
  };
}
