import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // A test importing `graphql` directly could otherwise load a second copy of it
    // ("Cannot use GraphQLSchema from another module or realm").
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts', 'console/src/**/*.spec.ts'],
    // Starts one real Apache Kafka broker (KRaft, loopback) for the run; see scripts/kafka/. Builds the
    // operator console when its sources changed (its tests load the built assets).
    globalSetup: ['test/setup/kafka-global-setup.ts', 'test/setup/console-build-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
