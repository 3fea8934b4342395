const { existsSync } = require('node:fs');

// Three projects: fast unit specs beside the code, e2e specs that boot the real app against
// real databases, and the browser test of the Swagger UI (`npm run test:ui`). `npm test` runs
// all three; the browser one only where Debian's Chromium is installed, except in CI (and under
// `npm run test:ui`), where a missing browser fails the run rather than hiding the test.
const CHROMIUM = '/usr/bin/chromium';
const browserTests =
  existsSync(CHROMIUM) || process.env.CI === 'true' || process.env.UI_TESTS === '1';
if (!browserTests) {
  console.warn(
    `Browser tests not run: ${CHROMIUM} is missing (apt-get install -y chromium; npm run test:ui).`,
  );
}
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// NestJS 12's packages are ES modules: compiled to CommonJS for Jest (scripts/jest-esm-packages.cjs).
const esmPackages = {
  transform: {
    '^.+\\.ts$': swc,
    '/node_modules/@nestjs/.+\\.js$': '<rootDir>/scripts/jest-esm-packages.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
};

module.exports = {
  // Global only: Jest ignores it inside a project. E2E suites boot apps and databases.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      ...esmPackages,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      ...esmPackages,
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e.setup.ts'],
    },
    ...(browserTests
      ? [
          {
            displayName: 'ui',
            testEnvironment: 'node',
            roots: ['<rootDir>/test'],
            testMatch: ['**/*.ui-spec.ts'],
            ...esmPackages,
          },
        ]
      : []),
  ],
};
