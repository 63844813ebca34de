/**
 * A Kafka message as a consumer hands it to its handler: key and header values decoded to strings,
 * the value left as bytes for the handler to decode. The one shape the consumer runner, the
 * consumers and the test personas share.
 */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}
