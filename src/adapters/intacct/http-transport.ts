import http from 'node:http';
import https from 'node:https';
import { IntacctNetworkError, IntacctUncertainOutcomeError } from './errors.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Posts one XML request. Throws IntacctNetworkError when nothing reached the server, Uncertain otherwise. */
export type HttpTransport = (url: string, body: string, timeoutMs: number) => Promise<HttpAnswer>;

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * node:http rather than fetch because the difference between "failed before the request was fully
 * sent" (safe to retry) and "failed after" (Intacct may have committed) decides whether a create
 * may be re-sent; `finish` on the request marks that boundary.
 */
export const nodeHttpTransport: HttpTransport = (url, body, timeoutMs) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    let sent = false;
    let settled = false;
    const fail = (reason: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      reject(
        sent
          ? new IntacctUncertainOutcomeError(reason, { cause })
          : new IntacctNetworkError(`Intacct could not be reached at ${target.host}: ${reason}`, { cause }),
      );
    };
    const req = lib.request(
      target,
      {
        method: 'POST',
        agent: target.protocol === 'https:' ? agents.https : agents.http,
        headers: { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('aborted', () => fail('the connection was closed while the answer was being received'));
        res.on('error', (e) => fail(`the answer could not be read: ${e.message}`, e));
        // Whatever event Node does or does not emit on a cut connection, a close settles the call.
        res.on('close', () => setImmediate(() => fail('the connection closed before the answer was complete')));
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return fail('the answer was cut off');
          settled = true;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('finish', () => (sent = true));
    req.setTimeout(timeoutMs, () => {
      fail(`no answer within ${timeoutMs} ms`);
      req.destroy();
    });
    req.on('error', (e) => fail(e.message, e));
    req.on('close', () => setImmediate(() => fail('the connection closed without an answer')));
    req.end(body);
  });
