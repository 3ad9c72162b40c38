import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // A test importing `graphql` directly could otherwise load a second copy of it
    // ("Cannot use GraphQLSchema from another module or realm").
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    // Starts one real Apache Kafka broker (KRaft, loopback) for the run; see scripts/kafka/.
    globalSetup: ['test/setup/kafka-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
