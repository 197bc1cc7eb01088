import { type ConditionSubject, fieldAccessor } from '@tessera/core';

// How the fast compiler (predicate.ts) reads a condition's field: exactly as core's accessors do.

export type Get = (s: ConditionSubject) => unknown;
export type Rec = Record<string, unknown>;

export const isObject = (v: unknown): v is Rec => v !== null && typeof v === 'object';

/**
 * How a condition reads its field. The usual shapes — a ticket field of one or two keys
 * (`priority`, `fields.seats`), an event field of one key (`event.type`) — are read by `readField`,
 * one plain function the engine inlines into each condition's closure; a call through a closure per
 * field could not be inlined. The rest (`organization`, longer paths) go through `get`.
 */
export const Shape = { TicketKey: 0, TicketPath: 1, EventKey: 2, EventPath: 3, Other: 4 } as const;
export type Shape = (typeof Shape)[keyof typeof Shape];
export interface Read {
  shape: Shape;
  a: string;
  b: string;
  get: Get;
}

/**
 * Absent as conditions mean it: undefined, null, empty text or an empty list.
 *
 * @example
 * reader('event.type'); // → { shape: Shape.EventKey, a: 'type', b: '', get }
 */
export function reader(field: string): Read {
  const get = fieldAccessor(field, 'ticket');
  const parts = field.split('.');
  if (parts[0] === 'event') {
    if (parts.length === 2) return { shape: Shape.EventKey, a: parts[1]!, b: '', get };
    if (parts.length === 3) return { shape: Shape.EventPath, a: parts[1]!, b: parts[2]!, get };
    return { shape: Shape.Other, a: '', b: '', get };
  }
  if (field === 'organization' || parts.length > 2) return { shape: Shape.Other, a: '', b: '', get };
  return parts.length === 1
    ? { shape: Shape.TicketKey, a: field, b: '', get }
    : { shape: Shape.TicketPath, a: parts[0]!, b: parts[1]!, get };
}

/**
 * The value `reader` describes, exactly as core's accessor for the field returns it.
 *
 * @example
 * const { shape, a, b, get } = reader('priority');
 * readField({ ticket }, shape, a, b, get); // → ticket.priority
 */
export function readField(s: ConditionSubject, shape: Shape, a: string, b: string, get: Get): unknown {
  switch (shape) {
    case Shape.TicketKey: {
      const t = s.ticket as unknown;
      return t === undefined || t === null ? undefined : (t as Rec)[a];
    }
    case Shape.TicketPath: {
      const t = s.ticket as unknown;
      if (!isObject(t)) return undefined;
      const v = t[a];
      return isObject(v) ? v[b] : undefined;
    }
    case Shape.EventKey: {
      const e = s.event as unknown;
      if (!isObject(e)) return undefined;
      const v = e[a];
      if (v !== undefined) return v;
      const d = e.data;
      return isObject(d) ? d[a] : undefined;
    }
    case Shape.EventPath: {
      const e = s.event as unknown;
      if (!isObject(e)) return undefined;
      const on = e[a];
      const v = isObject(on) ? on[b] : undefined;
      if (v !== undefined) return v;
      const d = e.data;
      if (!isObject(d)) return undefined;
      const inData = d[a];
      return isObject(inData) ? inData[b] : undefined;
    }
    default:
      return get(s);
  }
}
