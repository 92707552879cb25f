/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 20000,
  // Both cores of a small machine (Jest's default leaves one idle): the suite is mostly CDK synthesis.
  maxWorkers: '100%',
};
