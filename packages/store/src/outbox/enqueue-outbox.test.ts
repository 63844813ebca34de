import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../database.ts';
import { enqueueOutbox } from './enqueue-outbox.ts';

/** Records the statements instead of running them: the SQL itself is covered by the integration tests. */
function recordingTx(): Queryable & { calls: { sql: string; params: readonly unknown[] }[] } {
  const calls: { sql: string; params: readonly unknown[] }[] = [];
  return {
    calls,
    query: (sql: string, params: readonly unknown[] = []) => {
      calls.push({ sql, params });
      const rows = Array.from({ length: params.length / 5 }, (_, i) => ({ id: String(i + 1) }));
      return Promise.resolve({ rows: rows as never[], rowCount: rows.length });
    },
    exec: () => Promise.resolve(),
    copyFrom: () => Promise.resolve(),
  };
}

/** A propagator that writes a fixed traceparent, standing in for the W3C one telemetry installs. */
const fixedPropagator: TextMapPropagator = {
  inject: (_context, carrier, setter) => {
    setter.set(carrier, 'traceparent', '00-trace-span-01');
  },
  extract: (context) => context,
  fields: () => ['traceparent'],
};

afterEach(() => {
  propagation.disable();
});

describe('enqueueOutbox', () => {
  it('stores text values as text and binary values as bytes', async () => {
    const tx = recordingTx();
    await enqueueOutbox(tx, [
      { topic: 't', key: 'k', value: '{"a":1}' },
      { topic: 't', key: 'k', value: Buffer.from([1, 2]) },
    ]);
    expect(tx.calls).toHaveLength(1);
    expect(tx.calls[0]?.params).toEqual([
      't',
      'k',
      '{"a":1}',
      null,
      '{}',
      't',
      'k',
      null,
      Buffer.from([1, 2]),
      '{}',
    ]);
  });

  it('writes many messages in chunks that stay under the parameter limit', async () => {
    const tx = recordingTx();
    const messages = Array.from({ length: 2500 }, (_, i) => ({ topic: 't', key: 'k', value: String(i) }));
    const { ids } = await enqueueOutbox(tx, messages);
    expect(tx.calls.map((call) => call.params.length)).toEqual([5000, 5000, 2500]);
    expect(ids).toHaveLength(2500);
  });

  it('records the trace context of the writer so the trace continues after the relay publishes', async () => {
    propagation.setGlobalPropagator(fixedPropagator);
    const tx = recordingTx();
    await enqueueOutbox(tx, { topic: 't', key: 'k', value: 'v', headers: { ce_id: '1' } });
    expect(JSON.parse(tx.calls[0]?.params[4] as string)).toEqual({
      ce_id: '1',
      traceparent: '00-trace-span-01',
    });
  });

  it('keeps a traceparent the caller set', async () => {
    propagation.setGlobalPropagator(fixedPropagator);
    const tx = recordingTx();
    await enqueueOutbox(tx, { topic: 't', key: 'k', value: 'v', headers: { traceparent: '00-caller-01' } });
    expect(JSON.parse(tx.calls[0]?.params[4] as string)).toEqual({ traceparent: '00-caller-01' });
  });

  it('refuses a message without a topic', async () => {
    await expect(enqueueOutbox(recordingTx(), { topic: '', key: 'k', value: 'v' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
