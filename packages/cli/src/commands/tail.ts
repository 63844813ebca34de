import {
  BROKERS_HELP,
  COMMON_OPTIONS,
  exactlyOnePositional,
  parseCommandLine,
  parseWholeNumber,
  resolveBrokers,
  checkTopicName,
  type Command,
} from '../command.ts';
import { formatMessage } from '../format.ts';
import { createCliKafka, requireTopics, withAdmin } from '../kafka-connection.ts';
import { readPartitions, type PartitionRange } from '../partition-reader.ts';

export interface TailOptions {
  brokers: string[];
  topic: string;
  fromBeginning: boolean;
  /** Only messages with this key (the patient key: `system|value` or `Patient/id`). */
  patient: string | undefined;
  limit: number | undefined;
}

const NAME = 'tail';

export const TAIL_HELP = `Usage: oncoimg tail <topic> [--from-beginning] [--patient KEY] [--limit N]

Prints the events of a topic as they arrive: key, partition and offset, CloudEvents headers and the
JSON payload. Starts at the end of the topic unless --from-beginning; runs until Ctrl-C or --limit.
The output contains patient data (keys and payloads): it is for your terminal, not for logs.

Options:
  --from-beginning   read the topic from its first retained message
  --patient KEY      only events of this patient key (system|value, or Patient/id)
  --limit N          stop after N events
${BROKERS_HELP}
  -h, --help         show this help
`;

export function parseTailOptions(
  args: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): TailOptions {
  const { values, positionals } = parseCommandLine(NAME, {
    args,
    allowPositionals: true,
    options: {
      ...COMMON_OPTIONS,
      'from-beginning': { type: 'boolean' },
      patient: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const topic = checkTopicName(exactlyOnePositional(positionals, 'topic', NAME), 'topic', NAME);
  return {
    brokers: resolveBrokers(values.brokers, env, NAME),
    topic,
    fromBeginning: values['from-beginning'] ?? false,
    patient: values.patient,
    limit: values.limit === undefined ? undefined : parseWholeNumber(values.limit, '--limit', NAME, 1),
  };
}

export const tailCommand: Command = {
  name: NAME,
  summary: 'print the events of a topic (key, offsets, CloudEvents headers, payload)',
  help: TAIL_HELP,
  async run(args, context) {
    const options = parseTailOptions(args, context.io.env);
    const { brokers, topic, patient } = options;
    const kafka = createCliKafka(brokers);
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
        for (const message of messages) context.out(formatMessage(message));
        return Promise.resolve();
      },
    });
    context.err(`${String(result.read)} event(s)`);
    return 0;
  },
};
