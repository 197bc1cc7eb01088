import type { Command } from './commands';
import { type Problem, ValidationError } from './errors';
import { CHANNELS, PRIORITIES } from './model';

/** Limits on command input; every one is configurable through `createHelpdesk({ limits })`. */
export interface Limits {
  /** Characters in a message body (default 100,000). */
  maxBodyLength: number;
  /** Characters in a subject (default 500). */
  maxSubjectLength: number;
  maxTags: number;
  maxTagLength: number;
  maxAttachments: number;
  /** Bytes of JSON in custom fields (default 64 KiB). */
  maxFieldsBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyLength: 100_000,
  maxSubjectLength: 500,
  maxTags: 100,
  maxTagLength: 100,
  maxAttachments: 50,
  maxFieldsBytes: 64 * 1024,
};

type Check = (value: unknown, path: string, problems: Problem[]) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str =
  (opts: { max?: number; nonEmpty?: boolean } = {}): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string')
      return void problems.push({ path, message: `must be a string, got ${typeName(v)}` });
    if (opts.nonEmpty && v.trim() === '') problems.push({ path, message: 'must not be empty' });
    if (opts.max !== undefined && v.length > opts.max) {
      problems.push({ path, message: `must be at most ${opts.max} characters, got ${v.length}` });
    }
  };

const oneOf =
  (values: readonly string[]): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      problems.push({ path, message: `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}` });
    }
  };

const int =
  (min: number, max: number): Check =>
  (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push({
        path,
        message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`,
      });
    }
  };

const bool: Check = (v, path, problems) => {
  if (typeof v !== 'boolean') problems.push({ path, message: `must be true or false, got ${typeName(v)}` });
};

const strings = (opts: { maxItems: number; maxLength: number; nonEmpty?: boolean }): Check => {
  const item = str({ max: opts.maxLength, nonEmpty: true });
  return (v, path, problems) => {
    if (!Array.isArray(v))
      return void problems.push({ path, message: `must be an array of strings, got ${typeName(v)}` });
    if (opts.nonEmpty && v.length === 0) problems.push({ path, message: 'must not be empty' });
    if (v.length > opts.maxItems)
      problems.push({ path, message: `must have at most ${opts.maxItems} items` });
    for (let i = 0; i < v.length; i++) item(v[i], `${path}[${i}]`, problems);
  };
};

const partyId = str({ nonEmpty: true, max: 200 });
const partyEmail = str({ max: 320 });
const partyName = str({ max: 200 });
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const party: Check = (v, path, problems) => {
  if (!isObject(v))
    return void problems.push({ path, message: `must be an object with an id, got ${typeName(v)}` });
  partyId(v.id, `${path}.id`, problems);
  if (v.email !== undefined) {
    partyEmail(v.email, `${path}.email`, problems);
    if (typeof v.email === 'string' && !EMAIL.test(v.email)) {
      problems.push({
        path: `${path}.email`,
        message: `is not an email address: ${JSON.stringify(v.email)}`,
      });
    }
  }
  if (v.name !== undefined) partyName(v.name, `${path}.name`, problems);
  if (v.organizationId !== undefined) partyId(v.organizationId, `${path}.organizationId`, problems);
};

const json =
  (maxBytes: number): Check =>
  (v, path, problems) => {
    if (!isObject(v)) return void problems.push({ path, message: `must be an object, got ${typeName(v)}` });
    let size: number;
    try {
      size = JSON.stringify(v).length;
    } catch {
      return void problems.push({ path, message: 'must be plain JSON' });
    }
    if (size > maxBytes)
      problems.push({ path, message: `must be at most ${maxBytes} bytes of JSON, got ${size}` });
    for (const [key, value] of Object.entries(v)) {
      if (key === '' || key.length > 100)
        problems.push({ path: `${path}.${key}`, message: 'field names are 1–100 characters' });
      if (value === undefined || typeof value === 'function' || typeof value === 'bigint') {
        problems.push({ path: `${path}.${key}`, message: 'must be a JSON value' });
      }
    }
  };

const attachmentName = str({ nonEmpty: true, max: 255 });
const attachmentSize = int(0, Number.MAX_SAFE_INTEGER);
const attachments =
  (max: number): Check =>
  (v, path, problems) => {
    if (!Array.isArray(v))
      return void problems.push({ path, message: `must be an array, got ${typeName(v)}` });
    if (v.length > max) problems.push({ path, message: `must have at most ${max} attachments` });
    for (const [i, a] of v.entries()) {
      const p = `${path}[${i}]`;
      if (!isObject(a)) {
        problems.push({ path: p, message: 'must be an object' });
        continue;
      }
      attachmentName(a.filename, `${p}.filename`, problems);
      attachmentName(a.contentType, `${p}.contentType`, problems);
      attachmentSize(a.size, `${p}.size`, problems);
    }
  };

const ticketId = str({ nonEmpty: true, max: 200 });

const notifyTo = strings({ maxItems: 200, maxLength: 320, nonEmpty: true });
const notifyTarget =
  (text: Check): Check =>
  (v, path, problems) => {
    if (!isObject(v))
      return void problems.push({ path, message: `must be an object with \`to\`, got ${typeName(v)}` });
    if (v.to === undefined) problems.push({ path: `${path}.to`, message: 'is required' });
    else notifyTo(v.to, `${path}.to`, problems);
    if (v.text !== undefined) text(v.text, `${path}.text`, problems);
    for (const key of Object.keys(v))
      if (key !== 'to' && key !== 'text')
        problems.push({ path: `${path}.${key}`, message: 'unknown property' });
  };

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

type Spec = Record<string, [required: boolean, check: Check]>;
/** A spec with its entries listed once, so a check allocates nothing per property. */
interface Compiled {
  spec: Spec;
  entries: [key: string, required: boolean, check: Check][];
}

function specs(limits: Limits): Record<Command['type'], Spec> {
  const body = str({ nonEmpty: true, max: limits.maxBodyLength });
  const html = str({ max: limits.maxBodyLength * 4 });
  const tags = strings({ maxItems: limits.maxTags, maxLength: limits.maxTagLength, nonEmpty: true });
  const messageId = str({ nonEmpty: true, max: 1000 });
  const email: Check = (v, path, problems) => {
    if (!isObject(v)) return void problems.push({ path, message: 'must be an object' });
    messageId(v.messageId, `${path}.messageId`, problems);
  };
  return {
    openTicket: {
      ticketId: [false, ticketId],
      channel: [true, oneOf(CHANNELS)],
      requester: [true, party],
      subject: [true, str({ nonEmpty: true, max: limits.maxSubjectLength })],
      body: [true, body],
      html: [false, html],
      ticketType: [false, str({ nonEmpty: true, max: 100 })],
      team: [false, str({ nonEmpty: true, max: 200 })],
      priority: [false, oneOf(PRIORITIES)],
      tags: [false, strings({ maxItems: limits.maxTags, maxLength: limits.maxTagLength })],
      fields: [false, json(limits.maxFieldsBytes)],
      attachments: [false, attachments(limits.maxAttachments)],
      cc: [false, strings({ maxItems: 50, maxLength: 320 })],
      email: [false, email],
      followUpOf: [false, ticketId],
    },
    postMessage: {
      ticketId: [true, ticketId],
      body: [true, body],
      html: [false, html],
      visibility: [true, oneOf(['public', 'internal'])],
      channel: [false, oneOf(CHANNELS)],
      attachments: [false, attachments(limits.maxAttachments)],
      email: [false, email],
      automatic: [false, bool],
      notify: [false, notifyTarget(body)],
    },
    changeStatus: { ticketId: [true, ticketId], status: [true, str({ nonEmpty: true, max: 64 })] },
    assign: {
      ticketId: [true, ticketId],
      assignee: [false, str({ nonEmpty: true, max: 200 })],
      team: [false, str({ nonEmpty: true, max: 200 })],
      strategy: [false, str({ nonEmpty: true, max: 50 })],
    },
    unassign: { ticketId: [true, ticketId], team: [false, bool] },
    setPriority: { ticketId: [true, ticketId], priority: [true, oneOf(PRIORITIES)] },
    setType: { ticketId: [true, ticketId], ticketType: [true, str({ nonEmpty: true, max: 100 })] },
    tag: { ticketId: [true, ticketId], tags: [true, tags] },
    untag: { ticketId: [true, ticketId], tags: [true, tags] },
    setFields: { ticketId: [true, ticketId], fields: [true, json(limits.maxFieldsBytes)] },
    addFollower: { ticketId: [true, ticketId], follower: [true, party] },
    removeFollower: { ticketId: [true, ticketId], followerId: [true, str({ nonEmpty: true, max: 200 })] },
    logTime: {
      ticketId: [true, ticketId],
      minutes: [true, int(1, 100_000)],
      note: [false, str({ max: 10_000 })],
      billable: [false, bool],
    },
    requestRating: { ticketId: [true, ticketId] },
    rate: { ticketId: [true, ticketId], score: [true, int(1, 5)], comment: [false, str({ max: 10_000 })] },
    merge: { ticketId: [true, ticketId], into: [true, ticketId] },
    link: {
      ticketId: [true, ticketId],
      to: [true, ticketId],
      relation: [
        true,
        oneOf(['related', 'duplicate-of', 'parent-of', 'child-of', 'follow-up-of', 'caused-by']),
      ],
    },
    recordSla: {
      ticketId: [true, ticketId],
      kind: [true, oneOf(['warning', 'breach'])],
      metric: [true, str({ nonEmpty: true, max: 64 })],
      policyId: [true, str({ nonEmpty: true, max: 200 })],
      deadline: [true, str({ nonEmpty: true, max: 40 })],
    },
    claimDelivery: {
      ticketId: [true, ticketId],
      messageId: [true, str({ nonEmpty: true, max: 200 })],
      attempt: [true, int(1, 1000)],
      claimant: [true, str({ nonEmpty: true, max: 200 })],
      leaseMs: [true, int(1, 24 * 3_600_000)],
    },
    recordDelivery: {
      ticketId: [true, ticketId],
      messageId: [true, str({ nonEmpty: true, max: 200 })],
      outcome: [true, oneOf(['sent', 'failed'])],
      emailMessageId: [false, str({ max: 1000 })],
      recipients: [true, strings({ maxItems: 200, maxLength: 320 })],
      accepted: [false, strings({ maxItems: 200, maxLength: 320 })],
      rejected: [false, strings({ maxItems: 200, maxLength: 320 })],
      error: [false, str({ max: 10_000 })],
      permanent: [false, bool],
      attempts: [true, int(0, 1000)],
      bounce: [
        false,
        (v, p, pr) => (isObject(v) ? undefined : pr.push({ path: p, message: 'must be an object' })),
      ],
    },
  };
}

const cache = new WeakMap<Limits, Record<string, Compiled>>();

/**
 * Checks a command's shape at the boundary. Throws one `ValidationError` listing every problem with
 * its path; returns the command typed when it is well-formed.
 *
 * @example
 * const cmd = validateCommand(JSON.parse(body)); // throws ValidationError on bad input
 */
export function validateCommand(input: unknown, limits: Limits = DEFAULT_LIMITS): Command {
  const problems: Problem[] = [];
  if (!isObject(input))
    throw new ValidationError([{ path: '', message: `a command must be an object, got ${typeName(input)}` }]);
  let table = cache.get(limits);
  if (!table) {
    table = {};
    for (const [type, spec] of Object.entries(specs(limits))) {
      table[type] = {
        spec,
        entries: Object.entries(spec).map(([key, [required, check]]) => [key, required, check]),
      };
    }
    cache.set(limits, table);
  }
  const compiled =
    typeof input.type === 'string' && Object.hasOwn(table, input.type) ? table[input.type] : undefined;
  if (!compiled) {
    throw new ValidationError([
      {
        path: 'type',
        message: `unknown command ${JSON.stringify(input.type)}; use one of ${Object.keys(table).join(', ')}`,
      },
    ]);
  }
  const { spec, entries } = compiled;
  for (const [key, required, check] of entries) {
    const value = input[key];
    if (value === undefined) {
      if (required) problems.push({ path: key, message: 'is required' });
      continue;
    }
    check(value, key, problems);
  }
  for (const key of Object.keys(input)) {
    if (key !== 'type' && !Object.hasOwn(spec, key))
      problems.push({ path: key, message: `unknown property for ${input.type}` });
  }
  if (input.type === 'postMessage' && input.notify !== undefined && input.visibility === 'public') {
    problems.push({ path: 'notify', message: 'only an internal note is a notification' });
  }
  if (input.type === 'assign' && input.assignee === undefined && input.team === undefined) {
    problems.push({ path: 'assignee', message: 'assign needs an assignee, a team, or both' });
  }
  if (problems.length > 0) throw new ValidationError(problems, { details: { command: input.type } });
  return input as unknown as Command;
}
