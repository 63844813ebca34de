import type { KafkaSecurity } from '@oncoimg/kafka';
import type { Message } from 'kafkajs';
import {
  checkTopicName,
  defineCommand,
  kafkaTarget,
  optionalTopicName,
  optionalWholeNumber,
  parseOptions,
  type Env,
} from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { createCliKafka, requireTopics, withAdmin, withProducer } from '../kafka-connection.ts';
import { readPartitions, type PartitionRange } from '../partition-reader.ts';

/** Where a replay starts: an offset in each chosen partition, or the first message at or after a time. */
export type ReplayStart = { offset: bigint } | { time: Date };

export interface ReplayOptions {
  brokers: string[];
  security: KafkaSecurity;
  topic: string;
  toTopic: string;
  from: ReplayStart;
  partition: number | undefined;
  limit: number | undefined;
}

/** Header naming the message a replayed copy came from: `topic/partition/offset`. */
export const REPLAYED_FROM_HEADER = 'replayed_from';

const NAME = 'replay';

/** `42` is an offset; anything else must be a time with a date (`2026-11-25T09:00:00Z`). */
export function parseReplayStart(value: string): ReplayStart {
  if (/^\d+$/.test(value)) {
    return { offset: BigInt(value) };
  }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw usageError(`--from must be an offset or an ISO 8601 time, not ${JSON.stringify(value)}`, NAME);
  }
  return { time: new Date(ms) };
}

export function parseReplayOptions(args: string[], env: Env = {}): ReplayOptions {
  const { values } = parseOptions(NAME, args, {
    topic: { type: 'string' },
    from: { type: 'string' },
    'to-topic': { type: 'string' },
    partition: { type: 'string' },
    limit: { type: 'string' },
  });
  if (values.topic === undefined) {
    throw usageError('--topic is required', NAME);
  }
  if (values.from === undefined) {
    throw usageError('--from is required', NAME);
  }
  const topic = checkTopicName(values.topic, '--topic', NAME);
  return {
    ...kafkaTarget(values.brokers, env, NAME),
    topic,
    toTopic: optionalTopicName(values['to-topic'], '--to-topic', NAME) ?? topic,
    from: parseReplayStart(values.from),
    partition: optionalWholeNumber(values.partition, '--partition', NAME),
    limit: optionalWholeNumber(values.limit, '--limit', NAME, 1),
  };
}

export const replayCommand = defineCommand({
  name: NAME,
  summary: 'publish the messages of a topic again, from an offset or a time',
  usage: 'replay --topic T --from <offset|ISO time> [--to-topic T2] [--partition P] [--limit N]',
  description: `Publishes again the messages of a topic from an offset or a time up to the end the topic had when
the command started, with their keys and headers, plus a '${REPLAYED_FROM_HEADER}' header (topic/partition/offset).
Consumers must be idempotent: a replay into the same topic delivers the events a second time.`,
  options: `  --topic T          topic to read
  --from X           an offset (in every partition, or in --partition), or an ISO 8601 time
                     such as 2026-11-25T09:00:00Z (the first message at or after it, per partition)
  --to-topic T2      topic to publish to (default: the same topic); created like T when missing
  --partition P      only this partition of T
  --limit N          publish at most N messages`,
  parse: parseReplayOptions,
  async run(options, context) {
    const { brokers, security, topic, toTopic, from, partition } = options;
    const kafka = createCliKafka(brokers, security);
    const ranges = await withAdmin(kafka, brokers, `reading offsets of ${topic}`, async (admin) => {
      await requireTopics(admin, [topic]);
      const offsets = await admin.fetchTopicOffsets(topic);
      if (partition !== undefined && !offsets.some((o) => o.partition === partition)) {
        throw new CliError(
          'NOT_FOUND',
          `${topic} has no partition ${String(partition)} (it has ${String(offsets.length)})`,
        );
      }
      const starts =
        'time' in from
          ? new Map(
              (await admin.fetchTopicOffsetsByTimestamp(topic, from.time.getTime())).map((o) => [
                o.partition,
                BigInt(o.offset),
              ]),
            )
          : undefined;
      if (toTopic !== topic && !(await admin.listTopics()).includes(toTopic)) {
        await admin.createTopics({
          topics: [{ topic: toTopic, numPartitions: offsets.length }],
          waitForLeaders: true,
        });
        context.err(`created ${toTopic} with ${String(offsets.length)} partition(s)`);
      }
      return offsets.map(({ partition: p, low, high }): PartitionRange => {
        const end = BigInt(high);
        if (partition !== undefined && p !== partition) {
          return { topic, partition: p, start: end, end };
        }
        const wanted = starts ? (starts.get(p) ?? end) : 'offset' in from ? from.offset : end;
        // Below the low watermark the messages are gone (retention): start at the first one kept.
        const start = wanted < BigInt(low) ? BigInt(low) : wanted;
        return { topic, partition: p, start: start > end ? end : start, end };
      });
    });

    return withProducer(kafka, brokers, async (republish) => {
      const result = await readPartitions({
        kafka,
        brokers,
        ranges,
        limit: options.limit,
        signal: context.signal,
        onMessages: async (messages) => {
          const copies: Message[] = messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: {
              ...m.headers,
              [REPLAYED_FROM_HEADER]: `${m.topic}/${String(m.partition)}/${m.offset}`,
            },
          }));
          await republish(toTopic, copies, `publishing to ${toTopic}`);
          const first = messages.at(0);
          const last = messages.at(-1);
          if (first && last) {
            context.out(
              `${topic}/${String(first.partition)} offsets ${first.offset}..${last.offset} → ${toTopic} (${String(messages.length)})`,
            );
          }
        },
      });
      context.out(`replayed ${String(result.read)} message(s) from ${topic} to ${toTopic}`);
      return 0;
    });
  },
});
