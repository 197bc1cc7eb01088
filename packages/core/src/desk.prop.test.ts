import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from './apply';
import type { Command } from './commands';
import { createHelpdesk } from './desk';
import { isTesseraError } from './errors';
import { inMemoryStore } from './memory';
import type { Actor, StatusCategory } from './model';
import { defineWorkflow, type StatusDefinition, type WorkflowDefinition } from './workflow';

const FINAL = new Set<StatusCategory>(['closed', 'merged']);
const allows = (from: StatusCategory, to: StatusCategory) =>
  !FINAL.has(from) &&
  to !== 'new' &&
  to !== 'merged' &&
  (from !== 'solved' || to === 'closed' || to === 'open' || to === 'pending' || to === 'on_hold');

/**
 * Random valid workflows: a chain through every status (so all are reachable and none is a dead
 * end), plus random extra moves the category rules allow — or no transitions at all.
 */
const workflowArb: fc.Arbitrary<WorkflowDefinition> = fc
  .record({
    middle: fc.array(fc.constantFrom<StatusCategory>('open', 'pending', 'on_hold'), {
      minLength: 1,
      maxLength: 4,
    }),
    solved: fc.boolean(),
    closed: fc.integer({ min: 1, max: 2 }),
    explicit: fc.boolean(),
    extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
    closedReplies: fc.constantFrom<'follow-up' | 'reject'>('follow-up', 'reject'),
    agentReply: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ middle, solved, closed, explicit, extra, closedReplies, agentReply }) => {
    const statuses: StatusDefinition[] = [
      { id: 'new', category: 'new' },
      ...middle.map((category, i) => ({ id: `${category}${i}`, category })),
      ...(solved ? [{ id: 'solved', category: 'solved' as const }] : []),
      ...Array.from({ length: closed }, (_, i) => ({ id: `closed${i}`, category: 'closed' as const })),
    ];
    const def: WorkflowDefinition = { id: 'random', statuses, closedReplies };
    const live = statuses.filter((s) => ['open', 'pending', 'on_hold'].includes(s.category));
    const firstOpen = live.find((s) => s.category === 'open');
    if (firstOpen) def.onCustomerReply = firstOpen.id;
    else if (live[0]) def.onCustomerReply = live[0].id;
    if (agentReply !== undefined && live.length > 0)
      def.onAgentPublicReply = live[agentReply % live.length]!.id;
    if (explicit) {
      const transitions: Record<string, string[]> = {};
      const add = (from: StatusDefinition, to: StatusDefinition) => {
        if (from.id === to.id || !allows(from.category, to.category)) return;
        transitions[from.id] = [...new Set([...(transitions[from.id] ?? []), to.id])];
      };
      for (let i = 0; i + 1 < statuses.length; i++) add(statuses[i]!, statuses[i + 1]!);
      for (const s of statuses)
        if (!FINAL.has(s.category)) add(s, statuses.find((t) => t.category === 'closed')!);
      const lastLive = statuses.filter((s) => !FINAL.has(s.category)).at(-1)!;
      for (const c of statuses.filter((t) => t.category === 'closed')) add(lastLive, c);
      for (const [a, b] of extra) add(statuses[a % statuses.length]!, statuses[b % statuses.length]!);
      def.transitions = transitions;
    }
    return def;
  });

const actors: Actor[] = [
  { kind: 'customer', id: 'c1', organizationId: 'o1' },
  { kind: 'customer', id: 'c2', organizationId: 'o2' },
  { kind: 'agent', id: 'a1', teams: ['t1'] },
  { kind: 'agent', id: 'a2', teams: ['t2'] },
  { kind: 'admin', id: 'admin' },
];

type Step = { actor: number; ticket: number; kind: number; arg: number; text: string };
const stepArb: fc.Arbitrary<Step> = fc.record({
  actor: fc.nat({ max: actors.length - 1 }),
  ticket: fc.nat(),
  kind: fc.nat({ max: 11 }),
  arg: fc.nat(),
  text: fc.string({ minLength: 0, maxLength: 12 }),
});

function toCommand(step: Step, ids: string[], statuses: string[]): Command {
  const ticketId = ids.length === 0 ? 'missing' : ids[step.ticket % ids.length]!;
  const other = ids.length === 0 ? 'missing' : ids[step.arg % ids.length]!;
  switch (step.kind) {
    case 0:
      return {
        type: 'openTicket',
        channel: 'portal',
        requester: {
          id: actors[step.actor]!.kind === 'customer' ? actors[step.actor]!.id : 'c1',
          organizationId: 'o1',
        },
        subject: step.text,
        body: `body ${step.text}`,
        ...(step.arg % 3 === 0 ? {} : { team: step.arg % 3 === 1 ? 't1' : 't2' }),
      };
    case 1:
    case 2:
      return {
        type: 'postMessage',
        ticketId,
        body: step.text,
        visibility: step.kind === 1 ? 'public' : 'internal',
      };
    case 3:
    case 4:
      return {
        type: 'changeStatus',
        ticketId,
        status: step.arg % 7 === 0 ? 'bogus' : statuses[step.arg % statuses.length]!,
      };
    case 5:
      return { type: 'assign', ticketId, assignee: `a${(step.arg % 2) + 1}` };
    case 6:
      return { type: 'tag', ticketId, tags: [step.text || 'x'] };
    case 7:
      return {
        type: 'setPriority',
        ticketId,
        priority: (['low', 'normal', 'high', 'urgent'] as const)[step.arg % 4]!,
      };
    case 8:
      return { type: 'merge', ticketId, into: other };
    case 9:
      return { type: 'requestRating', ticketId };
    case 10:
      return { type: 'rate', ticketId, score: (step.arg % 5) + 1 };
    default:
      return { type: 'logTime', ticketId, minutes: (step.arg % 90) + 1 };
  }
}

describe('the lifecycle, for random workflows and random command sequences by random actors', () => {
  it('reaches only declared statuses, never re-enters new, lets closed and merged tickets accept nothing, refuses without a trace, and replays to what execute returned', async () => {
    await fc.assert(
      fc.asyncProperty(
        workflowArb,
        fc.array(stepArb, { minLength: 1, maxLength: 40 }),
        async (def, steps) => {
          const workflow = defineWorkflow(def);
          const declared = new Set(workflow.statuses.map((s) => s.id));
          const store = inMemoryStore();
          let now = Date.parse('2026-01-01T00:00:00Z');
          let n = 0;
          const desk = createHelpdesk({
            store,
            workflows: [workflow],
            clock: { now: () => new Date(now) },
            ids: { next: () => `id${++n}` },
          });
          const ids: string[] = [];
          const statuses = [...declared];
          for (const step of steps) {
            now += 1000;
            const command = toCommand(step, ids, statuses);
            const actor = actors[step.actor]!;
            const before = JSON.stringify(await store.events.readAll());
            const target =
              'ticketId' in command ? await desk.history(command.ticketId).catch(() => undefined) : undefined;
            try {
              const result = await desk.execute(command, { actor });
              if (!ids.includes(result.ticket.id)) ids.push(result.ticket.id);
              // (2) the stored log folds to exactly what execute returned
              const stream = await store.events.readStream(`ticket-${result.ticket.id}`);
              expect(fold(stream)).toEqual(result.ticket);
              // A final ticket's own stream never grows: replies to it land elsewhere.
              if (
                target?.ticket &&
                (target.ticket.category === 'closed' || target.ticket.category === 'merged')
              ) {
                const after = await store.events.readStream(`ticket-${target.ticket.id}`);
                expect(after.length).toBe(target.events.length);
                expect(result.ticket.id).not.toBe(target.ticket.id);
              }
            } catch (error) {
              if (!isTesseraError(error)) throw error;
              // Refused commands leave the log byte for byte unchanged.
              expect(JSON.stringify(await store.events.readAll())).toBe(before);
            }
          }
          const all = await store.events.readAll();
          for (const event of all) {
            if (event.type === 'StatusChanged') {
              expect(declared.has(event.data.to)).toBe(true);
              expect(event.data.category).not.toBe('new');
            }
          }
          for (const id of ids) {
            const { events, ticket } = await desk.history(id);
            expect(declared.has(ticket!.status)).toBe(true);
            const closedAt = events.findIndex(
              (e) => e.type === 'StatusChanged' && FINAL.has(e.data.category),
            );
            if (closedAt >= 0) expect(events.length).toBe(closedAt + 1);
            // (2) history(asOf) at each event's time equals the fold up to it
            for (const e of events) {
              const then = await desk.history(id, { asOf: e.occurredAt });
              expect(then.ticket).toEqual(fold(events.filter((x) => x.occurredAt <= e.occurredAt)));
            }
            // (3) no customer view ever contains an internal note
            for (const actor of actors.filter((a) => a.kind === 'customer')) {
              const view = await desk.get(id, { actor }).catch(() => undefined);
              if (view) expect(view.messages.every((m) => m.visibility === 'public')).toBe(true);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('50 concurrent commands on one ticket, from five desks on one store, leave versions 1..n with nothing lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('tag', 'note', 'priority'), { minLength: 50, maxLength: 50 }),
        async (kinds) => {
          const store = inMemoryStore();
          const desks = Array.from({ length: 5 }, () => createHelpdesk({ store, maxRetries: 100 }));
          const admin: Actor = { kind: 'admin', id: 'root' };
          const { ticket } = await desks[0]!.execute(
            { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
            { actor: admin },
          );
          const results = await Promise.all(
            kinds.map((kind, i) => {
              const command: Command =
                kind === 'tag'
                  ? { type: 'tag', ticketId: ticket.id, tags: [`t${i}`] }
                  : kind === 'note'
                    ? { type: 'postMessage', ticketId: ticket.id, body: `note ${i}`, visibility: 'internal' }
                    : { type: 'logTime', ticketId: ticket.id, minutes: i + 1 };
              return desks[i % 5]!.execute(command, { actor: admin });
            }),
          );
          const stream = await store.events.readStream(`ticket-${ticket.id}`);
          expect(stream.map((e) => e.version)).toEqual(stream.map((_, i) => i + 1));
          expect(stream).toHaveLength(2 + 50);
          expect(results.every((r) => r.events.length === 1)).toBe(true);
          const final = fold(stream)!;
          expect(final.tags).toHaveLength(kinds.filter((k) => k === 'tag').length);
          expect(final.messages).toHaveLength(1 + kinds.filter((k) => k === 'note').length);
        },
      ),
      { numRuns: 20 },
    );
  });
});
