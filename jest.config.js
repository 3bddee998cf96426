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
  testTimeout: 60000,
  // Sandboxed execution already uses every core; running test files in parallel only adds noise.
  maxWorkers: 2,
  verbose: false,
};
