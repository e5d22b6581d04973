// Node 20 is supported (package.json engines); the AWS SDK's notice that releases after January 2027 need
// Node 22 is recorded in the README rather than repeated by every test file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  // A ceiling, not a budget: tests poll for their conditions, and a loaded 2-core machine is slow.
  testTimeout: 180_000,
  // Two test files at a time even on 2 cores (Jest's default there is one): the end-to-end files spend most
  // of their time waiting on the AWS CLI, Chromium and the runtime's own timers, not on the CPU.
  maxWorkers: 2,
};
