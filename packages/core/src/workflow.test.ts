import { describe, expect, it } from 'vitest';
import { WorkflowError } from './errors';
import { defaultWorkflow, defineWorkflow, toMermaid } from './workflow';
import { workflowSet } from './workflow-set';

const base = [
  { id: 'new', category: 'new' },
  { id: 'open', category: 'open' },
  { id: 'waiting', category: 'pending' },
  { id: 'solved', category: 'solved' },
  { id: 'closed', category: 'closed' },
] as const;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowError);
    return (error as WorkflowError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a WorkflowError');
}

describe('defineWorkflow', () => {
  it('rejects a dead end and an unreachable status together, naming both', () => {
    const problems = problemsOf(() =>
      defineWorkflow({
        id: 'broken',
        statuses: [...base, { id: 'limbo', category: 'on_hold' }, { id: 'attic', category: 'open' }],
        transitions: {
          new: ['open'],
          open: ['waiting', 'limbo', 'solved'],
          waiting: ['open'],
          solved: ['closed'],
          limbo: [],
          attic: ['closed'],
        },
      }),
    );
    expect(problems).toContain(
      'statuses.limbo: status limbo is a dead end: no closed status can be reached from it',
    );
    expect(problems).toContain('statuses.attic: status attic is unreachable from new');
  });

  it('lists every definition problem at once: unknown statuses, bad categories, bad reply targets', () => {
    const problems = problemsOf(() =>
      defineWorkflow({
        id: 'typos',
        statuses: [...base, { id: 'weird', category: 'sleeping' as never }],
        transitions: { new: ['opne'], ghost: ['open'] },
        onCustomerReply: 'nowhere',
        onAgentPublicReply: 'closed',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^statuses\[5\]\.category: unknown category "sleeping"/),
        'transitions.new[0]: unknown status "opne"',
        'transitions.ghost: unknown status "ghost"',
        'onCustomerReply: unknown status "nowhere"',
        'onAgentPublicReply: cannot move a ticket to closed status "closed"',
      ]),
    );
  });

  it('enforces the category rules on explicit transitions', () => {
    const problems = problemsOf(() =>
      defineWorkflow({
        id: 'rules',
        statuses: [...base],
        transitions: {
          new: ['open'],
          open: ['new', 'solved'],
          solved: ['waiting', 'closed'],
          closed: ['open'],
        },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'transitions.open[0]: open (open) → new (new) breaks the category rules',
        'transitions.closed[0]: closed (closed) → open (open) breaks the category rules',
      ]),
    );
    // solved → pending is a reopen, which the rules allow
    expect(problems.some((p) => p.startsWith('transitions.solved'))).toBe(false);
  });

  it('needs a closed status and a first status that is not final', () => {
    expect(
      problemsOf(() => defineWorkflow({ id: 'x', statuses: [{ id: 'open', category: 'open' }] })),
    ).toContain('statuses: needs a status in category closed: every ticket must be able to end');
    expect(
      problemsOf(() => defineWorkflow({ id: 'x', statuses: [{ id: 'closed', category: 'closed' }] })),
    ).toContain('statuses[0]: the initial status cannot be solved, closed or merged');
  });

  it('compiles to an XState machine whose table drives every decision', () => {
    const w = defineWorkflow({
      id: 'explicit',
      statuses: [...base],
      transitions: { new: ['open'], open: ['waiting', 'solved'], waiting: ['open'], solved: ['closed'] },
      onCustomerReply: 'open',
    });
    expect(w.machine.config.initial).toBe('new');
    expect(Object.keys(w.machine.states)).toEqual(['new', 'open', 'waiting', 'solved', 'closed', 'merged']);
    expect(w.canMove('new', 'open')).toBe(true);
    expect(w.canMove('new', 'solved')).toBe(false);
    expect(w.movesFrom('open')).toEqual(['waiting', 'solved']);
    expect(w.movesFrom('closed')).toEqual([]);
    expect(w.replyTarget('waiting', 'customer')).toBe('open');
    expect(w.replyTarget('solved', 'customer')).toBe('open');
    expect(w.replyTarget('open', 'customer')).toBeUndefined();
    expect(w.categoryOf('merged')).toBe('merged');
    expect(w.closedReplies).toBe('follow-up');
  });

  it('the default workflow allows every move the category rules allow', () => {
    expect(defaultWorkflow.movesFrom('new')).toEqual(['open', 'pending', 'on_hold', 'solved', 'closed']);
    expect(defaultWorkflow.movesFrom('solved')).toEqual(['open', 'pending', 'on_hold', 'closed']);
    expect(defaultWorkflow.movesFrom('pending')).not.toContain('new');
  });

  it('draws the default machine as mermaid, and docs/lifecycle.md shows that drawing', async () => {
    const mermaid = toMermaid(defaultWorkflow);
    expect(mermaid.split('\n').slice(0, 3)).toEqual([
      'stateDiagram-v2',
      '  [*] --> new',
      '  new --> merged: merge',
    ]);
    expect(mermaid).toContain('  pending --> open: customer reply');
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../../docs/lifecycle.md', import.meta.url), 'utf8');
    expect(doc).toContain(mermaid);
  });
});

describe('a desk’s workflow set', () => {
  it('lists every workflow, the default first', () => {
    const other = defineWorkflow({
      id: 'other',
      statuses: [
        { id: 'fresh', category: 'new' },
        { id: 'done', category: 'closed' },
      ],
    });
    const set = workflowSet([defaultWorkflow, other], { chore: 'other' });
    expect(set.all.map((w) => w.id)).toEqual([defaultWorkflow.id, 'other']);
    // Every status of every workflow, once, and merged (which every workflow has undeclared).
    expect([...set.statuses].sort()).toEqual(
      [...new Set([...defaultWorkflow.statuses.map((st) => st.id), 'fresh', 'done', 'merged'])].sort(),
    );
  });
});
