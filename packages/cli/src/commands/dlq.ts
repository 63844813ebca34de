import type { KafkaSecurity } from '@oncoimg/kafka';
import { DEAD_LETTER_SUFFIX, DLQ_HEADER_PREFIX, DLQ_HEADERS } from '@oncoimg/fhir-events';
import { headersToStrings } from '@oncoimg/kafka';
import type { Admin, IHeaders, Message } from 'kafkajs';
import { defineCommand, kafkaTarget, optionalTopicName, parseOptions, type Env } from '../command.ts';
import { formatTable } from '../format.ts';
import { usageError } from '../errors.ts';
import { createCliKafka, requireTopics, withAdmin, withProducer } from '../kafka-connection.ts';
import { DEFAULT_OUTBOX_SERVICE_URLS, listOutboxDeadLetters, parseServiceUrls } from './dlq-outbox.ts';
import { readPartitions, type PartitionRange, type ReadMessage } from '../partition-reader.ts';

/** Header naming the dead letter a redriven message came from: `dlq-topic/partition/offset`. */
export const REDRIVEN_FROM_HEADER = 'redriven_from';

/** The redrive group's committed offsets are what makes a second redrive send nothing again. */
export const DEFAULT_REDRIVE_GROUP = 'oncoimg-dlq-redrive';

export interface DlqListOptions {
  brokers: string[];
  security: KafkaSecurity;
  /** undefined: every topic ending in `.dlq`. */
  topic: string | undefined;
}

export interface DlqListCommandOptions extends DlqListOptions {
  /** With --outbox: the services whose outbox dead letters to list instead of the Kafka ones. */
  outboxServices?: string[];
}

export interface DlqRedriveOptions extends DlqListOptions {
  group: string;
}

const LIST = 'dlq list';
const REDRIVE = 'dlq redrive';

const TOPIC_HELP = `  --topic DLQ        one dead-letter topic (default: every topic ending in ${DEAD_LETTER_SUFFIX})`;

const OUTBOX_HELP = `  --outbox           list the rows the services' outbox relays set aside
  --service-urls URLS
                     services to ask, comma-separated (default: ${DEFAULT_OUTBOX_SERVICE_URLS.join(',')})`;

export function parseDlqListOptions(args: string[], env: Env = {}): DlqListCommandOptions {
  const { values } = parseOptions(LIST, args, {
    topic: { type: 'string' },
    outbox: { type: 'boolean' },
    'service-urls': { type: 'string' },
  });
  if (values.outbox === true && values.topic !== undefined) {
    throw usageError('--topic reads Kafka dead-letter topics; --outbox asks the services', LIST);
  }
  if (values.outbox !== true && values['service-urls'] !== undefined) {
    throw usageError('--service-urls goes with --outbox', LIST);
  }
  return {
    ...kafkaTarget(values.brokers, env, LIST),
    topic: optionalTopicName(values.topic, '--topic', LIST),
    ...(values.outbox === true ? { outboxServices: parseServiceUrls(values['service-urls'], LIST) } : {}),
  };
}

export function parseDlqRedriveOptions(args: string[], env: Env = {}): DlqRedriveOptions {
  const { values } = parseOptions(REDRIVE, args, { topic: { type: 'string' }, group: { type: 'string' } });
  return {
    ...kafkaTarget(values.brokers, env, REDRIVE),
    topic: optionalTopicName(values.topic, '--topic', REDRIVE),
    group: values.group === undefined || values.group === '' ? DEFAULT_REDRIVE_GROUP : values.group,
  };
}

async function deadLetterTopics(admin: Admin, topic: string | undefined): Promise<string[]> {
  if (topic !== undefined) {
    await requireTopics(admin, [topic]);
    return [topic];
  }
  return (await admin.listTopics()).filter((name) => name.endsWith(DEAD_LETTER_SUFFIX)).sort();
}

/** Every partition of the topics from `startOf` (default: the first message kept) to the end offset now. */
async function rangesOf(
  admin: Admin,
  topics: readonly string[],
  startOf: (topic: string, partition: number) => bigint | undefined = () => undefined,
): Promise<PartitionRange[]> {
  const ranges: PartitionRange[] = [];
  for (const topic of topics) {
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      const first = BigInt(low);
      const end = BigInt(high);
      const committed = startOf(topic, partition);
      const start = committed === undefined || committed < first ? first : committed;
      ranges.push({ topic, partition, start: start > end ? end : start, end });
    }
  }
  return ranges;
}

const where = (m: ReadMessage) => `${m.topic}/${String(m.partition)}/${m.offset}`;

/** One dead letter as a row of `dlq list`. */
export function deadLetterRow(message: ReadMessage): string[] {
  const headers: Partial<Record<string, string>> = headersToStrings(message.headers);
  const source = headers[DLQ_HEADERS.originalTopic];
  return [
    where(message),
    headers[DLQ_HEADERS.failedAt] ?? '-',
    source === undefined
      ? '-'
      : `${source}/${headers[DLQ_HEADERS.originalPartition] ?? '?'}/${headers[DLQ_HEADERS.originalOffset] ?? '?'}`,
    headers[DLQ_HEADERS.errorCode] ?? '-',
    (headers[DLQ_HEADERS.reason] ?? '-').replace(/\s+/g, ' '),
  ];
}

/** The headers a redriven message carries: the original ones, without the dead-letter bookkeeping. */
export function redrivenHeaders(message: ReadMessage): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (!name.startsWith(DLQ_HEADER_PREFIX)) {
      headers[name] = value;
    }
  }
  headers[REDRIVEN_FROM_HEADER] = where(message);
  return headers;
}

export const dlqListCommand = defineCommand({
  name: LIST,
  summary: 'list dead letters with their reason and original topic/partition/offset',
  usage: 'dlq list [--topic DLQ] [--outbox [--service-urls URLS]]',
  description: `Lists the dead letters: where each is, when and why its consumer rejected it (dlq_reason,
dlq_error_code) and where it came from (original topic/partition/offset). Payloads are not printed;
'oncoimg tail DLQ --from-beginning' shows them.

With --outbox, lists instead the events each service's outbox relay set aside because the broker
can never accept them (too large for the topic even alone, or refused for good): service, outbox
row, topic, when, size and reason, from each service's GET /outbox/dead-letters. Neither keys nor
payloads are shown. An unreachable service is reported and makes the exit code 1.`,
  options: `${TOPIC_HELP}\n${OUTBOX_HELP}`,
  parse: parseDlqListOptions,
  async run({ brokers, security, topic, outboxServices }, context) {
    if (outboxServices) {
      return listOutboxDeadLetters(outboxServices, context);
    }
    const kafka = createCliKafka(brokers, security);
    const { topics, ranges } = await withAdmin(
      kafka,
      brokers,
      'reading dead-letter topics',
      async (admin) => {
        const found = await deadLetterTopics(admin, topic);
        return { topics: found, ranges: await rangesOf(admin, found) };
      },
    );
    if (topics.length === 0) {
      context.out(`no dead-letter topics (*${DEAD_LETTER_SUFFIX})`);
      return 0;
    }
    const found: ReadMessage[] = [];
    await readPartitions({
      kafka,
      brokers,
      ranges,
      signal: context.signal,
      onMessages: (messages) => {
        found.push(...messages);
        return Promise.resolve();
      },
    });
    // Partitions arrive in any order; the list reads in topic, partition and offset order.
    const rows = found
      .sort(
        (a, b) =>
          (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) ||
          a.partition - b.partition ||
          Number(BigInt(a.offset) - BigInt(b.offset)),
      )
      .map(deadLetterRow);
    if (rows.length === 0) {
      context.out(`no dead letters in ${topics.join(', ')}`);
      return 0;
    }
    context.out(formatTable(['DEAD LETTER', 'FAILED AT', 'ORIGINAL', 'ERROR', 'REASON'], rows));
    context.err(`${String(rows.length)} dead letter(s)`);
    return 0;
  },
});

export const dlqRedriveCommand = defineCommand({
  name: REDRIVE,
  summary: 'send dead letters back to their original topic, once',
  usage: 'dlq redrive [--topic DLQ] [--group G]',
  description: `Sends each dead letter back to its original topic, with its key, value and headers, minus the
dlq_* headers, plus '${REDRIVEN_FROM_HEADER}' (dlq-topic/partition/offset). Progress is committed in a
consumer group, so running it again sends only the dead letters that arrived since. Fix the cause
first: a message that fails again comes back to the dead-letter topic as a new dead letter.`,
  options: `${TOPIC_HELP}
  --group G          consumer group keeping the redrive's progress (default: ${DEFAULT_REDRIVE_GROUP})`,
  parse: parseDlqRedriveOptions,
  async run({ brokers, security, topic, group }, context) {
    const kafka = createCliKafka(brokers, security);
    const ranges = await withAdmin(kafka, brokers, 'reading dead-letter topics', async (admin) => {
      const topics = await deadLetterTopics(admin, topic);
      if (topics.length === 0) {
        return [];
      }
      const committed = new Map(
        (await admin.fetchOffsets({ groupId: group, topics })).flatMap(({ topic: t, partitions }) =>
          partitions
            .filter((p) => p.offset !== '-1')
            .map((p) => [`${t}:${String(p.partition)}`, BigInt(p.offset)] as const),
        ),
      );
      return rangesOf(admin, topics, (t, partition) => committed.get(`${t}:${String(partition)}`));
    });
    const pending = ranges.reduce((sum, r) => sum + (r.end === undefined ? 0n : r.end - r.start), 0n);
    if (pending === 0n) {
      context.out(`nothing to redrive: group ${group} has sent every dead letter already`);
      return 0;
    }

    let skipped = 0;
    return withProducer(kafka, brokers, async (republish) => {
      const result = await readPartitions({
        kafka,
        brokers,
        ranges,
        groupId: group,
        signal: context.signal,
        onMessages: async (messages) => {
          const byTopic = new Map<string, { message: ReadMessage; copy: Message }[]>();
          for (const message of messages) {
            const headers: Partial<Record<string, string>> = headersToStrings(message.headers);
            const target = headers[DLQ_HEADERS.originalTopic];
            if (target === undefined) {
              skipped += 1;
              context.err(`skipped ${where(message)}: no ${DLQ_HEADERS.originalTopic} header`);
              continue;
            }
            const copy = { key: message.key, value: message.value, headers: redrivenHeaders(message) };
            byTopic.set(target, [...(byTopic.get(target) ?? []), { message, copy }]);
          }
          for (const [target, items] of byTopic) {
            await republish(
              target,
              items.map((i) => i.copy),
              `sending dead letters back to ${target}`,
            );
            for (const { message } of items) {
              context.out(`${where(message)} → ${target}`);
            }
          }
        },
      });
      context.out(
        `redriven ${String(result.read - skipped)} dead letter(s)${skipped > 0 ? `, skipped ${String(skipped)}` : ''}`,
      );
      return skipped > 0 ? 1 : 0;
    });
  },
});
