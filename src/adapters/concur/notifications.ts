import { CONCUR_DOC_TYPES } from '../../domain/concur.js';
import { documentReceiver, newDocumentAppend, type ReceiveDocument, type ReceivedDocument } from './received.js';
import { deterministicEventId, newEvent, type NewEvent } from '../../domain/events/envelope.js';
import { appendBatch, EventStoreUnavailableError, WrongExpectedRevisionError, type EventStore, type StreamAppend } from '../../domain/eventstore/port.js';
import { documentStreamId, type InboundChannel } from '../../domain/document/events.js';
import type { ConcurDocType } from '../../domain/journal/journal-entry.js';
import { type ConcurNotificationIgnored, type ConcurReportStatusChanged, NotificationValidationError } from '../../domain/concur.js';

export type { ConcurNotificationIgnored, ConcurReportStatusChanged };

/**
 * Concur Event Subscription Service (ESS) notifications, whichever way they arrive (webhook, Kafka
 * relay, sandbox): validate the envelope, classify it, and record it durably. The notification id is
 * the de-duplication key (delivery is at least once), so every event appended here has an id derived
 * from it and a redelivery appends nothing.
 */

export { NotificationValidationError };

export interface ConcurNotificationEnvelope {
  id: string;
  correlationId: string | null;
  eventType: string;
  topic: string;
  subtopic: string | null;
  timeStamp: string;
  facts: Record<string, unknown>;
  data: unknown;
}

export const notificationStreamId = (notificationId: string): string => `concur-notification-${notificationId}`;

export type NotificationClassification =
  | { kind: 'document'; docType: ConcurDocType; documentId: string; href: string | null; reportId: string | null }
  | { kind: 'report-status'; reportId: string | null; userId: string | null; href: string | null }
  | { kind: 'ignored'; reason: string };

export interface IngestResult {
  outcome: 'accepted' | 'duplicate' | 'ignored';
  eventId: string;
  streamId: string;
}

export interface ConcurNotificationIngestOptions {
  /** Clock for `occurredAt` when the envelope's timeStamp is unusable. */
  now?: () => Date;
}

/**
 * How deep an ESS notification may nest objects and arrays. Real envelopes are three or four levels
 * deep (envelope, facts, maybe a value inside); anything far deeper is not a Concur notification, and
 * storing it would only hand the depth to every reader of the event (JSON scalars, projections).
 */
export const MAX_NOTIFICATION_DEPTH = 32;
/** Longest accepted envelope string (`id`, `eventType`, `topic`, `timeStamp`, and the document id). */
export const MAX_NOTIFICATION_FIELD_CHARS = 1024;

/**
 * Nesting depth of JSON text, counted without parsing (strings are skipped), stopping as soon as it
 * passes `limit`: the answer is then `limit + 1`, whatever the real depth.
 */
export function jsonTextDepth(text: string, limit = MAX_NOTIFICATION_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return limit + 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return max;
}

/** Nesting depth of a parsed value (iteratively, so no depth can overflow the stack), stopping past `limit`. */
export function valueDepth(value: unknown, limit = MAX_NOTIFICATION_DEPTH): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const level = d + 1;
    if (level > max) max = level;
    if (max > limit) return limit + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, level]);
  }
  return max;
}

export const tooDeepMessage = (limit = MAX_NOTIFICATION_DEPTH): string =>
  `The Concur notification is nested too deep: more than ${limit} levels of objects and arrays (an ESS envelope has about four); it is refused and will not be stored`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const optionalString = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null);

export function parseNotificationEnvelope(body: unknown): ConcurNotificationEnvelope {
  if (!isRecord(body))
    throw new NotificationValidationError('The Concur notification is not a JSON object; expected an ESS envelope {id, eventType, topic, timeStamp, facts}');
  // Whichever way it arrived (webhook, Kafka): a hostile depth is refused before anything reads it.
  if (valueDepth(body) > MAX_NOTIFICATION_DEPTH) throw new NotificationValidationError(tooDeepMessage());
  const problems: string[] = [];
  for (const field of ['id', 'eventType', 'topic', 'timeStamp', 'correlationId', 'subtopic'] as const) {
    const v = body[field];
    if (typeof v === 'string' && v.length > MAX_NOTIFICATION_FIELD_CHARS)
      problems.push(`\`${field}\` is ${v.length} characters long; the limit is ${MAX_NOTIFICATION_FIELD_CHARS}`);
  }
  if (problems.length > 0) throw new NotificationValidationError(`The Concur notification is not a valid ESS envelope: ${problems.join('; ')}`);
  if (!nonEmpty(body.id)) problems.push('`id` is missing or not a string');
  if (!nonEmpty(body.eventType)) problems.push('`eventType` is missing or not a string');
  if (!nonEmpty(body.topic)) problems.push('`topic` is missing or not a string');
  if (!nonEmpty(body.timeStamp)) problems.push('`timeStamp` is missing or not a string');
  if (!isRecord(body.facts)) problems.push('`facts` is missing or not an object');
  if (body.correlationId !== undefined && body.correlationId !== null && typeof body.correlationId !== 'string')
    problems.push('`correlationId` is not a string');
  if (body.subtopic !== undefined && body.subtopic !== null && typeof body.subtopic !== 'string') problems.push('`subtopic` is not a string');
  if (problems.length > 0) {
    const id = nonEmpty(body.id) ? ` ${body.id}` : '';
    throw new NotificationValidationError(`The Concur notification${id} is not a valid ESS envelope: ${problems.join('; ')}`);
  }
  return {
    id: body.id as string,
    correlationId: (body.correlationId as string | null | undefined) || null,
    eventType: body.eventType as string,
    topic: body.topic as string,
    subtopic: (body.subtopic as string | null | undefined) || null,
    timeStamp: body.timeStamp as string,
    facts: body.facts as Record<string, unknown>,
    data: body.data ?? null,
  };
}

const DOC_TYPES = CONCUR_DOC_TYPES;

/** `…/transactiontypes/expense/transactions?docId=ABC` -> {docType: 'expense', docId: 'ABC'}. */
export function parseFisHref(href: string): { docType: ConcurDocType | null; docId: string | null } {
  let url: URL;
  try {
    url = new URL(href, 'http://concur.invalid');
  } catch {
    return { docType: null, docId: null };
  }
  const typeMatch = /\/transactiontypes\/([^/]+)\//i.exec(url.pathname);
  const rawType = typeMatch?.[1]?.toLowerCase();
  const docType = DOC_TYPES.find((t) => t === rawType) ?? null;
  const fromQuery = url.searchParams.get('docId');
  if (fromQuery) return { docType, docId: fromQuery };
  // Some samples put the document id as the last path segment instead of a query parameter.
  const last = url.pathname.split('/').filter(Boolean).at(-1) ?? null;
  if (!last || last.toLowerCase() === 'transactions') return { docType, docId: null };
  try {
    return { docType, docId: decodeURIComponent(last) };
  } catch {
    // A malformed %-escape names no document (a URIError here used to become a 503, redelivered forever).
    return { docType, docId: null };
  }
}

// Topic strings vary between SAP samples (`public.concur.financialintegration`,
// `concur.financialintegration`, upper/lower case); match on the meaningful part only.
const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9.]/g, '');

export function classifyNotification(env: ConcurNotificationEnvelope): NotificationClassification {
  const topic = norm(env.topic);
  const eventType = norm(env.eventType);
  const href = optionalString(env.facts.href);
  if (topic.includes('financialintegration')) {
    if (!eventType.includes('readyforintegration')) return { kind: 'ignored', reason: `event type ${env.eventType} on ${env.topic} needs no action` };
    const fromHref = href ? parseFisHref(href) : { docType: null, docId: null };
    const prefix = eventType.split('.')[0] ?? '';
    const docType = DOC_TYPES.find((t) => t === prefix) ?? fromHref.docType;
    // Expense reports, invoices, payment requests and cash advances all post (docs/posting-rules.md).
    if (docType === null) {
      return { kind: 'ignored', reason: `document type ${prefix || 'unknown'} is not posted by the connector` };
    }
    const documentId = optionalString(env.facts.documentId) ?? fromHref.docId;
    if (documentId && documentId.length > MAX_NOTIFICATION_FIELD_CHARS) {
      throw new NotificationValidationError(
        `Concur notification ${env.id} (${env.eventType}) names a document id of ${documentId.length} characters; the limit is ${MAX_NOTIFICATION_FIELD_CHARS}`,
      );
    }
    if (!documentId)
      throw new NotificationValidationError(
        `Concur notification ${env.id} (${env.eventType}) names no document: facts.documentId and facts.href are both missing`,
      );
    return { kind: 'document', docType, documentId, href, reportId: optionalString(env.facts.reportId) };
  }
  if (topic.includes('expense.report') || topic.endsWith('expensereport')) {
    if (eventType.includes('statuschanged') || eventType.includes('status')) {
      return { kind: 'report-status', reportId: optionalString(env.facts.reportId), userId: optionalString(env.facts.userId), href };
    }
    return { kind: 'ignored', reason: `event type ${env.eventType} on ${env.topic} needs no action` };
  }
  return { kind: 'ignored', reason: `topic ${env.topic} is not one the connector subscribes to` };
}

function occurredAt(timeStamp: string, now: () => Date): string {
  const t = Date.parse(timeStamp);
  return Number.isNaN(t) ? now().toISOString() : new Date(t).toISOString();
}

export class ConcurNotificationIngest {
  private readonly now: () => Date;

  private readonly receive: ReceiveDocument;

  constructor(
    private readonly store: EventStore,
    options: ConcurNotificationIngestOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.receive = documentReceiver(store);
  }

  /**
   * Validates, classifies and durably records one notification. Resolves only after the append, so a
   * caller may acknowledge the delivery once this resolves. Throws NotificationValidationError for an
   * envelope that cannot be understood (answer 400: a retry would not help).
   */
  async ingest(body: unknown, channel: InboundChannel): Promise<IngestResult> {
    const plan = this.plan(body, channel);
    if (plan.kind === 'document') {
      const outcome = await this.receive(plan.doc, plan.meta);
      return { outcome: outcome === 'recorded' ? 'accepted' : 'duplicate', eventId: plan.eventId, streamId: plan.streamId };
    }
    const result = await this.store.appendToStream(plan.streamId, plan.events);
    return this.outcome(plan, result.appended);
  }

  /**
   * `ingest` for many notifications at once, in their order, with ONE append of the event store for
   * all of them (`appendBatch`: one transaction and one fsync in SQLite), so the durable order is the
   * given order. Each slot holds the notification's result or its own error (NotificationValidationError
   * for an envelope that cannot be understood). A document whose stream already exists (a redelivery,
   * or a document heard of before) is then decided again from its stream, as `ingest` would, after the
   * batch. Throws, having stored nothing new, when the store as a whole failed: retry the batch.
   */
  async ingestBatch(bodies: readonly unknown[], channel: InboundChannel): Promise<(IngestResult | Error)[]> {
    const outcomes = new Array<IngestResult | Error>(bodies.length);
    const plans: { slot: number; plan: IngestPlan }[] = [];
    bodies.forEach((body, slot) => {
      try {
        plans.push({ slot, plan: this.plan(body, channel) });
      } catch (error) {
        outcomes[slot] = error instanceof Error ? error : new Error(String(error));
      }
    });
    const appends = plans.map(({ plan }) => (plan.kind === 'document' ? plan.append : { streamId: plan.streamId, events: plan.events }));
    const results = await appendBatch(this.store, appends);
    for (const [j, { slot, plan }] of plans.entries()) {
      const result = results[j]!;
      if (plan.kind === 'document') {
        if (!(result instanceof Error) && result.appended === plan.append.events.length && result.appended > 0) {
          outcomes[slot] = { outcome: 'accepted', eventId: plan.eventId, streamId: plan.streamId };
          continue;
        }
        if (result instanceof Error && !(result instanceof WrongExpectedRevisionError)) {
          outcomes[slot] = result;
          continue;
        }
        try {
          const outcome = await this.receive(plan.doc, plan.meta);
          outcomes[slot] = { outcome: outcome === 'recorded' ? 'accepted' : 'duplicate', eventId: plan.eventId, streamId: plan.streamId };
        } catch (error) {
          if (error instanceof EventStoreUnavailableError) throw error;
          outcomes[slot] = error instanceof Error ? error : new Error(String(error));
        }
        continue;
      }
      outcomes[slot] = result instanceof Error ? result : this.outcome(plan, result.appended);
    }
    return outcomes;
  }

  private outcome(plan: { kind: 'report-status' | 'ignored'; eventId: string; streamId: string }, appended: number): IngestResult {
    const outcome = appended === 0 ? 'duplicate' : plan.kind === 'ignored' ? 'ignored' : 'accepted';
    return { outcome, eventId: plan.eventId, streamId: plan.streamId };
  }

  /** Validation and classification (throws NotificationValidationError), and what to append. */
  private plan(body: unknown, channel: InboundChannel): IngestPlan {
    const env = parseNotificationEnvelope(body);
    const classification = classifyNotification(env);
    const eventId = deterministicEventId('concur-notification', env.id);
    const options = {
      id: eventId,
      correlationId: env.correlationId ?? env.id,
      actor: `concur:${channel}`,
      occurredAt: occurredAt(env.timeStamp, this.now),
    };
    switch (classification.kind) {
      case 'document': {
        // A document stream has one write path (the lifecycle decider): the notification only records
        // that the document was received; a second notification for a known document adds nothing.
        const doc: ReceivedDocument = {
          docType: classification.docType,
          docId: classification.documentId,
          channel,
          notificationId: env.id,
          href: classification.href,
          reportId: classification.reportId,
        };
        const meta = { correlationId: options.correlationId, occurredAt: options.occurredAt, eventId };
        return {
          kind: 'document',
          eventId,
          streamId: documentStreamId(classification.docType, classification.documentId),
          doc,
          meta,
          append: newDocumentAppend(doc, meta),
        };
      }
      case 'report-status': {
        const data: ConcurReportStatusChanged = {
          notificationId: env.id,
          eventType: env.eventType,
          topic: env.topic,
          reportId: classification.reportId,
          userId: classification.userId,
          href: classification.href,
          facts: env.facts,
        };
        return { kind: 'report-status', eventId, streamId: notificationStreamId(env.id), events: [newEvent('ConcurReportStatusChanged', data, options)] };
      }
      case 'ignored': {
        const data: ConcurNotificationIgnored = { notificationId: env.id, eventType: env.eventType, topic: env.topic, reason: classification.reason };
        return { kind: 'ignored', eventId, streamId: notificationStreamId(env.id), events: [newEvent('ConcurNotificationIgnored', data, options)] };
      }
    }
  }
}

type IngestPlan =
  | {
      kind: 'document';
      eventId: string;
      streamId: string;
      doc: ReceivedDocument;
      meta: { correlationId: string; occurredAt: string; eventId: string };
      append: StreamAppend;
    }
  | { kind: 'report-status' | 'ignored'; eventId: string; streamId: string; events: NewEvent[] };
