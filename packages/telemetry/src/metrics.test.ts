import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMES, PROMETHEUS_NAMES, serviceMetrics } from './metrics.ts';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('operator metrics', () => {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });

  beforeAll(() => {
    metrics.setGlobalMeterProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    metrics.disable();
  });

  async function collected(name: string) {
    const { resourceMetrics } = await reader.collect();
    const found = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === name);
    return found?.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value })) ?? [];
  }

  it('counts retries by what was retried and overload answers by reason', async () => {
    serviceMetrics().recordRetry('kafka.connect');
    serviceMetrics().recordRetry('kafka.connect');
    serviceMetrics().recordOverload('in_flight');
    serviceMetrics().recordOverload('timeout');
    expect(await collected(METRIC_NAMES.retries)).toEqual([
      { attributes: { what: 'kafka.connect' }, value: 2 },
    ]);
    expect(await collected(METRIC_NAMES.httpOverload)).toEqual([
      { attributes: { reason: 'in_flight' }, value: 1 },
      { attributes: { reason: 'timeout' }, value: 1 },
    ]);
  });

  it('reports when the process started, so a restart shows as a new value', async () => {
    const points = await collected(METRIC_NAMES.processStartTime);
    expect(points).toHaveLength(1);
    const seconds = points[0].value as number;
    expect(Math.abs(seconds - (Date.now() - performance.now()) / 1_000)).toBeLessThan(2);
    expect(PROMETHEUS_NAMES.processStartTime).toBe('oncoimg_process_start_time_seconds');
  });
});
