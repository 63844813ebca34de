import { describe, expect, it } from 'vitest';
import { ignored } from './docker-compose.fixtures.ts';

// The build context docker-compose.yml sends for its images, as .dockerignore trims it.

describe('.dockerignore', () => {
  it('keeps local state and installed dependencies out of the build context', () => {
    for (const path of [
      'node_modules',
      'packages/telemetry/node_modules',
      '.data',
      '.tools',
      'infra/kafka/.cache',
      'infra/fhir-validator/.cache',
      '.git',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored('services/order-service/src/main.ts')).toBe(false);
  });
});
