/**
 * Rule evaluation: 1,000 rules of 3–5 conditions each against 10,000 ticket events, side by side
 * with json-rules-engine and json-logic-js running the equivalent rules. Same verdicts checked.
 * Run: pnpm build && node --import tsx bench/rules.bench.ts
 */
import type { Ticket } from '@tessera/core';
import { defineRules } from '@tessera/rules';
import jsonLogic from 'json-logic-js';
import { Engine } from 'json-rules-engine';

const RULES = Number(process.env.BENCH_RULES ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ENGINE_EVENTS = Number(process.env.BENCH_ENGINE_EVENTS ?? 1000);
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

type Leaf = {
  field: string;
  op: 'is' | 'isNot' | 'in' | 'contains' | 'gte';
  value: string | number | string[];
};
function leaf(): Leaf {
  switch (Math.floor(rand() * 6)) {
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

const tickets = Array.from({ length: EVENTS }, (_, i) => ({
  id: `t${i}`,
  priority: pick(priorities),
  status: pick(statuses),
  channel: pick(channels),
  team: pick(teams),
  tags: tags.filter(() => rand() < 0.3),
  fields: { seats: Math.floor(rand() * 100) },
}));

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
for (const t of tickets)
  for (const rule of defined.triggers) ours.push(rule.test({ ticket: t as unknown as Ticket }));
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
for (const t of tickets) for (const rule of logic) theirs.push(Boolean(jsonLogic.apply(rule as never, t)));
const logicRate = theirs.length / ((performance.now() - start) / 1000);

// json-rules-engine (async; run on a slice of the events, reported per evaluation)
const engine = new Engine([], { allowUndefinedFacts: true });
for (const d of definitions) {
  engine.addRule({
    name: d.id,
    conditions: {
      all: d.all.map((l) => {
        const [fact, path] = l.field.startsWith('fields.')
          ? ['fields', `$.${l.field.slice(7)}`]
          : [l.field, undefined];
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
for (const t of tickets.slice(0, ENGINE_EVENTS)) {
  const { events } = await engine.run(t);
  const hit = new Set(events.map((e) => e.type));
  for (const d of definitions) engineVerdicts.push(hit.has(d.id));
}
const engineRate = engineVerdicts.length / ((performance.now() - start) / 1000);

const differ = (a: boolean[], b: boolean[]) => b.reduce((n, v, i) => n + (v !== a[i] ? 1 : 0), 0);
console.log(
  `rules: ${fmt(RULES)} rules of 3–5 conditions; ${fmt(EVENTS)} events (json-rules-engine: first ${fmt(ENGINE_EVENTS)})`,
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
