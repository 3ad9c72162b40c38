/**
 * The FIS client against SAP's own API description (test/fixtures/concur/swagger/): every call it
 * makes must be a path, method, query parameter and body shape that SAP's FIS v4 Swagger lists,
 * so a typo in a path or a renamed field shows up here and not on a customer's first poll.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FisClient } from '../../src/adapters/concur/fis-client.js';
import type { ConcurApi } from '../../src/adapters/concur/oauth/concur-api.js';
import { SWAGGER_DIR } from '../fixtures/concur/index.js';

interface Operation {
  parameters?: { name: string; in: string; schema?: { enum?: string[] } }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
}

const swagger = JSON.parse(readFileSync(join(SWAGGER_DIR, 'FinancialIntegrationService.swagger2.json'), 'utf8')) as OpenApi;

interface Call {
  method: string;
  path: string;
  query: Record<string, unknown>;
  json: unknown;
}

function recordingClient(): { fis: FisClient; calls: Call[] } {
  const calls: Call[] = [];
  const api = {
    request: async (method: string, path: string, init: { query?: Record<string, unknown>; json?: unknown } = {}) => {
      calls.push({ method, path, query: init.query ?? {}, json: init.json });
      return { status: 200, body: { fIDocuments: [], offset: null, nextPage: null, numberReturned: 0 }, correlationId: null };
    },
  } as unknown as ConcurApi;
  return { fis: new FisClient(api, 'ML-TEST'), calls };
}

/** The Swagger path (`/fi/v4/…/{docType}/…`) a concrete client path matches, with its docType. */
function operationOf(call: Call): { template: string; docType: string; op: Operation } | null {
  // The client's paths start with the gateway prefix `/financialintegration`; the Swagger's with `/fi`.
  const path = call.path.replace(/^\/financialintegration/, '');
  for (const [template, methods] of Object.entries(swagger.paths)) {
    const pattern = new RegExp(`^${template.replace('{docType}', '([^/]+)')}$`);
    const m = pattern.exec(path);
    const op = methods[call.method.toLowerCase()];
    if (m && op) return { template, docType: m[1]!, op };
  }
  return null;
}

describe("FIS client calls match SAP's FIS v4 Swagger", () => {
  it('every path, method, docType and query parameter the client uses is in the Swagger', async () => {
    const { fis, calls } = recordingClient();
    // Payment requests are left out on purpose: the Swagger's docType list has no `paymentrequest`
    // (see docs/concur.md, "unconfirmed").
    for (const docType of ['expense', 'invoice', 'cashadvance'] as const) {
      await fis.getDocument(docType, 'D1');
      await fis.getQueuePage(docType, 0, 25, { ignoreDocumentStatus: true });
      await fis.acknowledge(docType, ['D1']).catch(() => undefined);
      await fis.confirmPostings(docType, [{ docId: 'D1', status: 'success', documentNumber: '7' }]).catch(() => undefined);
      await fis.confirmPayments(docType, [{ docId: 'D1', paymentDate: '2026-01-15' }]).catch(() => undefined);
    }
    expect(calls.length).toBe(15);
    const problems: string[] = [];
    for (const call of calls) {
      const found = operationOf(call);
      if (!found) {
        problems.push(`${call.method} ${call.path}: no such operation`);
        continue;
      }
      const params = found.op.parameters ?? [];
      const docTypes = params.find((p) => p.name === 'docType')?.schema?.enum ?? [];
      if (!docTypes.includes(found.docType)) problems.push(`${call.method} ${found.template}: docType ${found.docType} is not one of ${docTypes.join(', ')}`);
      for (const [name, value] of Object.entries(call.query)) {
        if (value !== undefined && !params.some((p) => p.in === 'query' && p.name === name))
          problems.push(`${call.method} ${found.template}: query parameter ${name} is not listed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the acknowledgement body has exactly the required properties of AcknowledgeRequest', async () => {
    const { fis, calls } = recordingClient();
    await fis.acknowledge('expense', ['D1']).catch(() => undefined);
    const schema = swagger.components.schemas['AcknowledgeRequest']!;
    expect(Object.keys(calls[0]!.json as object).sort()).toEqual([...(schema.required ?? [])].sort());
  });
});
