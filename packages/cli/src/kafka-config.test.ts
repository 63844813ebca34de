import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { librdkafkaProperties, parseKafkaConfigOptions } from './commands/kafka-config.ts';

describe('oncoimg kafka-config', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oncoimg-kafka-config-'));
    const principals = { tools: { username: 'tools', password: 'tools-pw' } };
    await writeFile(
      join(dataDir, 'credentials.json'),
      JSON.stringify({ mechanism: 'SCRAM-SHA-512', principals }),
    );
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints the local broker's tools principal as librdkafka properties", () => {
    const options = parseKafkaConfigOptions([], { KAFKA_DATA_DIR: dataDir });
    expect(librdkafkaProperties(options)).toEqual([
      'bootstrap.servers=127.0.0.1:9092',
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanisms=SCRAM-SHA-512',
      'sasl.username=tools',
      'sasl.password=tools-pw',
    ]);
  });

  it('prefers the KAFKA_SASL_* settings, and says SASL_SSL with TLS', () => {
    const options = parseKafkaConfigOptions(['--brokers', 'kafka.hospital.example:9093'], {
      KAFKA_DATA_DIR: dataDir,
      KAFKA_SASL_USERNAME: 'oncoimg-tools',
      KAFKA_SASL_PASSWORD: 'from-vault',
      KAFKA_SSL: 'true',
    });
    expect(librdkafkaProperties(options)).toEqual([
      'bootstrap.servers=kafka.hospital.example:9093',
      'security.protocol=SASL_SSL',
      'sasl.mechanisms=SCRAM-SHA-512',
      'sasl.username=oncoimg-tools',
      'sasl.password=from-vault',
    ]);
  });

  it('never offers the local password to a broker on another machine', () => {
    const options = parseKafkaConfigOptions(['--brokers', 'kafka.hospital.example:9092'], {
      KAFKA_DATA_DIR: dataDir,
    });
    expect(librdkafkaProperties(options)).toEqual([
      'bootstrap.servers=kafka.hospital.example:9092',
      'security.protocol=PLAINTEXT',
    ]);
  });
});
