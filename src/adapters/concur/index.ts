/**
 * The Concur adapter: OAuth2 session with datacenter discovery, ESS webhooks, FIS fetch /
 * acknowledge / confirm, queue polling, backfill. `createConcurConnection` wires the pieces that share
 * one token session; the composition root adds the HTTP route and the event subscription:
 *
 *   const concur = createConcurConnection({ store, dataDir, secretKey, oauth, systemId, logger });
 *   route POST /webhooks/concur -> createConcurWebhookHandler({ ingest: concur.ingest, verify, publicKeys })
 *   concur.poller(intervalS, () => pipeline.kick()).start()
 *
 * Every entry point (webhook, poller, backfill, Kafka) only records a document as received
 * (`receive`); the document pipeline in src/processes fetches, acknowledges, prepares, supersedes
 * and confirms through `gateway`.
 */
import { join } from 'node:path';
import type { EventStore } from '../../domain/eventstore/port.js';
import { ConcurBackfill } from './backfill.js';
import { FisClient } from './fis-client.js';
import { FisDocumentGateway } from './gateway.js';
import { documentReceiver } from './received.js';
import { ERP_SYSTEM_ID } from '../../domain/concur.js';
import { redactingLogger, SecretRegistry, silentLogger, type ConcurLogger } from './log.js';
import { ConcurNotificationIngest } from './notifications.js';
import { ConcurApi } from './oauth/concur-api.js';
import { ConcurTokenManager, type ConcurOAuthConfig } from './oauth/token-manager.js';
import { FisQueuePoller } from './poller.js';
import { EncryptedFileCredentialStore, SecretBox } from './secrets.js';

export { ConcurNotificationIngest, NotificationValidationError, type IngestResult } from './notifications.js';
export { createConcurWebhookHandler, handleConcurWebhook, type WebhookOptions } from './webhook.js';
export { loadPublicKeyFiles, parsePublicKeys, verifyConcurSignature } from './signature.js';
export { ConcurTokenManager, type ConcurConnectionStatus, type ConcurOAuthConfig } from './oauth/token-manager.js';
export * from './oauth/errors.js';
export { FisClient, classifyFisCode, type FisItem, type FisCodeOutcome } from './fis-client.js';
export { FisDocumentGateway } from './gateway.js';
export { describeFisItem, summarizeFisItem } from './fis-summary.js';
export { documentReceiver, type ReceiveDocument, type ReceiveOutcome } from './received.js';
export { FisQueuePoller } from './poller.js';
export { ConcurBackfill, type BackfillOptions, type BackfillResult } from './backfill.js';
export { consoleLogger, levelMethodLogger, redactingLogger, SecretRegistry, type ConcurLogger } from './log.js';

export interface ConcurConnectionOptions {
  store: EventStore;
  /** `ML_DATA_DIR`: the encrypted credential file lives here. */
  dataDir: string;
  /** `ML_SECRET_KEY`. */
  secretKey: string;
  oauth: ConcurOAuthConfig;
  /** Our ERP system id in FIS acknowledgements and confirmations. */
  systemId?: string;
  logger?: ConcurLogger;
}

export function createConcurConnection(options: ConcurConnectionOptions) {
  const secrets = new SecretRegistry();
  const logger = redactingLogger(options.logger ?? silentLogger, secrets);
  const tokens = new ConcurTokenManager({
    config: options.oauth,
    store: new EncryptedFileCredentialStore(join(options.dataDir, 'concur-credentials.enc'), new SecretBox(options.secretKey)),
    secrets,
    logger,
  });
  const systemId = options.systemId ?? ERP_SYSTEM_ID;
  const api = new ConcurApi({ tokens, logger });
  const fis = new FisClient(api, systemId);
  const receive = documentReceiver(options.store);
  return {
    tokens,
    api,
    fis,
    receive,
    gateway: new FisDocumentGateway(fis),
    ingest: new ConcurNotificationIngest(options.store),
    backfill: new ConcurBackfill(options.store, api, fis, receive),
    poller: (intervalS: number, onReceived?: () => void) => new FisQueuePoller({ fis, receive, intervalS, logger, onReceived }),
    logger,
  };
}
