/** Every kind of failure Tessera reports. */
export type TesseraErrorCode =
  | 'validation'
  | 'forbidden'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'closed'
  | 'workflow'
  | 'config'
  | 'adapter';

/** One problem found while validating input or configuration, at a path such as `requester.email`. */
export interface Problem {
  path: string;
  message: string;
}

const BRAND = Symbol.for('tessera.error');

export interface TesseraErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one base class of every error Tessera throws. `code` says what kind of failure it is;
 * `details` carries the data needed to act on it; `cause` the underlying error, if any.
 *
 * @example
 * throw new TesseraError('not_found', 'ticket T-1 does not exist', { details: { ticketId: 'T-1' } });
 */
export class TesseraError extends Error {
  readonly code: TesseraErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: TesseraErrorCode, message: string, options: TesseraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

function describe(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

/** Input that does not have the right shape; `problems` lists each one with its path. */
export class ValidationError extends TesseraError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options: TesseraErrorOptions = {}) {
    super('validation', `invalid input: ${describe(problems)}`, {
      ...options,
      details: { ...options.details, problems },
    });
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

/** Configuration (workflows, calendars, policies, rules) that cannot work; `problems` lists each. */
export class ConfigError extends TesseraError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options: TesseraErrorOptions = {}) {
    super('config', `invalid configuration: ${describe(problems)}`, {
      ...options,
      details: { ...options.details, problems },
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A workflow definition with problems: unknown, unreachable or dead-end statuses, all listed. */
export class WorkflowError extends TesseraError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options: TesseraErrorOptions = {}) {
    super('workflow', `invalid workflow: ${describe(problems)}`, {
      ...options,
      details: { ...options.details, problems },
    });
    this.name = 'WorkflowError';
    this.problems = problems;
  }
}

/** The actor may not do this. */
export class ForbiddenError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('forbidden', message, options);
    this.name = 'ForbiddenError';
  }
}

/** A ticket (or other thing) that does not exist. */
export class NotFoundError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('not_found', message, options);
    this.name = 'NotFoundError';
  }
}

/** The workflow does not allow this move from the ticket's current status. */
export class InvalidTransitionError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('invalid_transition', message, options);
    this.name = 'InvalidTransitionError';
  }
}

/** Optimistic concurrency: the stream was not at the expected version. */
export class ConflictError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** The ticket is closed (or merged) and accepts nothing more. */
export class ClosedError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('closed', message, options);
    this.name = 'ClosedError';
  }
}

/** A storage or mail adapter failed; `cause` holds the driver's error. */
export class AdapterError extends TesseraError {
  constructor(message: string, options: TesseraErrorOptions = {}) {
    super('adapter', message, options);
    this.name = 'AdapterError';
  }
}

/**
 * Whether `error` is a Tessera error (optionally of one code). Works across copies of the package,
 * since it checks a global symbol brand rather than `instanceof`.
 *
 * @example
 * try {
 *   await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor });
 * } catch (e) {
 *   if (!isTesseraError(e, 'forbidden')) throw e;
 *   console.log('not allowed:', e.message); // e is a TesseraError here
 * }
 */
export function isTesseraError(error: unknown, code?: TesseraErrorCode): error is TesseraError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (error as TesseraError).code === code;
}
