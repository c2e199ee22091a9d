/** Unit tests (apps, libs and scripts, *.spec.ts) and e2e/integration tests (test/**.test.ts). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  },
];
const moduleNameMapper = {
  '^@cc/(common|resource|raft)$': '<rootDir>/libs/$1/src',
  '^@cc/(common|resource|raft)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@config-center/client$': '<rootDir>/libs/client/src',
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
      ],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  ],
};
