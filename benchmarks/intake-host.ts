import { uniqueName } from '@oncoimg/testing';
import type { BenchConfig } from './config.ts';
import { forkServiceHost, type ServiceHost } from './host-client.ts';
import type { BenchAccess, DatabaseTarget } from './host-protocol.ts';
import { deleteTopics } from './topics.ts';

/**
 * Runs `use` against an order service started in its own process on a fresh topic named after
 * `topicPrefix`: the service is stopped if `use` throws (`use` stops it otherwise, for its usage
 * figures), and the topic is deleted either way. `use` gets the headers every request must send.
 */
export async function withIntakeHost<T>(
  config: BenchConfig,
  database: DatabaseTarget & { kind: 'pglite' | 'postgres' },
  execArgv: string[],
  topicPrefix: string,
  use: (host: ServiceHost, port: number, headers: { authorization: string }) => Promise<T>,
  access: BenchAccess = 'verified',
): Promise<T> {
  const host = forkServiceHost({ execArgv });
  const topic = uniqueName(topicPrefix);
  try {
    const { port, authorization } = await host.call(
      {
        type: 'start-intake',
        brokers: config.brokers,
        database,
        topic,
        access,
        groupCommit: config.intake.groupCommit,
      },
      'started',
    );
    return await use(host, port, { authorization });
  } catch (error) {
    await host.stop().catch(() => undefined);
    throw error;
  } finally {
    await deleteTopics(config.brokers, [topic]).catch(() => undefined);
  }
}
