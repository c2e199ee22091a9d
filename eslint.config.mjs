import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

/** TypeScript sources checked with type information (the files tsconfig.json includes). */
const typedFiles = ['apps/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/client/dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'bench/results/**',
      'jest.config.js',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Promise and switch mistakes the compiler lets through: an unawaited promise whose
    // rejection nobody sees (`void` marks a deliberate fire-and-forget that handles its own
    // errors), an async callback where a sync one is expected (its rejection is lost), a switch
    // over a union that misses a member. A `default:` does not count as covering the members:
    // adding a message type or a mutation kind must make every switch over it decide.
    files: typedFiles,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // libs/raft is a pure library (STYLE "Shape of the tree", like etcd-io/raft): step, tick,
    // ready, advance. Time, randomness, storage and the network come in through its config and
    // the Ready it hands out; the app's adapters (apps/config-center/src/raft) do the I/O.
    files: ['libs/raft/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...builtinModules, ...builtinModules.map((name) => `${name}/*`)],
              message: 'libs/raft does no I/O and reads no clock: the app adapts it to Node.',
            },
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'mysql2',
                'mysql2/*',
                'better-sqlite3',
                'ioredis',
                'fastify',
                'pino',
                'rxjs',
                '@cc/*',
              ],
              message: 'libs/raft depends on no framework, driver or other library of ours.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'clearImmediate',
          'queueMicrotask',
          'process',
          'performance',
          'fetch',
          'require',
          'Buffer',
        ].map((name) => ({
          name,
          message: 'libs/raft is driven by tick() and Ready: no timers, process or I/O of its own.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes from tick(); see RaftConfig.' },
        { object: 'Math', property: 'random', message: 'Use RaftConfig.random (seedable).' },
        { object: 'globalThis', message: 'No ambient globals in libs/raft.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date']",
          message: 'Time comes from tick(); see RaftConfig.',
        },
      ],
    },
  },
  {
    // libs/client is published on its own (@config-center/client): Node's built-ins only.
    files: ['libs/client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@cc/*', '@nestjs/*', '**/apps/**', '../../*'],
              message: 'libs/client has no dependency but Node 20: it is published alone.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'apps/ccctl/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
