import { AdapterError, type NewEvent, ValidationError } from '@tessera/core';

/**
 * The JSON body of each event of a batch, made before a store takes its lock: an empty batch is a
 * `ValidationError`, and an event that cannot be stored as JSON (a cycle, a BigInt, `undefined`)
 * fails the whole batch with an `AdapterError` naming it, so nothing of the batch is written.
 *
 * @example
 * const bodies = batchBodies([event]); // one JSON string per event
 */
export function batchBodies(batch: readonly NewEvent[]): string[] {
  if (batch.length === 0)
    throw new ValidationError([{ path: 'events', message: 'append needs at least one event' }]);
  return batch.map((event, i) => {
    let json: string | undefined;
    try {
      json = JSON.stringify(event);
    } catch (cause) {
      throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`, { cause });
    }
    if (json === undefined) throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`);
    return json;
  });
}
