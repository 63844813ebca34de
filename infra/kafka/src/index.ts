export { KAFKA_VERSION } from './kafka-version.ts';
export { fetchKafka, kafkaLibsDir, type FetchKafkaOptions } from './fetch-kafka.ts';
export {
  kafkaAnswers,
  portAnswers,
  runningBrokerPid,
  saslFor,
  startKafkaBroker,
  stopKafkaBroker,
  type KafkaBroker,
  type KafkaBrokerOptions,
} from './kafka-broker.ts';
export { DEFAULT_CACHE_DIR, DEFAULT_DATA_DIR } from './paths.ts';
export {
  CREDENTIALS_FILE,
  PRINCIPALS,
  SASL_MECHANISM,
  completeCredentials,
  credentialsPath,
  readBrokerCredentials,
  type BrokerCredentials,
  type StoredCredentials,
  type Principal,
  type PrincipalCredentials,
} from './credentials.ts';
export { AUDIT_TOPIC, kafkaAclsArguments, localGrants, type Grant } from './acls.ts';
