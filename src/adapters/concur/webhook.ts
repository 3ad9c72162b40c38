import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { EventStoreUnavailableError } from '../../domain/eventstore/port.js';
import { silentLogger, type ConcurLogger } from './log.js';
import {
  jsonTextDepth,
  MAX_NOTIFICATION_DEPTH,
  NotificationValidationError,
  tooDeepMessage,
  type ConcurNotificationIngest,
  type IngestResult,
} from './notifications.js';
import { verifyConcurSignature } from './signature.js';

export interface WebhookOptions {
  ingest: ConcurNotificationIngest;
  /** `signature` verifies `Concur-Signature`; `none` only where the config allowed it (sandbox). */
  verify: 'signature' | 'none';
  publicKeys: readonly KeyObject[];
  /** Largest body accepted; ESS notifications are small (a few KB). */
  maxBodyBytes?: number;
  logger?: ConcurLogger;
  /** Called after a notification is durably recorded (e.g. to nudge the document intake). */
  onRecorded?: (result: IngestResult) => void;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const DEFAULT_WEBHOOK_MAX_BYTES = 256 * 1024;

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The webhook as a function of (raw body, headers): verify, parse, record, answer. A 2xx is given
 * only after the durable append (Concur redelivers on anything else), a duplicate is a 200, and a
 * failure of our store is a 503 so that Concur retries.
 */
export async function handleConcurWebhook(rawBody: Buffer, headers: Headers, options: WebhookOptions): Promise<WebhookAnswer> {
  const logger = options.logger ?? silentLogger;
  const correlationId = header(headers, 'concur-correlationid') ?? null;
  const max = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BYTES;
  if (rawBody.length > max) {
    return refused(
      logger,
      { status: 413, body: { error: 'payload_too_large', message: `The notification is ${rawBody.length} bytes; the limit is ${max}` } },
      { correlationId, bytes: rawBody.length },
    );
  }
  if (options.verify === 'signature' && !verifyConcurSignature(rawBody, header(headers, 'concur-signature'), options.publicKeys)) {
    // Nothing of an unverified body is trusted, so no document id is named.
    return refused(
      logger,
      {
        status: 401,
        body: {
          error: 'invalid_signature',
          message: 'Concur-Signature is missing or does not verify against the configured public keys (CONCUR_WEBHOOK_PUBLIC_KEYS)',
        },
      },
      { correlationId, bytes: rawBody.length },
    );
  }
  // Every answer below for something wrong with the body is a 400 (a redelivery would not help); only a
  // failure to store it (ours) is a 503, which makes Concur retry.
  const text = rawBody.toString('utf8');
  if (jsonTextDepth(text, MAX_NOTIFICATION_DEPTH) > MAX_NOTIFICATION_DEPTH) {
    logger.log('warn', 'Concur webhook refused: body nested too deep', { correlationId, bytes: rawBody.length });
    return { status: 400, body: { error: 'nested_too_deep', message: tooDeepMessage() } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (error instanceof RangeError)
      return refused(logger, { status: 400, body: { error: 'nested_too_deep', message: tooDeepMessage() } }, { correlationId, bytes: rawBody.length });
    return refused(
      logger,
      { status: 400, body: { error: 'malformed_json', message: `The notification body is not valid JSON: ${(error as Error).message}` } },
      { correlationId, bytes: rawBody.length },
    );
  }
  try {
    const result = await options.ingest.ingest(parsed, 'webhook');
    logger.log('info', 'Concur notification recorded', {
      actor: WEBHOOK_ACTOR,
      outcome: result.outcome,
      streamId: result.streamId,
      eventId: result.eventId,
      correlationId,
    });
    options.onRecorded?.(result);
    return { status: 200, body: { outcome: result.outcome, eventId: result.eventId } };
  } catch (error) {
    if (error instanceof NotificationValidationError) {
      return refused(
        logger,
        { status: 400, body: { error: 'invalid_notification', message: error.message } },
        { correlationId, documentId: claimedDocumentId(parsed), notificationId: field(parsed, 'id') },
      );
    }
    logger.log('error', 'Concur notification could not be stored; Concur will redeliver', {
      actor: WEBHOOK_ACTOR,
      correlationId,
      documentId: claimedDocumentId(parsed),
      error,
    });
    const unavailable = error instanceof EventStoreUnavailableError;
    return {
      status: 503,
      body: { error: unavailable ? 'store_unavailable' : 'internal_error', message: 'The notification was not stored; Concur will retry' },
    };
  }
}

/** Who sends what arrives at the webhook, in the log's `actor` field. */
export const WEBHOOK_ACTOR = 'concur-webhook';

/** Every refusal is one warning line: status, error code, why, and what identifies the delivery. */
function refused(logger: ConcurLogger, answer: WebhookAnswer, fields: Record<string, unknown>): WebhookAnswer {
  logger.log('warn', `Concur webhook refused (HTTP ${answer.status} ${String(answer.body['error'])}): ${String(answer.body['message'])}`, {
    actor: WEBHOOK_ACTOR,
    status: answer.status,
    error: answer.body['error'],
    ...fields,
  });
  return answer;
}

const field = (value: unknown, key: string): string | null => {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : null;
};

/** The document a (signature-checked) notification names, when it names one: facts.documentId, or docId in facts.href. */
function claimedDocumentId(parsed: unknown): string | null {
  const facts = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['facts'] : undefined;
  const id = field(facts, 'documentId');
  if (id) return id;
  const href = field(facts, 'href');
  if (!href) return null;
  try {
    return new URL(href).searchParams.get('docId');
  } catch {
    return null;
  }
}

/**
 * node:http wrapper: reads the body with a hard size limit (stops reading and answers 413 as soon as
 * the limit is passed, so a huge body cannot exhaust memory), then delegates.
 */
export function createConcurWebhookHandler(options: WebhookOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const max = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BYTES;
  const send = (res: ServerResponse, answer: WebhookAnswer): void => {
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  return (req, res) => {
    const logger = options.logger ?? silentLogger;
    const correlationId = header(req.headers, 'concur-correlationid') ?? null;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(
        res,
        refused(
          logger,
          { status: 405, body: { error: 'method_not_allowed', message: 'Concur notifications are POSTed' } },
          { correlationId, method: req.method ?? null },
        ),
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.setHeader('connection', 'close');
      send(
        res,
        refused(
          logger,
          { status: 413, body: { error: 'payload_too_large', message: `The notification is ${declared} bytes; the limit is ${max}` } },
          { correlationId, bytes: declared },
        ),
      );
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        res.setHeader('connection', 'close');
        send(
          res,
          refused(
            logger,
            { status: 413, body: { error: 'payload_too_large', message: `The notification exceeds the limit of ${max} bytes` } },
            { correlationId, bytes: size },
          ),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      handleConcurWebhook(Buffer.concat(chunks, size), req.headers, options).then(
        (answer) => send(res, answer),
        () => send(res, { status: 500, body: { error: 'internal_error', message: 'The notification was not stored; Concur will retry' } }),
      );
    });
    req.on('error', () => {
      done = true;
    });
  };
}
