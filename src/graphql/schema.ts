import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { roleAuthChecker } from './auth.js';
import { ConsoleResolver, DimensionValueNames, JournalLineNames, PostingConsoleFields } from './resolvers/console-resolver.js';
import { MappingResolver } from './resolvers/mapping-resolver.js';
import { OperationsResolver } from './resolvers/operations-resolver.js';
import { PostingResolver } from './resolvers/posting-resolver.js';

/**
 * The connector's GraphQL schema. Every decorator carries an explicit type, because tsx/esbuild emit
 * no decorator metadata; `validate: false` because class-validator is not used (input is checked in
 * `input.ts` with messages that say what to send).
 */
export async function buildConnectorSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [PostingResolver, MappingResolver, OperationsResolver, ConsoleResolver, PostingConsoleFields, JournalLineNames, DimensionValueNames],
    authChecker: roleAuthChecker,
    authMode: 'error',
    emitSchemaFile: false,
    validate: false,
  });
}
