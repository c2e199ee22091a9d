import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** TypeScript sources checked with type information (the files tsconfig.json includes). */
const typedFiles = ['apps/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
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
    files: ['bench/**/*.ts', 'scripts/**/*.ts', 'apps/ccctl/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
