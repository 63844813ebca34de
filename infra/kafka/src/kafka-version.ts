/**
 * The Apache Kafka broker version this project runs without Docker. Pinned: the newest release
 * with which the whole suite passes on kafkajs 2.2.4 (see ../README.md for what was checked).
 */
export const KAFKA_VERSION = '4.4.0';
