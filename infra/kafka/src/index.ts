export { KAFKA_VERSION } from './kafka-version.ts';
export { fetchKafka, kafkaLibsDir, type FetchKafkaOptions } from './fetch-kafka.ts';
export {
  kafkaAnswers,
  portAnswers,
  runningBrokerPid,
  startKafkaBroker,
  stopKafkaBroker,
  type KafkaBroker,
  type KafkaBrokerOptions,
} from './kafka-broker.ts';
export { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from './paths.ts';
