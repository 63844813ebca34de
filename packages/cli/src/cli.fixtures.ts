import { buildImagingEvent, deadLetterTopicFor, encodeEvent } from '@oncoimg/fhir-events';
import { type ConsumerRunner } from '@oncoimg/kafka';
import type { BaselineChestCtOrder } from '@oncoimg/testing';
import { testKafkaBrokers, uniqueName, testAuth } from '@oncoimg/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { runCli } from './cli.ts';

export const brokers = testKafkaBrokers();
export const kafka = new Kafka({ clientId: 'cli-int-test', brokers, logLevel: logLevel.NOTHING });
export let admin: Admin;
export let producer: Producer;
export const topics: string[] = [];
export const groups: string[] = [];
export const runners: ConsumerRunner[] = [];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process against the test broker; `onStderr` sees stderr as it is written. */
export async function oncoimg(
  argv: string[],
  options: {
    onStderr?: (text: string) => void;
    onStdout?: (text: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        options.onStdout?.(stdout);
      },
    },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        options.onStderr?.(stderr);
      },
    },
    env: { KAFKA_BROKERS: brokers.join(','), ONCOIMG_TOKEN: await (await testAuth()).token() },
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

export async function createTopic(prefix: string, numPartitions = 1): Promise<string> {
  const topic = uniqueName(`cli-${prefix}`);
  topics.push(topic);
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  return topic;
}

/** The event of an order as the order service publishes it: patient key, CloudEvents headers, FHIR JSON. */
export function orderEvent(order: typeof BaselineChestCtOrder) {
  return encodeEvent(
    buildImagingEvent({ resource: order, action: 'created', source: 'oncoimg/order-service' }),
  );
}

export async function endOffsets(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { high }) => sum + Number(high), 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The broker connections and the clean-up every CLI integration test file needs. */
export function useCliKafka(): void {
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteGroups(groups).catch(() => {});
    const existing = new Set(await admin.listTopics());
    const created = [...topics, ...topics.map(deadLetterTopicFor)].filter((topic) => existing.has(topic));
    if (created.length > 0) {
      await admin.deleteTopics({ topics: created }).catch(() => {});
    }
    await admin.disconnect();
  });
}
