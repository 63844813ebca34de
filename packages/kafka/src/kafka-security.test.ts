import { describe, expect, it } from 'vitest';
import { kafkajsSecurity, kafkaSecurityEnv, readKafkaSecurity } from './kafka-security.ts';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

describe('Kafka security settings', () => {
  it('are PLAINTEXT without credentials when nothing is set', () => {
    expect(readKafkaSecurity({})).toEqual({});
    expect(kafkajsSecurity(readKafkaSecurity({}))).toEqual({});
  });

  it('sign in with SCRAM-SHA-512 by default when a user name and password are set', () => {
    const security = readKafkaSecurity({ KAFKA_SASL_USERNAME: 'tools', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(security).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'tools', password: 's3cret' } });
    expect(kafkajsSecurity(security).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'tools',
      password: 's3cret',
    });
  });

  it('name the setting that is wrong or missing', () => {
    expect(() =>
      readKafkaSecurity({
        KAFKA_SASL_MECHANISM: 'GSSAPI',
        KAFKA_SASL_USERNAME: 'a',
        KAFKA_SASL_PASSWORD: 'b',
      }),
    ).toThrow(/^KAFKA_SASL_MECHANISM must be one of SCRAM-SHA-512, SCRAM-SHA-256, PLAIN/);
    expect(() => readKafkaSecurity({ KAFKA_SASL_USERNAME: 'tools' })).toThrow(/^KAFKA_SASL_PASSWORD /);
    expect(() => readKafkaSecurity({ KAFKA_SASL_PASSWORD: 'x' })).toThrow(/^KAFKA_SASL_USERNAME /);
    expect(() => readKafkaSecurity({ KAFKA_SSL: 'yes' })).toThrow(/^KAFKA_SSL must be true or false/);
    expect(() => readKafkaSecurity({ KAFKA_SSL_CA_FILE: '/nope/ca.pem' }, noFile)).toThrow(
      /^KAFKA_SSL_CA_FILE cannot be read/,
    );
  });

  it('turn TLS on with a CA file, trusting only that CA', () => {
    const security = readKafkaSecurity({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, () => 'PEM');
    expect(security).toEqual({ ssl: { ca: 'PEM' } });
    expect(kafkajsSecurity(security).ssl).toEqual({ ca: ['PEM'] });
    expect(readKafkaSecurity({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
  });

  it('give a child process the same credentials', () => {
    const security = readKafkaSecurity({
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'order-service',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL: 'true',
    });
    expect(readKafkaSecurity(kafkaSecurityEnv(security))).toEqual(security);
  });
});
