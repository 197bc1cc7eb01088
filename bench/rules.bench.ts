/**
 * Rule evaluation: 1,000 rules of 3–5 conditions each (on the ticket and on the event that set the
 * trigger off) against 10,000 events, side by side with json-rules-engine and json-logic-js running
 * the equivalent rules over all of them. Same verdicts checked, case by case.
 * Run: pnpm build && node --import tsx bench/rules.bench.ts
 */
import type { StoredEvent, Ticket } from '@tessera/core';
import { defineRules } from '@tessera/rules';
import jsonLogic from 'json-logic-js';
import { Engine } from 'json-rules-engine';

const RULES = Number(process.env.BENCH_RULES ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;

const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const statuses = ['new', 'open', 'pending', 'solved'];
const channels = ['email', 'portal', 'chat', 'api'];
const teams = ['support', 'billing', 'ops'];
const tags = ['vip', 'bug', 'refund', 'outage', 'trial'];
const eventTypes = ['TicketOpened', 'MessagePosted', 'StatusChanged', 'PriorityChanged'];
const actorKinds = ['customer', 'agent', 'automation'];

type Leaf = {
  field: string;
  op: 'is' | 'isNot' | 'in' | 'contains' | 'gte';
  value: string | number | string[];
};
function leaf(): Leaf {
  switch (Math.floor(rand() * 9)) {
    case 6:
      return { field: 'event.type', op: 'in', value: [pick(eventTypes), pick(eventTypes)] };
    case 7:
      return { field: 'event.actor.kind', op: 'is', value: pick(actorKinds) };
    case 8:
      return { field: 'event.visibility', op: 'is', value: pick(['public', 'internal']) };
    case 0:
      return { field: 'priority', op: 'is', value: pick(priorities) };
    case 1:
      return { field: 'status', op: 'isNot', value: pick(statuses) };
    case 2:
      return { field: 'channel', op: 'in', value: [pick(channels), pick(channels)] };
    case 3:
      return { field: 'tags', op: 'contains', value: pick(tags) };
    case 4:
      return { field: 'team', op: 'is', value: pick(teams) };
    default:
      return { field: 'fields.seats', op: 'gte', value: Math.floor(rand() * 100) };
  }
}
const definitions = Array.from({ length: RULES }, (_, i) => ({
  id: `r${i}`,
  all: Array.from({ length: 3 + Math.floor(rand() * 3) }, leaf),
}));

/** Each case: an event and the ticket it happened to. */
const cases = Array.from({ length: EVENTS }, (_, i) => {
  const type = pick(eventTypes);
  const event = {
    type,
    actor: { kind: pick(actorKinds), id: `u${i % 50}` },
    data:
      type === 'MessagePosted' ? { channel: pick(channels), visibility: pick(['public', 'internal']) } : {},
  };
  const ticket = {
    id: `t${i}`,
    priority: pick(priorities),
    status: pick(statuses),
    channel: pick(channels),
    team: pick(teams),
    tags: tags.filter(() => rand() < 0.3),
    fields: { seats: Math.floor(rand() * 100) },
  };
  // The same facts for the other engines: the event's data beside its type and actor.
  const facts = { ...ticket, event: { type, actor: event.actor, ...event.data } };
  return { event, ticket, facts };
});

// Tessera
const defined = defineRules({
  triggers: definitions.map((d) => ({
    id: d.id,
    when: { all: d.all },
    then: [{ type: 'addTags', tags: ['x'] }],
  })),
});
const ours: boolean[] = [];
let start = performance.now();
for (const c of cases) {
  const subject = { ticket: c.ticket as unknown as Ticket, event: c.event as unknown as StoredEvent };
  for (const rule of defined.triggers) ours.push(rule.test(subject));
}
const oursRate = ours.length / ((performance.now() - start) / 1000);

// json-logic-js
const logic = definitions.map((d) => ({
  and: d.all.map((l) => {
    const v = { var: l.field };
    switch (l.op) {
      case 'is':
        return { '==': [v, l.value] };
      case 'isNot':
        return { '!=': [v, l.value] };
      case 'in':
        return { in: [v, l.value] };
      case 'contains':
        return { in: [l.value, v] };
      default:
        return { '>=': [v, l.value] };
    }
  }),
}));
const theirs: boolean[] = [];
start = performance.now();
for (const c of cases)
  for (const rule of logic) theirs.push(Boolean(jsonLogic.apply(rule as never, c.facts)));
const logicRate = theirs.length / ((performance.now() - start) / 1000);

// json-rules-engine (async; one run per event evaluates every rule; reported per evaluation)
const engine = new Engine([], { allowUndefinedFacts: true });
for (const d of definitions) {
  engine.addRule({
    name: d.id,
    conditions: {
      all: d.all.map((l) => {
        const dot = l.field.indexOf('.');
        const [fact, path] =
          dot > 0 ? [l.field.slice(0, dot), `$.${l.field.slice(dot + 1)}`] : [l.field, undefined];
        const operator = {
          is: 'equal',
          isNot: 'notEqual',
          in: 'in',
          contains: 'contains',
          gte: 'greaterThanInclusive',
        }[l.op];
        return { fact, operator, value: l.value, ...(path ? { path } : {}) };
      }),
    },
    event: { type: d.id },
  });
}
const engineVerdicts: boolean[] = [];
start = performance.now();
for (const c of cases) {
  const { events } = await engine.run(c.facts);
  const hit = new Set(events.map((e) => e.type));
  for (const d of definitions) engineVerdicts.push(hit.has(d.id));
}
const engineRate = engineVerdicts.length / ((performance.now() - start) / 1000);

const differ = (a: boolean[], b: boolean[]) => b.reduce((n, v, i) => n + (v !== a[i] ? 1 : 0), 0);
console.log(
  `rules: ${fmt(RULES)} rules of 3–5 conditions (ticket and event fields); ${fmt(EVENTS)} events, all three engines on every one`,
);
console.log(`  ${'Tessera compiled predicates'.padEnd(34)} ${fmt(oursRate).padStart(14)} evaluations/s`);
console.log(
  `  ${'json-logic-js'.padEnd(34)} ${fmt(logicRate).padStart(14)} evaluations/s  (Tessera ${(oursRate / logicRate).toFixed(1)}×)`,
);
console.log(
  `  ${'json-rules-engine'.padEnd(34)} ${fmt(engineRate).padStart(14)} evaluations/s  (Tessera ${(oursRate / engineRate).toFixed(0)}×)`,
);
console.log(
  `  verdicts that differ: json-logic-js ${differ(ours, theirs)} of ${fmt(ours.length)}, json-rules-engine ${differ(ours, engineVerdicts)} of ${fmt(engineVerdicts.length)}; matches ${fmt(ours.filter(Boolean).length)}`,
);
