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
};
