/** Jest runs TypeScript through SWC; jose ships ESM only, so it is transformed too. */
const swc = [
  '@swc/jest',
  {
    // The dashboard's components (apps/web) use React's automatic JSX runtime, as Vite builds them.
    jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/test/**/*.test.ts', '**/test/**/*.test.tsx'],
  testPathIgnorePatterns: ['/node_modules/', '/.data/'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  // ESM-only packages (jose; cookie, used by Fastify's inject; p-retry and file-type with their dependencies;
  // content-disposition, used by @fastify/static) are compiled to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(jose|cookie|p-retry|is-network-error|file-type|strtok3|token-types|uint8array-extras|@tokenizer|@borewit|peek-readable|any-ascii|content-disposition)/)'],
  // The dashboard's component tests (jsdom) import stylesheets as Vite does; Jest needs none of them.
  moduleNameMapper: { '\\.css$': '<rootDir>/apps/web/test/support/style-stub.js' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // On the embedded PGlite every test database is a PGlite of its own, started in seconds each: a stack of them needs longer.
  testTimeout: process.env.DATABASE_URL ? 30000 : 120000,
  maxWorkers: 2,
  // A worker keeps what each test file loaded (servers, schemas, the sanctions list) until it is
  // replaced: past this much after a file, Jest starts a fresh one rather than let it run out of heap.
  workerIdleMemoryLimit: '1536MB',
};
