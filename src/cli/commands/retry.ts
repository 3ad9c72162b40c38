import type { CliCommand } from '../args.js';
import type { GraphqlClient } from '../graphql-client.js';
import type { CliIo } from '../io.js';

interface RetriedPosting {
  id: string;
  status: string;
  concurDocumentId: string;
  reportName: string | null;
  intacctRecordNo: string | null;
  lastError: { category: string; message: string } | null;
}

/**
 * `retry ID [--batch-date D --reason R]`: the GraphQL `retryPosting` mutation. The service evaluates
 * the document again with today's mappings; the status printed is the one right after the request
 * (the posting itself follows within seconds; `postings`/`posting(id:)` show how it ended).
 */
export async function retry(client: GraphqlClient, io: CliIo, command: Extract<CliCommand, { name: 'retry' }>): Promise<number> {
  const { retryPosting: p } = await client.request<{ retryPosting: RetriedPosting }>(
    `mutation($id: ID!, $batchDate: Date, $reason: String) {
      retryPosting(id: $id, batchDate: $batchDate, reason: $reason) { id status concurDocumentId reportName intacctRecordNo lastError { category message } }
    }`,
    { id: command.id, batchDate: command.batchDate, reason: command.reason },
  );
  const name = p.reportName ? ` "${p.reportName}"` : '';
  io.out(`Document ${p.concurDocumentId}${name}: retry requested${command.batchDate ? ` with batch date ${command.batchDate}` : ''}; now ${p.status}`);
  if (p.status === 'AWAITING_MAPPING') io.out("  It still waits for mappings: see mappingGaps (or the posting's gaps) for what to map.");
  if (p.status === 'REJECTED' && p.lastError) io.out(`  ${p.lastError.message}`);
  return 0;
}
