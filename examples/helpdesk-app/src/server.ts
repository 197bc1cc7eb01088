import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Actor,
  type Command,
  createHelpdesk,
  type Helpdesk,
  type HelpdeskOptions,
  isTesseraError,
  type TesseraErrorCode,
  ValidationError,
  validateCommand,
} from '@tessera/core';

const STATUS: Record<TesseraErrorCode, number> = {
  validation: 400,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  conflict: 409,
  closed: 409,
  workflow: 500,
  config: 500,
  adapter: 502,
};

const MAX_BODY = 256 * 1024;

/**
 * Who is calling: the demo trusts an `x-actor` header naming one of its known people. A Map, not a
 * plain object: a header such as `__proto__`, `constructor` or `toString` must name nobody, where an
 * object lookup would find Object.prototype's members (and an actor whose unknown kind was once
 * treated as an admin).
 */
const PEOPLE = new Map<string, Actor>([
  ['ann', { kind: 'customer', id: 'ann', name: 'Ann', email: 'ann@example.com' }],
  ['bob', { kind: 'agent', id: 'bob', name: 'Bob', teams: ['support'] }],
]);

/** A request line or path segment that is not a well-formed URL is the caller's mistake: 400, not 500. */
function badRequest(message: string): ValidationError {
  return new ValidationError([{ path: 'url', message }]);
}

function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch (cause) {
    throw new ValidationError([{ path: 'url', message: 'malformed request URL' }], { cause });
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`malformed percent-encoding in ${JSON.stringify(segment.slice(0, 80))}`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new ValidationError([{ path: '', message: `request body over ${MAX_BODY} bytes` }]);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ValidationError([{ path: '', message: 'request body is not JSON' }]);
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * The example's HTTP API: `POST /api/commands` runs a command, `GET /api/tickets` lists the
 * caller's tickets, `GET /api/tickets/:id` shows one as the caller may see it. Untrusted input is
 * validated at the boundary (`validateCommand`); errors map to HTTP statuses by their code.
 */
export async function startApp(
  options: HelpdeskOptions = {},
  port = 0,
): Promise<{ url: string; desk: Helpdesk; server: Server }> {
  const desk = createHelpdesk(options);
  const page = await readFile(new URL('../public/index.html', import.meta.url), 'utf8');
  const server = createServer(async (req, res) => {
    try {
      const url = parseUrl(req.url);
      if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page);
        return;
      }
      const header = req.headers['x-actor'];
      const actor = typeof header === 'string' ? PEOPLE.get(header) : undefined;
      if (!actor) return send(res, 401, { error: 'unknown actor: send x-actor: ann or bob' });
      if (req.method === 'POST' && url.pathname === '/api/commands') {
        const command: Command = validateCommand(await readJson(req));
        const { ticket } = await desk.execute(command, { actor });
        return send(res, 200, await desk.get(ticket.id, { actor }));
      }
      if (req.method === 'GET' && url.pathname === '/api/tickets') {
        const page = await desk.query(
          {},
          { actor, sort: { field: 'number', direction: 'desc' }, limit: 100 },
        );
        return send(res, 200, page.items);
      }
      const match = /^\/api\/tickets\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && match)
        return send(res, 200, await desk.get(decodeSegment(match[1]!), { actor }));
      send(res, 404, { error: 'no such route' });
    } catch (error) {
      if (isTesseraError(error))
        return send(res, STATUS[error.code], {
          error: error.message,
          code: error.code,
          details: error.details,
        });
      send(res, 500, { error: 'internal error' });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}`, desk, server };
}
