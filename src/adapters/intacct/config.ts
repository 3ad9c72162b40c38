import type { GatewayClientOptions } from './gateway-client.js';

export interface IntacctConfig {
  client: GatewayClientOptions;
  /** INTACCT_JOURNAL: journal symbol of expense postings. */
  journal: string;
}

export class IntacctConfigError extends Error {
  override readonly name = 'IntacctConfigError';
}

/**
 * Reads the INTACCT_* variables (product.md §4). Returns null when no Intacct credentials are set
 * (sandbox mode decides what to do then); throws one clear message naming the variable otherwise.
 */
export function intacctConfigFromEnv(env: Record<string, string | undefined>): IntacctConfig | null {
  const names = ['INTACCT_SENDER_ID', 'INTACCT_SENDER_PASSWORD', 'INTACCT_COMPANY_ID', 'INTACCT_USER_ID', 'INTACCT_USER_PASSWORD'] as const;
  const present = names.filter((n) => env[n]);
  if (present.length === 0) return null;
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) throw new IntacctConfigError(`${missing.join(', ')} must be set when ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set`);
  const endpoint = env['INTACCT_ENDPOINT'] || 'https://api.intacct.com/ia/xml/xmlgw.phtml';
  if (!/^https?:\/\//.test(endpoint)) throw new IntacctConfigError(`INTACCT_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  const concurrencyText = env['INTACCT_MAX_CONCURRENCY'] ?? '2';
  const maxConcurrency = Number(concurrencyText);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 64) {
    throw new IntacctConfigError(`INTACCT_MAX_CONCURRENCY must be a whole number from 1 to 64, got "${concurrencyText}"`);
  }
  return {
    journal: env['INTACCT_JOURNAL'] || 'EXPJ',
    client: {
      endpoint,
      sender: { senderId: env['INTACCT_SENDER_ID']!, senderPassword: env['INTACCT_SENDER_PASSWORD']! },
      login: { userId: env['INTACCT_USER_ID']!, companyId: env['INTACCT_COMPANY_ID']!, userPassword: env['INTACCT_USER_PASSWORD']!, locationId: env['INTACCT_ENTITY_ID'] || undefined },
      maxConcurrency,
    },
  };
}
