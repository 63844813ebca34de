/**
 * Issue 16: two timeline-service instances in one consumer group and one PostgreSQL schema,
 * against the same pre-published events the single instance consumed in the same run. Each
 * instance is a process of its own; the time is from the first group join to the last commit of
 * either instance (wall clock, comparable across the two processes).
 */
import { uniqueName } from '@oncoimg/testing';
import type { TopicNames } from '@oncoimg/fhir-events';
import type { BenchConfig } from './config.ts';
import { forkServiceHost, type ServiceHost } from './host-client.ts';
import { ratePerSecond } from './stats.ts';

export interface ScaleOutFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Of each instance's process. */
  rssPeakBytes: number[];
}

export async function benchScaleOut(
  config: BenchConfig,
  { url, tag, topics, events }: { url: string; tag: string; topics: Partial<TopicNames>; events: number },
  execArgv: (name: string) => string[],
): Promise<ScaleOutFigures> {
  const schema = `bench_timeline_x2_${tag}`;
  const groupId = uniqueName('bench-timeline-x2');
  // The second host leaves the schema to the first, which drops it when it stops last.
  const first = forkServiceHost({ execArgv: execArgv('timeline-x2-a') });
  const second = forkServiceHost({ execArgv: execArgv('timeline-x2-b') });
  const hosts: ServiceHost[] = [first, second];
  const start = (host: ServiceHost, keepSchema: boolean) =>
    host.call(
      {
        type: 'start-timeline',
        brokers: config.brokers,
        database: { dataDir: '', url, schema, keepSchema },
        topics,
        groupId,
      },
      'started',
    );
  try {
    // Both at once (migrations take turns through a lock), so both join at about the same time.
    await Promise.all([start(first, false), start(second, true)]);
    const timings = [];
    for (const host of hosts) {
      timings.push(
        await host.call({ type: 'wait-consumed', total: events, timeoutMs: 1_800_000 }, 'consumed'),
      );
    }
    const startedAt = Math.min(...timings.map((t) => t.startedAtEpochMs));
    const endedAt = Math.max(...timings.map((t) => t.lastChangeAtEpochMs));
    const elapsedMs = endedAt - startedAt;
    const rssPeakBytes: number[] = [];
    for (const host of [...hosts].reverse()) {
      rssPeakBytes.unshift((await host.stop()).usage.rssPeakBytes);
    }
    return {
      events,
      seconds: elapsedMs / 1000,
      eventsPerSecond: ratePerSecond(events, elapsedMs),
      rssPeakBytes,
    };
  } catch (error) {
    for (const host of [...hosts].reverse()) {
      await host.stop().catch(() => undefined);
    }
    throw error;
  }
}
