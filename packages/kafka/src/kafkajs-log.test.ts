import { createRequire } from 'node:module';
import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  SELF_RESOLVING_KAFKA_ERRORS,
  crashLogLevel,
  isSelfResolvingKafkaError,
  kafkajsLogLevel,
} from './kafkajs-log.ts';

/** A log entry as kafkajs hands it to a log creator. */
function entry(level: logLevel, message: string, extra: Record<string, unknown> = {}): LogEntry {
  return {
    namespace: 'Connection',
    level,
    label: logLevel[level],
    log: { timestamp: '2025-02-01T08:00:00.000Z', logger: 'kafkajs', message, ...extra },
  };
}

/** A protocol error as kafkajs throws it (KafkaJSProtocolError carries type, code and retriable). */
function protocolError(type: string, retriable: boolean, cause?: unknown) {
  return Object.assign(new Error('from the broker'), {
    name: 'KafkaJSProtocolError',
    type,
    retriable,
    cause,
  });
}

const loading = SELF_RESOLVING_KAFKA_ERRORS.GROUP_LOAD_IN_PROGRESS;

describe('kafkajs log levels', () => {
  it('logs a coordinator that is still loading at start as a warning, not an error', () => {
    const line = entry(logLevel.ERROR, 'Response FindCoordinator(key: 10, version: 2)', {
      broker: '127.0.0.1:9092',
      clientId: 'timeline-service',
      error: loading,
      correlationId: 1,
      size: 60,
    });
    expect(kafkajsLogLevel(line)).toBe('warn');
  });

  it('logs every self-resolving broker answer as a warning', () => {
    for (const message of Object.values(SELF_RESOLVING_KAFKA_ERRORS)) {
      expect(
        kafkajsLogLevel(entry(logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', { error: message })),
      ).toBe('warn');
    }
  });

  it('logs a crash on a loading coordinator, and the restart after it, as warnings', () => {
    const crash = entry(logLevel.ERROR, `Crash: KafkaJSProtocolError: ${loading}`, { groupId: 'timeline' });
    const restart = entry(logLevel.ERROR, 'Restarting the consumer in 300ms', { groupId: 'timeline' });
    expect(kafkajsLogLevel(crash)).toBe('warn');
    expect(kafkajsLogLevel(restart)).toBe('warn');
  });

  it('keeps real failures at error', () => {
    const failures = [
      entry(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
        error: 'The request included a message larger than the max message size the server will accept',
      }),
      entry(
        logLevel.ERROR,
        'Failed to connect to seed broker, trying another broker from the list: Connection error',
      ),
      entry(logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: Topic authorization failed'),
      entry(logLevel.ERROR, 'Response SaslAuthenticate(key: 36, version: 1)', {
        error: 'Request is not valid given the current SASL state',
      }),
    ];
    for (const line of failures) {
      expect(kafkajsLogLevel(line)).toBe('error');
    }
  });

  it('keeps warnings as warnings and demotes everything below to debug', () => {
    expect(kafkajsLogLevel(entry(logLevel.WARN, 'Could not delete topics'))).toBe('warn');
    expect(kafkajsLogLevel(entry(logLevel.INFO, 'Starting'))).toBe('debug');
    expect(kafkajsLogLevel(entry(logLevel.DEBUG, 'Request Metadata'))).toBe('debug');
  });

  it('logs the limited-retries warning of the idempotent producer at debug: the relay retries itself', () => {
    const line = entry(
      logLevel.WARN,
      'Limiting retries for the idempotent producer may invalidate EoS guarantees',
    );
    expect(kafkajsLogLevel(line)).toBe('debug');
  });

  it('uses the messages kafkajs gives these errors, so an upgrade that changes them fails here', () => {
    const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: { type: string; message: string }[];
    };
    for (const [type, message] of Object.entries(SELF_RESOLVING_KAFKA_ERRORS)) {
      expect(errorCodes.find((code) => code.type === type)?.message, type).toBe(message);
    }
  });
});

describe('consumer crash levels', () => {
  it('treats a self-resolving protocol error as self-resolving, also wrapped in retries-exceeded', () => {
    expect(isSelfResolvingKafkaError(protocolError('GROUP_COORDINATOR_NOT_AVAILABLE', true))).toBe(true);
    const wrapped = Object.assign(new Error(loading), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: protocolError('GROUP_LOAD_IN_PROGRESS', true),
    });
    expect(isSelfResolvingKafkaError(wrapped)).toBe(true);
  });

  it('does not treat other errors as self-resolving', () => {
    expect(isSelfResolvingKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toBe(false);
    expect(isSelfResolvingKafkaError(new Error(loading))).toBe(false);
    expect(isSelfResolvingKafkaError(undefined)).toBe(false);
  });

  it('warns when kafkajs restarts the consumer after a self-resolving error, and errs otherwise', () => {
    const coordinator = protocolError('NOT_COORDINATOR_FOR_GROUP', true);
    expect(crashLogLevel(coordinator, true)).toBe('warn');
    expect(crashLogLevel(coordinator, false)).toBe('error');
    expect(crashLogLevel(protocolError('UNKNOWN', false), true)).toBe('error');
  });
});
