import { Immer, isDraft, isDraftable } from 'immer';
import type { NewEvent, StoredEvent } from './events';
import type { Ticket } from './model';
import type { ModuleSet, Slice } from './modules';

/**
 * Calling the installed extensions' slices for one event: which slices an event reaches (their
 * `on`, `onRule` and `followAll`, with the mask of slices following every event that the fold
 * carries), calling them, and the immer drafts `evolveAll` changes them through. `apply.ts` holds
 * core's own handlers and the fold around them.
 */

/** An event as `apply` takes it: stored, or new (not yet given a version and stream). */
export type Applicable = (NewEvent | StoredEvent) & { version?: number; streamId?: string };

/**
 * evolveAll's own immer: it deep-freezes the ticket it returns, so immer need not freeze the slices
 * first (and a private instance leaves the global settings of an app's own immer alone); slices are
 * plain data, so the cheaper iteration over enumerable properties is the same.
 */
const slicesImmer = new Immer({ autoFreeze: false, useStrictIteration: false });

/**
 * Whether no conditional slice is to see this event (the fast path: the event type's fixed list):
 * none follows every event, none lists its type, and it carries no `ruleId` one asks for.
 */
export function quiet(modules: ModuleSet, event: Applicable, following: number, wakes: boolean): boolean {
  return following === 0 && !wakes && (event.ruleId === undefined || !modules.onRule);
}

/** Whether this slice folds this event, given which conditional slices follow every event. */
export function reaches(slice: Slice, event: Applicable, following: number): boolean {
  if (!slice.conditional) return slice.on === undefined || slice.on.includes(event.type);
  return (
    (following & slice.bit) !== 0 ||
    (slice.onRule && event.ruleId !== undefined) ||
    slice.on!.includes(event.type)
  );
}

/**
 * The slow path: every slice that folds this event, in installation order, and after each one
 * with `followAll`, whether it follows every event from now on. Returns the new mask.
 */
export function applyReached(t: Ticket, event: Applicable, modules: ModuleSet, following: number): number {
  const ext = t.ext as Record<string, unknown>;
  let mask = following;
  for (const slice of modules.slices) {
    if (!reaches(slice, event, following)) continue;
    const next = slice.state.apply(ext[slice.name], event as StoredEvent, t);
    if (next !== undefined) ext[slice.name] = next;
    if (slice.bit !== 0)
      mask = slice.state.followAll!(ext[slice.name]) ? mask | slice.bit : mask & ~slice.bit;
  }
  return mask;
}

/** Which slices with `followAll` follow every event, read from their state: one bit each. */
export function followingOf(ext: Ticket['ext'], modules: ModuleSet): number {
  let mask = 0;
  for (const slice of modules.conditional)
    if (slice.bit !== 0 && slice.state.followAll!((ext as Record<string, unknown>)[slice.name]) === true)
      mask |= slice.bit;
  return mask;
}

/** Each of these slices' part of one event (after core's), on a ticket whose `ext` is private. */
export function applySlices(t: Ticket, event: Applicable, slices: readonly Slice[]): void {
  if (slices.length === 0) return;
  const ext = t.ext as Record<string, unknown>;
  // The first two slices from call sites of their own: a site that sees one or two functions is
  // inlined, one that sees every slice's is not (and most event types have one or two slices).
  const first = slices[0]!;
  const a = first.state.apply(ext[first.name], event as StoredEvent, t);
  if (a !== undefined) ext[first.name] = a;
  if (slices.length === 1) return;
  const second = slices[1]!;
  const b = second.state.apply(ext[second.name], event as StoredEvent, t);
  if (b !== undefined) ext[second.name] = b;
  for (let i = 2; i < slices.length; i++) {
    const slice = slices[i]!;
    const next = slice.state.apply(ext[slice.name], event as StoredEvent, t);
    if (next !== undefined) ext[slice.name] = next;
  }
}

/** A copy of `ext` with every installed slice (its initial state where the ticket has none yet). */
export function withSlices(ext: Ticket['ext'], modules: ModuleSet): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...ext };
  for (const slice of modules.slices)
    if (!Object.hasOwn(copy, slice.name)) copy[slice.name] = slice.state.initial();
  return copy;
}

export function draftReached(ext: Record<string, unknown>, slices: readonly Slice[]): void {
  for (const slice of slices) {
    const value = ext[slice.name];
    if (!isDraft(value) && isDraftable(value) && Object.isFrozen(value))
      ext[slice.name] = slicesImmer.createDraft(value as object);
  }
}

export function finishSlices(ext: Record<string, unknown>): void {
  for (const name of Object.keys(ext)) {
    if (isDraft(ext[name])) ext[name] = slicesImmer.finishDraft(ext[name]);
  }
}
