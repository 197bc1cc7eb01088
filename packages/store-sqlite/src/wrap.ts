import { AdapterError, ConflictError, ValidationError } from '@tessera/core';

/** Runs a database call, turning driver errors into `AdapterError` and passing typed errors through. */
export type Wrap = <T>(what: string, fn: () => T) => T;

/**
 * The store's `Wrap`: what fails in better-sqlite3 becomes an `AdapterError` naming the call.
 *
 * @example
 * wrap('index get', () => statement.get(id));
 */
export const wrap: Wrap = (what, fn) => {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof ConflictError || cause instanceof ValidationError) throw cause;
    throw new AdapterError(`SQLite ${what} failed: ${(cause as Error).message}`, { cause });
  }
};
