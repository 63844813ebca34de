/**
 * Prints one line per timeline summary on imaging.timeline.v1.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 GROUP_ID=my-system FROM_BEGINNING=true npm start --workspace examples/timeline-consumer
 *
 * Signs in with KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD (and KAFKA_SSL,
 * KAFKA_SSL_CA_FILE) when set, as the services do.
 */
import { DEFAULT_TOPICS } from '@oncoimg/fhir-events';
import { kafkajsSecurity, readKafkaSecurity } from '@oncoimg/kafka';
import { formatSummaryLine } from './summary-line.ts';
import { createTimelineConsumer } from './timeline-consumer.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const groupId = process.env.GROUP_ID ?? 'oncoimg-timeline-consumer-example';
const fromBeginning = (process.env.FROM_BEGINNING ?? 'true') !== 'false';
const topic = process.env.TOPIC_TIMELINE ?? DEFAULT_TOPICS.timeline;

// Read once at start-up; a bad setting stops the program with a message naming it.
const security = kafkajsSecurity(readKafkaSecurity(process.env));

const consumer = createTimelineConsumer({
  brokers,
  security,
  groupId,
  topic,
  fromBeginning,
  onSummary: ({ summary }) => {
    console.log(formatSummaryLine(summary));
  },
  onInvalid: (error, { partition, offset }) => {
    // Position and reason only: the value of a bad message may hold anything.
    console.warn(`skipped partition ${partition} offset ${offset}: ${error.message}`);
  },
});

async function stop(): Promise<void> {
  await consumer.stop();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

await consumer.start();
console.log(
  `reading ${topic} on ${brokers.join(',')} as group ${groupId}${fromBeginning ? ' from the beginning' : ''}`,
);
