import type { KafkaSecurity } from '@oncoimg/kafka';
import {
  checkTopicName,
  defineCommand,
  kafkaTarget,
  optionalWholeNumber,
  parseOptions,
  type Env,
} from '../command.ts';
import { formatMessage } from '../format.ts';
import { createCliKafka, requireTopics, withAdmin } from '../kafka-connection.ts';
import { readPartitions, type PartitionRange } from '../partition-reader.ts';

export interface TailOptions {
  brokers: string[];
  security: KafkaSecurity;
  topic: string;
  fromBeginning: boolean;
  /** Only messages with this key (the patient key: `system|value` or `Patient/id`). */
  patient: string | undefined;
  limit: number | undefined;
}

const NAME = 'tail';

export function parseTailOptions(args: string[], env: Env = {}): TailOptions {
  const { values, positional } = parseOptions(
    NAME,
    args,
    { 'from-beginning': { type: 'boolean' }, patient: { type: 'string' }, limit: { type: 'string' } },
    'topic',
  );
  const topic = checkTopicName(positional, 'topic', NAME);
  return {
    ...kafkaTarget(values.brokers, env, NAME),
    topic,
    fromBeginning: values['from-beginning'] ?? false,
    patient: values.patient,
    limit: optionalWholeNumber(values.limit, '--limit', NAME, 1),
  };
}

export const tailCommand = defineCommand({
  name: NAME,
  summary: 'print the events of a topic (key, offsets, CloudEvents headers, payload)',
  usage: 'tail <topic> [--from-beginning] [--patient KEY] [--limit N]',
  description: `Prints the events of a topic as they arrive: key, partition and offset, CloudEvents headers and the
JSON payload. Starts at the end of the topic unless --from-beginning; runs until Ctrl-C or --limit.
The output contains patient data (keys and payloads): it is for your terminal, not for logs.`,
  options: `  --from-beginning   read the topic from its first retained message
  --patient KEY      only events of this patient key (system|value, or Patient/id)
  --limit N          stop after N events`,
  parse: parseTailOptions,
  async run(options, context) {
    const { brokers, security, topic, patient } = options;
    const kafka = createCliKafka(brokers, security);
    const offsets = await withAdmin(kafka, brokers, `reading offsets of ${topic}`, async (admin) => {
      await requireTopics(admin, [topic]);
      return admin.fetchTopicOffsets(topic);
    });
    // "From the end" is the end when the command started, so nothing published after it is missed.
    const ranges: PartitionRange[] = offsets.map(({ partition, low, high }) => ({
      topic,
      partition,
      start: BigInt(options.fromBeginning ? low : high),
    }));
    const result = await readPartitions({
      kafka,
      brokers,
      ranges,
      limit: options.limit,
      signal: context.signal,
      filter: patient === undefined ? undefined : (message) => message.key?.toString('utf8') === patient,
      onReady: () => {
        context.err(
          `tailing ${topic} from the ${options.fromBeginning ? 'beginning' : 'end'}${options.limit === undefined ? '; Ctrl-C to stop' : ''}`,
        );
      },
      onMessages: (messages) => {
        for (const message of messages) {
          context.out(formatMessage(message));
        }
        return Promise.resolve();
      },
    });
    context.err(`${String(result.read)} event(s)`);
    return 0;
  },
});
