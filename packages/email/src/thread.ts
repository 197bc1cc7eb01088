import { messageIdList, normalizeMessageId } from './message-id';
import { analyzeSubject, type SubjectOptions } from './subject';

/**
 * What threading needs of a message. A `ParsedEmail` fits as it is; so does a row from a mailbox
 * export. `id` is the caller's stable identity (defaults to the Message-ID, or the position).
 */
export interface ThreadInput {
  id?: string;
  messageId?: string | null;
  inReplyTo?: string | null;
  references?: readonly string[] | string | null;
  subject?: string | null;
  date?: string | Date | null;
}

/** One conversation: its root and every message in it, oldest first, by caller id. */
export interface Thread {
  /** The root message's id; a bare Message-ID when `prunePhantoms: false` leaves a missing root. */
  root: string;
  messages: string[];
}

/** Options of `threadMessages`. */
export interface ThreadOptions {
  /** Group header-less replies with a thread of the same base subject (RFC 5256). Default true. */
  subjectMerge?: boolean;
  /** Remove containers for referenced messages that are not in the input. Default true. */
  prunePhantoms?: boolean;
  /** Extra reply prefixes for the subject fallback. */
  subjectPrefixes?: readonly string[];
}

interface Container {
  key: string;
  msg?: number;
  parent?: Container | undefined;
  children: Container[];
}

interface Item {
  index: number;
  id: string;
  time: number;
  refs: string[];
  subject: string | null | undefined;
}

function timeOf(date: string | Date | null | undefined): number {
  if (date === null || date === undefined) return Number.POSITIVE_INFINITY;
  const t = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function byTimeThenId(a: Item, b: Item): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.index - b.index;
}

function detach(c: Container): void {
  const p = c.parent;
  if (!p) return;
  const i = p.children.indexOf(c);
  if (i >= 0) p.children.splice(i, 1);
  c.parent = undefined;
}

/** Whether `a` is `b` or one of `b`'s descendants (walks up from `a`). */
function within(a: Container, b: Container): boolean {
  for (let c: Container | undefined = a; c; c = c.parent) if (c === b) return true;
  return false;
}

function link(parent: Container, child: Container): void {
  detach(child);
  child.parent = parent;
  parent.children.push(child);
}

/**
 * JWZ threading (RFC 5256 THREAD=REFERENCES) for importing a mailbox into tickets.
 *
 * References win over In-Reply-To; missing ancestors become phantoms, pruned from the output;
 * loops are never created; header-less replies join a thread with the same base subject.
 * The result does not depend on arrival order: messages are linked in (date, id) order, and
 * threads and their messages come out oldest first. The one exception RFC 5256 itself makes:
 * when two messages share a Message-ID, the first in the input owns it.
 *
 * @example
 * threadMessages([
 *   { id: 'b', messageId: '<b@x>', inReplyTo: '<a@x>', subject: 'Re: Hi', date: '2026-01-01T10:05:00Z' },
 *   { id: 'a', messageId: '<a@x>', subject: 'Hi', date: '2026-01-01T10:00:00Z' },
 * ]);  // [{ root: 'a', messages: ['a', 'b'] }]
 */
export function threadMessages(mails: readonly ThreadInput[], options: ThreadOptions = {}): Thread[] {
  const subjectMerge = options.subjectMerge ?? true;
  const prune = options.prunePhantoms ?? true;
  const subjectOptions: SubjectOptions | undefined = options.subjectPrefixes
    ? { prefixes: options.subjectPrefixes }
    : undefined;

  const containers = new Map<string, Container>();
  const get = (key: string): Container => {
    let c = containers.get(key);
    if (!c) {
      c = { key, children: [] };
      containers.set(key, c);
    }
    return c;
  };

  // Ownership of Message-IDs by input order (RFC 5256: a duplicate gets a unique id).
  const items: Item[] = [];
  const own: Container[] = [];
  mails.forEach((m, index) => {
    const mid = normalizeMessageId(m.messageId ?? undefined);
    const id = m.id ?? (mid ? `<${mid}>` : `#${index}`);
    let refs = messageIdList(m.references ?? undefined);
    if (refs.length === 0) refs = messageIdList(m.inReplyTo ?? undefined).slice(0, 1);
    items.push({ index, id, time: timeOf(m.date), refs, subject: m.subject });
    const key = mid && !containers.has(mid) ? mid : `\u0000${index}`;
    const c = get(key);
    c.msg = index;
    own[index] = c;
  });

  // Link in a canonical order so the arrival order does not matter.
  const order = [...items].sort(byTimeThenId);
  for (const item of order) {
    const self = own[item.index]!;
    const chain = item.refs.map(get);
    for (let j = 0; j + 1 < chain.length; j++) {
      const parent = chain[j]!;
      const child = chain[j + 1]!;
      if (child.parent || parent === child || within(parent, child)) continue;
      link(parent, child);
    }
    const last = chain[chain.length - 1];
    detach(self);
    if (last && last !== self && !within(last, self)) link(last, self);
  }

  // Roots, with phantoms pruned.
  let roots = [...containers.values()].filter((c) => !c.parent && (c.msg !== undefined || c.children.length));
  if (prune) {
    const pruneChildren = (c: Container): void => {
      const next: Container[] = [];
      for (const child of c.children) {
        pruneChildren(child);
        if (child.msg === undefined) {
          for (const g of child.children) {
            g.parent = c;
            next.push(g);
          }
        } else next.push(child);
      }
      c.children = next;
    };
    const pruned: Container[] = [];
    for (const r of roots) {
      pruneChildren(r);
      if (r.msg === undefined && r.children.length === 1) {
        const only = r.children[0]!;
        only.parent = undefined;
        pruned.push(only);
      } else if (r.msg !== undefined || r.children.length > 0) pruned.push(r);
    }
    roots = pruned;
  }

  interface Group {
    root: Container;
    members: Item[];
    first: Item;
  }
  const collect = (c: Container, out: Item[]): void => {
    const stack = [c];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.msg !== undefined) out.push(items[x.msg]!);
      for (const ch of x.children) stack.push(ch);
    }
  };
  const groups: Group[] = roots.map((root) => {
    const members: Item[] = [];
    collect(root, members);
    members.sort(byTimeThenId);
    return { root, members, first: members[0]! };
  });
  groups.sort((a, b) => byTimeThenId(a.first, b.first));

  const rootItem = (g: Group): Item | undefined => (g.root.msg === undefined ? undefined : items[g.root.msg]);

  if (subjectMerge) {
    const bySubject = new Map<string, { anchors: Group[]; replies: Group[] }>();
    for (const g of groups) {
      const item = rootItem(g);
      if (!item) continue;
      const { base, isReply } = analyzeSubject(item.subject, subjectOptions);
      if (!base) continue;
      const key = base.toLowerCase();
      let entry = bySubject.get(key);
      if (!entry) {
        entry = { anchors: [], replies: [] };
        bySubject.set(key, entry);
      }
      if (isReply && item.refs.length === 0) entry.replies.push(g);
      else entry.anchors.push(g);
    }
    const absorbed = new Set<Group>();
    for (const { anchors, replies } of bySubject.values()) {
      if (replies.length === 0) continue;
      const targets = anchors.length ? anchors : [replies[0]!];
      for (const r of replies) {
        if (targets[0] === r) continue;
        const rootTime = rootItem(r)!;
        let target = targets[0]!;
        for (const t of targets) if (byTimeThenId(rootItem(t) ?? t.first, rootTime) <= 0) target = t;
        target.members.push(...r.members);
        absorbed.add(r);
      }
    }
    for (const g of groups) if (!absorbed.has(g)) g.members.sort(byTimeThenId);
    const kept = groups.filter((g) => !absorbed.has(g));
    kept.sort((a, b) => byTimeThenId(a.members[0]!, b.members[0]!));
    return kept.map((g) => toThread(g.root, g.members, items, prune));
  }
  return groups.map((g) => toThread(g.root, g.members, items, prune));
}

function toThread(root: Container, members: Item[], items: Item[], prune: boolean): Thread {
  // A pruned phantom root with several children: the oldest message stands for the thread.
  const rootId = root.msg !== undefined ? items[root.msg]!.id : prune ? members[0]!.id : root.key;
  return { root: rootId, messages: members.map((m) => m.id) };
}
