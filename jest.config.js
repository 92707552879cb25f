/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true }] },
  // Lambda handlers read their environment at import; every test file gets a clean module registry.
  resetModules: false,
  testTimeout: 20000,
};
