import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { RunningConnector } from './runtime.js';
import type { SandboxSystems } from './sandbox-systems.js';
import { DEMO_TARGETS, demoDocuments, demoMappingsJson, demoTargetDocuments, seedSandboxIntacctCompany } from './sandbox/index.js';

export const SANDBOX_ACTOR = 'system:sandbox';

/**
 * Sandbox mode's first minute: Intacct master data into the simulated company, the demo mapping set,
 * a reference-data sync (the real readByQuery path fills the dimension caches), then Concur publishes
 * the demo documents through signed ESS webhooks. One document is kept back for the README's curl
 * example; it is on the simulated FIS queue, so a notification naming it makes it flow.
 */
export async function runSandboxDemo(
  running: RunningConnector,
  sandbox: SandboxSystems,
  log: Logger,
  now = new Date(),
): Promise<{ sampleNotification: Record<string, unknown>; published: string[]; heldBack: string }> {
  seedSandboxIntacctCompany(sandbox.intacct.state, now);
  await running.service.importMappings(demoMappingsJson(), 'Sandbox demo mapping set', SANDBOX_ACTOR);
  const sync = await running.referenceSync.run(['dimensions', 'vendors', 'employees'], SANDBOX_ACTOR);
  if (sync.errors.length) log.warn('sandbox reference sync had errors', { errors: sync.errors });

  sandbox.concur.ess.endpoint = `${running.url}/webhooks/concur`;
  const documents = demoDocuments(now);
  const held = documents.at(-1)!;
  sandbox.concur.addDocument(held);
  const published: string[] = [];
  for (const doc of documents.slice(0, -1)) {
    const delivery = await sandbox.concur.publishDocument(doc);
    if (delivery.status !== 200 && delivery.status !== 202) log.warn(`sandbox: webhook for document ${doc.id} answered ${delivery.status}`);
    published.push(doc.id);
  }
  log.info(`sandbox: ${published.length} demo documents published by the simulated Concur; watch them post`);

  // Second part: once the documents above are evaluated (as journals), the mapping set chooses other
  // Intacct objects and two more documents show them: an employee expense report, a card transaction
  // and an AP bill.
  await untilEvaluated(running, published);
  await running.service.importMappings(JSON.stringify(DEMO_TARGETS), 'Sandbox: posting targets (README, Posting targets)', SANDBOX_ACTOR);
  for (const doc of demoTargetDocuments(now)) {
    const delivery = await sandbox.concur.publishDocument(doc);
    if (delivery.status !== 200 && delivery.status !== 202) log.warn(`sandbox: webhook for document ${doc.id} answered ${delivery.status}`);
    published.push(doc.id);
  }
  log.info('sandbox: posting targets switched on (EEXPENSES, CCTRANSACTION, APBILL); two more demo documents published');
  const docType = held.docType === 'invoice' ? 'invoice' : 'expense';
  return {
    published,
    heldBack: held.id,
    sampleNotification: {
      id: randomUUID(),
      topic: 'public.concur.financialintegration',
      eventType: `${docType}.readyForIntegration`,
      timeStamp: now.toISOString(),
      facts: {
        documentId: held.id,
        href: `${sandbox.concur.url}/financialintegration/fi/v4/companies/transactiontypes/${docType}/transactions?docId=${held.id}`,
      },
    },
  };
}

/** Waits (at most 20 s) until each document was evaluated by the posting rules, so later mapping changes do not apply to it. */
async function untilEvaluated(running: RunningConnector, ids: readonly string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await running.service.caughtUp();
    const pending = ids.filter((id) => {
      const status = running.service.queries.get(id)?.status;
      return status === undefined || status === 'RECEIVED' || status === 'FETCHED';
    });
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
