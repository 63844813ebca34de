import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Tests and their support files: they may import the test harness. */
const TEST_FILES = ['**/*.test.ts', '**/*.fixtures.ts'];

const NOT_A_SERVICE = {
  group: ['@oncoimg/*-service', '@oncoimg/auth-server', '**/services/**'],
  message: 'packages never import services',
};
const NOT_ANOTHER_SERVICE = {
  group: ['@oncoimg/*-service', '@oncoimg/auth-server', '../../*-service/*', '../../auth-server/*'],
  message: 'services never import services',
};
const NOT_THE_TEST_HARNESS = {
  group: ['@oncoimg/testing', '@oncoimg/testing/*'],
  message: 'production code never imports @oncoimg/testing',
};
const DOMAIN_DOES_NO_IO = [
  {
    group: ['node:*', 'fs', 'net', 'http', 'kafkajs', 'pg', '@electric-sql/*', 'express'],
    message: 'domain/ does no I/O',
  },
  {
    group: [
      '@oncoimg/kafka',
      '@oncoimg/store',
      '@oncoimg/fhir-http',
      '@oncoimg/intake',
      '@oncoimg/service-runtime',
    ],
    message: 'domain/ does no I/O',
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.tools/**',
      '.data/**',
      'infra/kafka/.cache/**',
      'infra/fhir-validator/.cache/**',
      '**/dist/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: ['error', 'all'],
      // `== null` stays: it is the one idiom for "null or undefined".
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  // Import boundaries. A later block's no-restricted-imports replaces an earlier one for the files
  // both match, so each block lists every rule that applies to its files.
  {
    // Packages never import services; production code never imports the test harness.
    files: ['packages/*/src/**/*.ts'],
    ignores: [...TEST_FILES, 'packages/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_A_SERVICE, NOT_THE_TEST_HARNESS] }] },
  },
  {
    files: TEST_FILES.map((glob) => `packages/${glob}`),
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_A_SERVICE] }] },
  },
  {
    files: ['packages/testing/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_A_SERVICE] }] },
  },
  {
    // Services never import each other, nor the test harness outside their tests.
    files: ['services/**/*.ts'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_ANOTHER_SERVICE, NOT_THE_TEST_HARNESS] }] },
  },
  {
    files: TEST_FILES.map((glob) => `services/${glob}`),
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_ANOTHER_SERVICE] }] },
  },
  {
    files: ['scripts/**/*.ts', 'infra/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_THE_TEST_HARNESS] }] },
  },
  {
    // Domain code is pure: no I/O, no clock, no environment.
    files: ['services/*/src/domain/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...DOMAIN_DOES_NO_IO, NOT_ANOTHER_SERVICE, NOT_THE_TEST_HARNESS] },
      ],
      'no-restricted-globals': ['error', 'process', 'fetch'],
    },
  },
  {
    files: TEST_FILES.map((glob) => `services/*/src/domain/${glob}`),
    rules: {
      'no-restricted-imports': ['error', { patterns: [...DOMAIN_DOES_NO_IO, NOT_ANOTHER_SERVICE] }],
      'no-restricted-globals': ['error', 'process', 'fetch'],
    },
  },
  {
    // Test doubles implement async interfaces with synchronous bodies.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
