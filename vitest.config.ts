import { defineConfig } from 'vitest/config';

// Three tiers share one run: `unit` is pure and needs nothing; `integration` (*.int.test.ts and the
// cross-service flows in tests/) and `faults` (services as processes, killed and restarted, in
// tests/faults/) get a real Kafka broker and PostgreSQL from the global set-up.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'infra/*/src/**/*.test.ts',
            'examples/*/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            'benchmarks/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts', 'tests/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'tests/faults/**'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          // Each file runs the services as processes and kills them: one file at a time, so the
          // timings they assert do not depend on what else the machine is doing.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
