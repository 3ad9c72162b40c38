import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import { ConnectorError } from '../domain/errors.js';

/**
 * A small node:http binding for Apollo Server (the project has no express): reads the body under a
 * size limit, turns the request into Apollo's HTTPGraphQLRequest and writes its response back.
 */
export class BodyTooLargeError extends ConnectorError {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes: send a smaller query (mapping imports above this size: use the CLI \`mappings import FILE\`)`);
  }
}

export class MalformedBodyError extends ConnectorError {
  override readonly name = 'MalformedBodyError';
}

export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export async function toApolloRequest(req: IncomingMessage, limit: number): Promise<HTTPGraphQLRequest> {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = headerMapOf(req);
  const search = new URL(req.url ?? '/', 'http://localhost').search;
  let body: unknown = undefined;
  if (method === 'POST') {
    const text = await readBody(req, limit);
    const type = headers.get('content-type') ?? '';
    if (/^application\/(graphql-response\+)?json/i.test(type) || /\+json/i.test(type)) {
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch (error) {
        throw new MalformedBodyError(`The request body is not valid JSON (${(error as Error).message}); send {"query": "…", "variables": {…}}`);
      }
    } else {
      body = text;
    }
  }
  return { method, headers, search, body };
}

export async function writeApolloResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  res.statusCode = response.status ?? 200;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A response for requests refused before GraphQL execution, shaped like a GraphQL error. */
export function writeError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
