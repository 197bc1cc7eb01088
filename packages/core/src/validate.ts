import type { Command } from './commands';
import { isEmailAddress, MAX_EMAIL } from './email-address';
import { type Problem, ValidationError } from './errors';
import { copyPlainJson, describeValue } from './json';
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
    // Length first: a huge string is refused without being scanned.
    if (opts.max !== undefined && v.length > opts.max) {
      problems.push({ path, message: `must be at most ${opts.max} characters, got ${v.length}` });
    } else if (opts.nonEmpty && v.trim() === '') problems.push({ path, message: 'must not be empty' });
  };

const oneOf =
  (values: readonly string[]): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      problems.push({ path, message: `must be one of ${values.join(', ')}, got ${describeValue(v)}` });
    }
  };

const int =
  (min: number, max: number): Check =>
  (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push({
        path,
        message: `must be a whole number from ${min} to ${max}, got ${describeValue(v)}`,
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
      return void problems.push({ path, message: `must have at most ${opts.maxItems} items` });
    for (let i = 0; i < v.length; i++) item(v[i], `${path}[${i}]`, problems);
  };
};

const partyId = str({ nonEmpty: true, max: 200 });
const partyEmail = str({ max: MAX_EMAIL });
const partyName = str({ max: 200 });

const party: Check = (v, path, problems) => {
  if (!isObject(v))
    return void problems.push({ path, message: `must be an object with an id, got ${typeName(v)}` });
  partyId(v.id, `${path}.id`, problems);
  if (v.email !== undefined) {
    partyEmail(v.email, `${path}.email`, problems);
    if (typeof v.email === 'string' && v.email.length <= MAX_EMAIL && !isEmailAddress(v.email)) {
      problems.push({
        path: `${path}.email`,
        message: `is not an email address: ${describeValue(v.email)}`,
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
const contentId = str({ nonEmpty: true, max: 998 });
const blobId = str({ nonEmpty: true, max: 500 });
const ATTACHMENT_KEYS = new Set(['filename', 'contentType', 'size', 'blob', 'contentId', 'inline']);

/** A stored blob's reference: the desk looks it up by `id`, so its shape is checked here, once. */
const blobRef: Check = (v, path, problems) => {
  if (!isObject(v))
    return void problems.push({ path, message: `must be a blob reference, got ${typeName(v)}` });
  blobId(v.id, `${path}.id`, problems);
  attachmentSize(v.size, `${path}.size`, problems);
  attachmentName(v.contentType, `${path}.contentType`, problems);
  if (v.sha256 !== undefined) str({ max: 128 })(v.sha256, `${path}.sha256`, problems);
};

const attachments =
  (max: number): Check =>
  (v, path, problems) => {
    if (!Array.isArray(v))
      return void problems.push({ path, message: `must be an array, got ${typeName(v)}` });
    if (v.length > max) return void problems.push({ path, message: `must have at most ${max} attachments` });
    for (const [i, a] of v.entries()) {
      const p = `${path}[${i}]`;
      if (!isObject(a)) {
        problems.push({ path: p, message: 'must be an object' });
        continue;
      }
      attachmentName(a.filename, `${p}.filename`, problems);
      attachmentName(a.contentType, `${p}.contentType`, problems);
      attachmentSize(a.size, `${p}.size`, problems);
      if (a.blob !== undefined) blobRef(a.blob, `${p}.blob`, problems);
      if (a.contentId !== undefined) contentId(a.contentId, `${p}.contentId`, problems);
      if (a.inline !== undefined) bool(a.inline, `${p}.inline`, problems);
      for (const key of Object.keys(a))
        if (!ATTACHMENT_KEYS.has(key)) problems.push({ path: `${p}.${key}`, message: 'unknown property' });
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
  };
}

const cache = new WeakMap<Limits, Record<string, Compiled>>();

function compiledTable(limits: Limits): Record<string, Compiled> {
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
  return table;
}

const MAX_PROBLEMS = 100;

/** Nesting a command may have: custom fields hold JSON, but nothing needs more than this. */
export const MAX_COMMAND_DEPTH = 64;

/**
 * Values (objects, arrays, entries) a command may hold in all. Every list in a command has its own
 * limit; this one bounds the walk before those are checked, and leaves room for fields of
 * `maxFieldsBytes` (a JSON value takes at least one byte).
 */
function maxCommandNodes(limits: Limits): number {
  return 10_000 + limits.maxFieldsBytes + 2 * limits.maxTags + 10 * limits.maxAttachments;
}

/**
 * Checks a command's shape at the boundary and returns a private copy of it, typed. The input is
 * first read as plain JSON, once, with depth and size bounded before anything is visited (see
 * `copyPlainJson`): a cycle, 20,000 levels of nesting, a BigInt, a getter, a `toJSON`, a Date or
 * class instance, a sparse array or a Proxy — whatever its traps do — is refused. Then every
 * property is checked against the command's spec. Throws one `ValidationError` listing every
 * problem with its path, and nothing else; the copy shares nothing with the input, and is exactly
 * what was checked.
 *
 * @example
 * const command = validateCommand(JSON.parse('{"type":"setPriority","ticketId":"T1","priority":"high"}'));
 * validateCommand({ type: 'setPriority', ticketId: 'T1', priority: 'asap' }); // throws ValidationError (priority)
 */
export function validateCommand(input: unknown, limits: Limits = DEFAULT_LIMITS): Command {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError([{ path: '', message: `a command must be an object, got ${typeName(input)}` }]);
  const command = copyPlainJson(input, '', {
    maxDepth: MAX_COMMAND_DEPTH,
    maxNodes: maxCommandNodes(limits),
  });
  if (!isObject(command))
    throw new ValidationError([
      { path: '', message: `a command must be an object, got ${typeName(command)}` },
    ]);
  const table = compiledTable(limits);
  const type = command.type;
  const compiled = typeof type === 'string' && Object.hasOwn(table, type) ? table[type] : undefined;
  if (!compiled) {
    throw new ValidationError([
      {
        path: 'type',
        message: `unknown command ${describeValue(type)}; use one of ${Object.keys(table).join(', ')}`,
      },
    ]);
  }
  const problems: Problem[] = [];
  const { spec, entries } = compiled;
  for (const [key, required, check] of entries) {
    const value = command[key];
    if (value === undefined) {
      if (required) problems.push({ path: key, message: 'is required' });
      continue;
    }
    check(value, key, problems);
  }
  for (const key of Object.keys(command)) {
    if (key !== 'type' && !Object.hasOwn(spec, key))
      problems.push({ path: key, message: `unknown property for ${type}` });
  }
  if (type === 'postMessage' && command.notify !== undefined && command.visibility === 'public') {
    problems.push({ path: 'notify', message: 'only an internal note is a notification' });
  }
  if (type === 'assign' && command.assignee === undefined && command.team === undefined) {
    problems.push({ path: 'assignee', message: 'assign needs an assignee, a team, or both' });
  }
  if (problems.length > MAX_PROBLEMS) {
    // The first problems say what is wrong; a message listing tens of thousands helps no one.
    const more = problems.length - MAX_PROBLEMS;
    problems.length = MAX_PROBLEMS;
    problems.push({ path: '', message: `and ${more} more problems` });
  }
  if (problems.length > 0) throw new ValidationError(problems, { details: { command: type } });
  return command as unknown as Command;
}
