import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { GraphqlContext } from './context.js';

export interface RefusalLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Arguments never copied into the log line: a whole mapping file, free text beyond a reason. */
const LEFT_OUT = new Set(['json']);

/**
 * The operator log's refusals: every mutation that answers with an error (not permitted, unknown id,
 * invalid input, a state that does not allow it) is one warning naming the actor, the mutation, its
 * arguments and, for a document, its Concur document id and report name. What succeeds is logged by
 * the application service with its outcome; a refusal often never reaches it (the resolvers check
 * first), so it is logged here, once, for every mutation alike.
 */
export function refusalLogPlugin(log: RefusalLog): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(request) {
          const operation = request.operation as OperationDefinitionNode | undefined | null;
          const ctx = request.contextValue;
          const actor = ctx.principal?.actor ?? null;
          if (!operation) {
            // Refused before execution (unparsable, invalid): log only what looks like a mutation.
            const source = request.source ?? '';
            if (!/^\s*mutation\b/.test(source)) return;
            log.warn(`operator action refused for ${actor ?? 'an anonymous caller'}: ${request.errors.map((e) => e.message).join('; ')}`, {
              actor,
              action: request.operationName ?? 'mutation',
              code: request.errors[0]?.extensions?.['code'] ?? null,
            });
            return;
          }
          if (operation.operation !== 'mutation') return;
          for (const error of request.errors) {
            const key = error.path?.[0];
            const field = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && (s.alias?.value ?? s.name.value) === key);
            const action = field?.name.value ?? request.operationName ?? 'mutation';
            const args: Record<string, unknown> = {};
            for (const arg of field?.arguments ?? []) {
              if (LEFT_OUT.has(arg.name.value)) continue;
              args[arg.name.value] = valueFromASTUntyped(arg.value, request.request.variables ?? undefined);
            }
            const document = typeof args['id'] === 'string' ? documentOf(ctx, args['id']) : {};
            log.warn(`${action} by ${actor ?? 'an anonymous caller'} refused: ${error.message}`, {
              actor,
              action,
              code: error.extensions?.['code'] ?? null,
              ...args,
              ...document,
            });
          }
        },
      };
    },
  };
}

function documentOf(ctx: GraphqlContext, id: string): { documentId: string; reportName: string | null } {
  try {
    const row = ctx.api.getPosting(id);
    return row ? { documentId: row.concurDocumentId, reportName: row.reportName } : { documentId: id, reportName: null };
  } catch {
    return { documentId: id, reportName: null };
  }
}
