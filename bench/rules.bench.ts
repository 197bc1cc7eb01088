/**
 * Rule evaluation: 1,000 rules of 3–5 conditions each (on the ticket and on the event that set the
 * trigger off) against 10,000 events, side by side with the same rules written by hand as plain JS
 * closures (the floor a compiler can approach), json-logic-js and json-rules-engine. Same verdicts
 * checked, case by case. The contenders are timed in interleaved rounds (each round runs every one,
 * in a rotating order) and each keeps its best round, so a loaded machine slows a round of each
 * rather than reversing a ratio.
 * Run: pnpm build && pnpm --dir bench all rules
 */
import { compileCondition, type StoredEvent, type Ticket } from '@tessera/core';
import { defineRules } from '@tessera/rules';
import jsonLogic from 'json-logic-js';
import { Engine } from 'json-rules-engine';

const RULES = Number(process.env.BENCH_RULES ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
/** The interpreters are 5–500× slower: they run on the first events only (reported per evaluation). */
const LOGIC_EVENTS = Math.min(EVENTS, Number(process.env.BENCH_LOGIC_EVENTS ?? 2_000));
const ENGINE_EVENTS = Math.min(EVENTS, Number(process.env.BENCH_ENGINE_EVENTS ?? 200));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

type Case = (typeof cases)[number];
interface Contender {
  name: string;
  events: number;
  /** Evaluates every rule against each of the first `events` cases; returns the matches, or pushes each verdict to `out`. */
  run(list: readonly Case[], out?: boolean[]): number | Promise<number>;
}

// Tessera: the predicates defineRules compiled.
const defined = defineRules({
  triggers: definitions.map((d) => ({
    id: d.id,
    when: { all: d.all },
    then: [{ type: 'addTags', tags: ['x'] }],
  })),
});
const tests = defined.triggers.map((t) => t.test);
const subjects = cases.map((c) => ({
  ticket: c.ticket as unknown as Ticket,
  event: c.event as unknown as StoredEvent,
}));
const tessera: Contender = {
  name: 'Tessera (defineRules)',
  events: EVENTS,
  run(list, out) {
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const subject = subjects[i]!;
      for (const test of tests) {
        const v = test(subject);
        if (v) n++;
        out?.push(v);
      }
    }
    return n;
  },
};

// Core's compileCondition on the same conditions: what defineRules returned before it compiled
// accepted conditions with its own fast compiler.
const coreTests = definitions.map((d) => compileCondition({ all: d.all }));
const core: Contender = {
  name: "core's compileCondition",
  events: EVENTS,
  run(list, out) {
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const subject = subjects[i]!;
      for (const test of coreTests) {
        const v = test(subject);
        if (v) n++;
        out?.push(v);
      }
    }
    return n;
  },
};

// The same rules written by hand as plain closures: each condition a closure reading its one
// property and comparing with ===, the rule an early-exit loop over them. The bench's values are
// all lower case, so === gives the verdicts the case-insensitive conditions give.
type Subject = (typeof subjects)[number] & { ticket: Case['ticket']; event: Case['event'] };
type Hand = (s: Subject) => boolean;
function handLeaf(l: Leaf): Hand {
  const v = l.value;
  switch (l.field) {
    case 'priority':
      return (s) => s.ticket.priority === v;
    case 'status':
      return (s) => s.ticket.status !== v;
    case 'channel': {
      const [a, b] = v as string[];
      return (s) => s.ticket.channel === a || s.ticket.channel === b;
    }
    case 'tags':
      return (s) => s.ticket.tags.includes(v as string);
    case 'team':
      return (s) => s.ticket.team === v;
    case 'fields.seats':
      return (s) => s.ticket.fields.seats >= (v as number);
    case 'event.type': {
      const [a, b] = v as string[];
      return (s) => s.event.type === a || s.event.type === b;
    }
    case 'event.actor.kind':
      return (s) => s.event.actor.kind === v;
    default:
      return (s) => (s.event.data as { visibility?: string }).visibility === v;
  }
}
const hand = definitions.map((d) => {
  const parts = d.all.map(handLeaf);
  return (s: Subject) => {
    for (const p of parts) if (!p(s)) return false;
    return true;
  };
});
const closures: Contender = {
  name: 'hand-written closures',
  events: EVENTS,
  run(list, out) {
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const subject = subjects[i] as Subject;
      for (const rule of hand) {
        const v = rule(subject);
        if (v) n++;
        out?.push(v);
      }
    }
    return n;
  },
};

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
const jsonLogicJs: Contender = {
  name: 'json-logic-js',
  events: LOGIC_EVENTS,
  run(list, out) {
    let n = 0;
    for (const c of list)
      for (const rule of logic) {
        const v = Boolean(jsonLogic.apply(rule as never, c.facts));
        if (v) n++;
        out?.push(v);
      }
    return n;
  },
};

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
const jsonRulesEngine: Contender = {
  name: 'json-rules-engine',
  events: ENGINE_EVENTS,
  async run(list, out) {
    let n = 0;
    for (const c of list) {
      const { events } = await engine.run(c.facts);
      const hit = new Set(events.map((e) => e.type));
      n += hit.size;
      if (out) for (const d of definitions) out.push(hit.has(d.id));
    }
    return n;
  },
};

const contenders = [tessera, closures, core, jsonLogicJs, jsonRulesEngine];

// Verdicts first, case by case, against Tessera's on the same cases.
const verdicts = new Map<Contender, boolean[]>();
for (const c of contenders) {
  const out: boolean[] = [];
  await c.run(cases.slice(0, c.events), out);
  verdicts.set(c, out);
}
const ours = verdicts.get(tessera)!;
const differ = (theirs: boolean[]) => theirs.reduce((n, v, i) => n + (v !== ours[i] ? 1 : 0), 0);

// Interleaved rounds: every contender once per round, the order rotating; each keeps its best.
const best = new Map<Contender, number>(contenders.map((c) => [c, 0]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(round + k) % contenders.length]!;
    const list = cases.slice(0, c.events);
    const start = performance.now();
    await c.run(list);
    const rate = (list.length * RULES) / ((performance.now() - start) / 1000);
    best.set(c, Math.max(best.get(c)!, rate));
  }
}

const rate = (c: Contender) => best.get(c)!;
console.log(
  `rules: ${fmt(RULES)} rules of 3–5 conditions (ticket and event fields) against ${fmt(EVENTS)} events (json-logic-js ${fmt(LOGIC_EVENTS)}, json-rules-engine ${fmt(ENGINE_EVENTS)}); best of ${ROUNDS} interleaved rounds`,
);
console.log(`  ${'contender'.padEnd(28)} ${'evaluations/s'.padStart(14)} ${'facts/s'.padStart(10)}`);
for (const c of contenders) {
  const ratio =
    c === tessera
      ? ''
      : c === closures || c === core
        ? `  (Tessera at ${((rate(tessera) / rate(c)) * 100).toFixed(0)}% of it; it is ${(rate(c) / rate(tessera)).toFixed(2)}×)`
        : `  (Tessera ${(rate(tessera) / rate(c)).toFixed(1)}×)`;
  console.log(
    `  ${c.name.padEnd(28)} ${fmt(rate(c)).padStart(14)} ${fmt(rate(c) / RULES).padStart(10)}${ratio}`,
  );
}
console.log(
  `  verdicts that differ from Tessera's: ${contenders
    .filter((c) => c !== tessera)
    .map((c) => `${c.name} ${differ(verdicts.get(c)!)} of ${fmt(verdicts.get(c)!.length)}`)
    .join(', ')}; matches ${fmt(ours.filter(Boolean).length)} of ${fmt(ours.length)}`,
);
