import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.tools/**',
      '.data/**',
      'infra/kafka/.cache/**',
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
  {
    // Services never import each other.
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@oncoimg/*-service', '../../*-service/*'], message: 'services never import services' },
          ],
        },
      ],
    },
  },
  {
    // Domain code is pure: no I/O, no clock, no environment.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
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
            // Repeated from the services block: a later block's rule replaces an earlier one.
            { group: ['@oncoimg/*-service', '../../*-service/*'], message: 'services never import services' },
          ],
        },
      ],
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
