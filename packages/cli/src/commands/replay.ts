import type { Message } from 'kafkajs';
import {
  BROKERS_HELP,
  checkTopicName,
  COMMON_OPTIONS,
  noPositionals,
  parseCommandLine,
  parseWholeNumber,
  resolveBrokers,
  type Command,
} from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import {
  connectProducer,
  createCliKafka,
  kafkaFailure,
  requireTopics,
  withAdmin,
} from '../kafka-connection.ts';
import { readPartitions, type PartitionRange } from '../partition-reader.ts';

/** Where a replay starts: an offset in each chosen partition, or the first message at or after a time. */
export type ReplayStart = { offset: bigint } | { time: Date };

export interface ReplayOptions {
  brokers: string[];
  topic: string;
  toTopic: string;
  from: ReplayStart;
  partition: number | undefined;
  limit: number | undefined;
}

/** Header naming the message a replayed copy came from: `topic/partition/offset`. */
export const REPLAYED_FROM_HEADER = 'replayed_from';

const NAME = 'replay';

export const REPLAY_HELP = `Usage: oncoimg replay --topic T --from <offset|ISO time> [--to-topic T2] [--partition P] [--limit N]

Publishes again the messages of a topic from an offset or a time up to the end the topic had when
the command started, with their keys and headers, plus a '${REPLAYED_FROM_HEADER}' header (topic/partition/offset).
Consumers must be idempotent: a replay into the same topic delivers the events a second time.

Options:
  --topic T          topic to read
  --from X           an offset (in every partition, or in --partition), or an ISO 8601 time
                     such as 2026-11-25T09:00:00Z (the first message at or after it, per partition)
  --to-topic T2      topic to publish to (default: the same topic); created like T when missing
  --partition P      only this partition of T
  --limit N          publish at most N messages
${BROKERS_HELP}
  -h, --help         show this help
`;

/** `42` is an offset; anything else must be a time with a date (`2026-11-25T09:00:00Z`). */
export function parseReplayStart(value: string): ReplayStart {
  if (/^\d+$/.test(value)) return { offset: BigInt(value) };
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw usageError(`--from must be an offset or an ISO 8601 time, not ${JSON.stringify(value)}`, NAME);
  return { time: new Date(ms) };
}

export function parseReplayOptions(
  args: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ReplayOptions {
  const { values, positionals } = parseCommandLine(NAME, {
    args,
    allowPositionals: true,
    options: {
      ...COMMON_OPTIONS,
      topic: { type: 'string' },
      from: { type: 'string' },
      'to-topic': { type: 'string' },
      partition: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  noPositionals(positionals, NAME);
  if (values.topic === undefined) throw usageError('--topic is required', NAME);
  if (values.from === undefined) throw usageError('--from is required', NAME);
  const topic = checkTopicName(values.topic, '--topic', NAME);
  return {
    brokers: resolveBrokers(values.brokers, env, NAME),
    topic,
    toTopic:
      values['to-topic'] === undefined ? topic : checkTopicName(values['to-topic'], '--to-topic', NAME),
    from: parseReplayStart(values.from),
    partition:
      values.partition === undefined ? undefined : parseWholeNumber(values.partition, '--partition', NAME),
    limit: values.limit === undefined ? undefined : parseWholeNumber(values.limit, '--limit', NAME, 1),
  };
}

export const replayCommand: Command = {
  name: NAME,
  summary: 'publish the messages of a topic again, from an offset or a time',
  help: REPLAY_HELP,
  async run(args, context) {
    const options = parseReplayOptions(args, context.io.env);
    const { brokers, topic, toTopic, from, partition } = options;
    const kafka = createCliKafka(brokers);
    const ranges = await withAdmin(kafka, brokers, `reading offsets of ${topic}`, async (admin) => {
      await requireTopics(admin, [topic]);
      const offsets = await admin.fetchTopicOffsets(topic);
      if (partition !== undefined && !offsets.some((o) => o.partition === partition))
        throw new CliError(
          'NOT_FOUND',
          `${topic} has no partition ${String(partition)} (it has ${String(offsets.length)})`,
        );
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
        if (partition !== undefined && p !== partition) return { topic, partition: p, start: end, end };
        const wanted = starts ? (starts.get(p) ?? end) : 'offset' in from ? from.offset : end;
        // Below the low watermark the messages are gone (retention): start at the first one kept.
        const start = wanted < BigInt(low) ? BigInt(low) : wanted;
        return { topic, partition: p, start: start > end ? end : start, end };
      });
    });

    const producer = await connectProducer(kafka, brokers);
    try {
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
          try {
            await producer.send({ topic: toTopic, acks: -1, messages: copies });
          } catch (error) {
            throw kafkaFailure(error, brokers, `publishing to ${toTopic}`);
          }
          const first = messages.at(0);
          const last = messages.at(-1);
          if (first && last)
            context.out(
              `${topic}/${String(first.partition)} offsets ${first.offset}..${last.offset} → ${toTopic} (${String(messages.length)})`,
            );
        },
      });
      context.out(`replayed ${String(result.read)} message(s) from ${topic} to ${toTopic}`);
      return 0;
    } finally {
      await producer.disconnect().catch(() => {});
    }
  },
};
