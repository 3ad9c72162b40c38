import type { ConcurDocType } from './journal/journal-entry.js';
import { ConnectorError } from './errors.js';

/**
 * Facts about Concur that the whole connector shares, declared once: the FIS document types it takes
 * (in the order they are polled and backfilled), and the ERP system id it names itself by in FIS
 * acknowledgements and confirmations (and records on the document stream).
 */
export const CONCUR_DOC_TYPES: readonly ConcurDocType[] = ['expense', 'invoice', 'paymentrequest', 'cashadvance'];

export const isConcurDocType = (value: unknown): value is ConcurDocType => typeof value === 'string' && (CONCUR_DOC_TYPES as readonly string[]).includes(value);

export const ERP_SYSTEM_ID = 'ML-CONNECTOR';

export type { ConcurDocType };

/**
 * A Concur notification (webhook or Kafka message) that can never be taken in: malformed, too deep,
 * naming no document. The webhook answers 400 (Concur must not redeliver it) and Kafka dead-letters it.
 */
export class NotificationValidationError extends ConnectorError {
  override readonly name = 'NotificationValidationError';
}

/** Recorded on `concur-notification-<id>` for `public.concur.expense.report` events. */
export interface ConcurReportStatusChanged {
  notificationId: string;
  eventType: string;
  topic: string;
  reportId: string | null;
  userId: string | null;
  href: string | null;
  facts: Record<string, unknown>;
}

/** Recorded on `concur-notification-<id>` for topics and event types the connector does not act on. */
export interface ConcurNotificationIgnored {
  notificationId: string;
  eventType: string;
  topic: string;
  reason: string;
}
