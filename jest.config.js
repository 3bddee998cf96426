// ESM TypeScript through ts-jest; type checking is `npm run typecheck` (tsc), so tests only transpile.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // No test may depend on the machine's speed: CI machines are shared, and the end-to-end tests (the demo, a
  // repair with its test suite, the flaky-proxy run) take minutes on a loaded 2-core machine. A hung test is
  // still caught, after 10 minutes.
  testTimeout: 600_000,
  // Sandboxed execution already uses every core; running test files in parallel only adds noise.
  maxWorkers: 2,
  verbose: false,
};
