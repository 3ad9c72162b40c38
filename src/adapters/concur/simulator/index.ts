import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generateExpenseDocument, generateInvoiceDocument, loadFixtureDocuments, type SimFisItem } from './documents.js';
import { EssSender, type EssDelivery } from './ess-sender.js';
import type { ConcurOAuthConfig } from '../oauth/token-manager.js';
import { createDatacenterServer } from './server.js';
import { ConcurSimulatorFaults, ConcurSimulatorState, type SimVendor } from './state.js';

export { generateExpenseDocument, generateInvoiceDocument, loadFixtureDocuments } from './documents.js';
export type { SimFisItem } from './documents.js';
export { ConcurSimulatorFaults, ConcurSimulatorState, type SimVendor } from './state.js';

export interface ConcurSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  companyUuid?: string;
  companyRequestToken?: string;
  /**
   * A folder of SAP sample documents to serve (tests pass `test/fixtures/concur/fis/`). None by
   * default: the simulator runs in sandbox mode too, where nothing outside `src/` may be read.
   */
  fixtureDir?: string | false;
  /** Also generate this many valid expense documents (sandbox mode works without fixtures). */
  generatedExpenses?: number;
  /** Where the ESS sender delivers (can be set later with `ess.endpoint`). */
  webhookUrl?: string;
  now?: () => number;
  /** Invoice vendors Concur already has (v3.1 `/invoice/vendors`). */
  vendors?: SimVendor[];
}

export interface ConcurSimulator {
  /** Primary datacenter (the auth base URL). */
  url: string;
  /** A second datacenter; set `state.homeDatacenter = 'secondary'` to make token requests redirect there (code 16). */
  secondDatacenterUrl: string;
  state: ConcurSimulatorState;
  faults: ConcurSimulatorFaults;
  clientId: string;
  clientSecret: string;
  companyUuid: string;
  companyRequestToken: string;
  /** A refresh token issued to the configured company (as an admin would hand it over). */
  issueRefreshToken(): string;
  ess: EssSender;
  addDocument(item: SimFisItem): SimFisItem;
  /** Adds the document and, like Concur, notifies the webhook (signed, redelivered on failure). */
  publishDocument(item: SimFisItem): Promise<EssDelivery>;
  /** Credentials for the connector in sandbox mode (a fresh refresh token each call). */
  oauthConfig(): ConcurOAuthConfig;
  close(): Promise<void>;
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

/** Starts a simulated Concur (two datacenters on 127.0.0.1, port 0). */
export async function startConcurSimulator(options: ConcurSimulatorOptions = {}): Promise<ConcurSimulator> {
  const state = new ConcurSimulatorState();
  const faults = new ConcurSimulatorFaults();
  const clientId = options.clientId ?? 'sim-client';
  const clientSecret = options.clientSecret ?? 'sim-client-secret-0123456789';
  const companyUuid = options.companyUuid ?? '070fde04-3e0c-4716-89fd-6026ae292ed0';
  const companyRequestToken = options.companyRequestToken ?? 'sim-company-request-token-0123456789';
  state.clients.set(clientId, clientSecret);
  state.companies.set(companyUuid, companyRequestToken);
  const urls: Record<'primary' | 'secondary', string> = { primary: '', secondary: '' };
  const ctx = { state, faults, urlOf: (dc: 'primary' | 'secondary') => urls[dc], now: options.now ?? Date.now };
  const primary = createDatacenterServer('primary', ctx);
  const secondary = createDatacenterServer('secondary', ctx);
  urls.primary = await listen(primary);
  urls.secondary = await listen(secondary);
  for (const vendor of options.vendors ?? []) state.addVendor(vendor);
  if (options.fixtureDir) for (const item of await loadFixtureDocuments(options.fixtureDir)) state.addDocument(item);
  for (let i = 0; i < (options.generatedExpenses ?? 0); i++) state.addDocument(generateExpenseDocument({ entryCents: [1000 + i * 7, 2500 + i] }));
  if ((options.generatedExpenses ?? 0) > 0) state.addDocument(generateInvoiceDocument());
  const ess = new EssSender(options.webhookUrl ?? null);
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    url: urls.primary,
    secondDatacenterUrl: urls.secondary,
    state,
    faults,
    clientId,
    clientSecret,
    companyUuid,
    companyRequestToken,
    issueRefreshToken: () => state.issueRefreshToken(companyUuid),
    ess,
    addDocument: (item) => state.addDocument(item),
    publishDocument: async (item) => {
      state.addDocument(item);
      return ess.deliver(ess.documentReady(item.docType === 'invoice' ? 'invoice' : 'expense', item.id, urls[state.homeDatacenter]));
    },
    oauthConfig: () => ({ authBaseUrl: urls.primary, clientId, clientSecret, refreshToken: state.issueRefreshToken(companyUuid) }),
    close: async () => {
      await Promise.all([close(primary), close(secondary)]);
    },
  };
}
