import { describe, expect, it } from 'vitest';
import { ConflictError, isTesseraError, TesseraError, ValidationError } from './errors';

describe('TesseraError', () => {
  it('carries a code, details and an ES2022 cause', () => {
    const cause = new Error('driver said no');
    const error = new TesseraError('adapter', 'append failed', { details: { streamId: 's' }, cause });
    expect(error.code).toBe('adapter');
    expect(error.details).toEqual({ streamId: 's' });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('lists every validation problem with its path in the message', () => {
    const error = new ValidationError([
      { path: 'subject', message: 'must not be empty' },
      { path: 'requester.id', message: 'is required' },
    ]);
    expect(error.message).toBe('invalid input: subject: must not be empty; requester.id: is required');
    expect(error.details.problems).toHaveLength(2);
  });

  it('is recognised by brand, across copies of the package, and by code', () => {
    const foreign = Object.assign(new Error('x'), { code: 'conflict' });
    Object.defineProperty(foreign, Symbol.for('tessera.error'), { value: true });
    expect(isTesseraError(foreign, 'conflict')).toBe(true);
    expect(isTesseraError(new ConflictError('v'), 'conflict')).toBe(true);
    expect(isTesseraError(new ConflictError('v'), 'validation')).toBe(false);
    expect(isTesseraError(new Error('plain'))).toBe(false);
    expect(isTesseraError({ code: 'conflict' })).toBe(false);
  });
});
