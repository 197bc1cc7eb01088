import {
  ConfigError,
  createHelpdesk,
  defineWorkflow,
  type Extension,
  inMemoryStore,
  type Problem,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type RulesDefinition, rules } from './index';

function refused(make: () => unknown): readonly Problem[] {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const awaiting = defineWorkflow({
  id: 'confirm',
  statuses: [
    { id: 'new', category: 'new' },
    { id: 'open', category: 'open' },
    { id: 'awaiting', category: 'pending' },
    { id: 'solved', category: 'solved' },
    { id: 'closed', category: 'closed' },
  ],
});

describe('option objects', () => {
  it('rules(defined, options) refuses an unknown option with its path', () => {
    const problems = refused(() => rules(defineRules({}), { deliverr: () => {} } as never));
    expect(problems.map((p) => p.path)).toEqual(['rules.deliverr']);
    expect(problems[0]!.message).toContain('did you mean deliver?');
  });

  it('rules(defined, options) refuses a hook that is not a function (it failed only when first called)', () => {
    const problems = refused(() => rules(defineRules({}), { deliver: 'chat', onError: {} } as never));
    expect(problems.map((p) => p.path)).toEqual(['rules.deliver', 'rules.onError']);
  });

  it('defineRules refuses an unknown key with its path and the key meant', () => {
    const problems = refused(() => defineRules({ triggerz: [] } as RulesDefinition));
    expect(problems.map((p) => p.path)).toEqual(['triggerz']);
    expect(problems[0]!.message).toContain('did you mean triggers?');
  });

  it('rules() refuses a definition that did not go through defineRules', () => {
    const problems = refused(() => rules({ triggers: [] } as never));
    expect(problems.map((p) => p.path)).toEqual(['rules']);
  });
});

describe('statuses checked against the desk the rules are installed in', () => {
  const definition = (status: string): RulesDefinition => ({
    triggers: [
      {
        id: 'park',
        when: { field: 'status', op: 'is', value: status },
        then: [{ type: 'setStatus', status }],
      },
    ],
  });

  it('a setStatus or status condition no workflow of the desk has is a ConfigError from createHelpdesk, though defineRules had no workflows', () => {
    const defined = defineRules(definition('archived'));
    const problems = refused(() => createHelpdesk({ store: inMemoryStore(), extensions: [rules(defined)] }));
    expect(problems.map((p) => p.path)).toEqual([
      'rules.triggers[0].when.value',
      'rules.triggers[0].then[0].status',
    ]);
    expect(problems.every((p) => p.message.startsWith('rule "park": unknown status "archived"'))).toBe(true);
  });

  it("a status of the desk's own workflow passes, and the default workflow's does not there", () => {
    expect(() =>
      createHelpdesk({
        store: inMemoryStore(),
        workflows: [awaiting],
        extensions: [rules(defineRules(definition('awaiting')))],
      }),
    ).not.toThrow();
    expect(() =>
      createHelpdesk({
        store: inMemoryStore(),
        workflows: [awaiting],
        extensions: [rules(defineRules(definition('pending')))],
      }),
    ).toThrow(ConfigError);
  });
});

describe('acknowledgements have one owner', () => {
  const ack = (on: ('TicketOpened' | 'MessagePosted')[]) =>
    rules(
      defineRules({
        templates: { thanks: 'Thanks, we got it.' },
        triggers: [{ id: 'ack', on, then: [{ type: 'reply', template: 'thanks' }] }],
      }),
    );
  // Stands for the email channel with autoReply on (it declares the same capability).
  const autoReply: Extension = { name: 'email', provides: ['acknowledgement'] };

  it('rules with a public reply on TicketOpened provide the acknowledgement; other rules do not', () => {
    expect(ack(['TicketOpened']).provides).toEqual(['acknowledgement']);
    expect(ack(['MessagePosted']).provides).toBeUndefined();
    expect(rules(defineRules({})).provides).toBeUndefined();
  });

  it('with a channel that also acknowledges, createHelpdesk refuses the pair instead of sending two', () => {
    const problems = refused(() =>
      createHelpdesk({ store: inMemoryStore(), extensions: [ack(['TicketOpened']), autoReply] }),
    );
    expect(problems[0]!.message).toMatch(/rules and email both provide "acknowledgement"/);
    expect(() =>
      createHelpdesk({ store: inMemoryStore(), extensions: [ack(['MessagePosted']), autoReply] }),
    ).not.toThrow();
  });
});

function _defaultWorkflowLike() {
  return defineWorkflow({
    id: 'support',
    statuses: [
      { id: 'new', category: 'new' },
      { id: 'open', category: 'open' },
      { id: 'on_hold', category: 'on_hold' },
      { id: 'solved', category: 'solved' },
      { id: 'closed', category: 'closed' },
    ],
  });
}
