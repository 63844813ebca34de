import type { KafkaSecurity } from '@oncoimg/kafka';
import { AssignerProtocol, type Admin } from 'kafkajs';
import { defineCommand, kafkaTarget, optionalTopicName, parseOptions, type Env } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatTable } from '../format.ts';
import { createCliKafka, withAdmin } from '../kafka-connection.ts';

export interface LagOptions {
  brokers: string[];
  security: KafkaSecurity;
  /** undefined: every consumer group. */
  group: string | undefined;
  topic: string | undefined;
}

const NAME = 'lag';

/** Throwaway groups of this CLI's own reads, not worth a row. */
const OWN_GROUP_PREFIX = 'oncoimg-cli-';

export function parseLagOptions(args: string[], env: Env = {}): LagOptions {
  const { values } = parseOptions(NAME, args, { group: { type: 'string' }, topic: { type: 'string' } });
  return {
    ...kafkaTarget(values.brokers, env, NAME),
    group: values.group,
    topic: optionalTopicName(values.topic, '--topic', NAME),
  };
}

/**
 * The lag rows of the groups, in one admin session: kafkajs caches topic metadata per client, so
 * scanning every topic for a group that has no member (to find where it committed) costs
 * milliseconds after the first group instead of a second each.
 */
async function lagRows(
  admin: Admin,
  groups: readonly string[],
  only: string | undefined,
): Promise<string[][]> {
  const allTopics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__')).sort();
  const endsOf = new Map<string, Promise<{ partition: number; low: string; high: string }[]>>();
  const ends = (topic: string) => {
    let found = endsOf.get(topic);
    if (!found) {
      found = admin.fetchTopicOffsets(topic);
      endsOf.set(topic, found);
    }
    return found;
  };
  const { groups: described } = await admin.describeGroups([...groups]);
  const rows: string[][] = [];
  for (const group of described) {
    const assigned = new Set<string>();
    for (const member of group.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const topic of Object.keys(decoded?.assignment ?? {})) {
        assigned.add(topic);
      }
    }
    const topics = (assigned.size > 0 ? [...assigned].sort() : allTopics).filter(
      (topic) => only === undefined || topic === only,
    );
    if (topics.length === 0) {
      continue;
    }
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics });
    for (const { topic, partitions } of committed.sort((a, b) => (a.topic < b.topic ? -1 : 1))) {
      // Without members, the topics of a group are those it committed on.
      if (assigned.size === 0 && partitions.every((p) => p.offset === '-1')) {
        continue;
      }
      const at = new Map(partitions.map((p) => [p.partition, p.offset]));
      for (const { partition, low, high } of (await ends(topic)).sort((a, b) => a.partition - b.partition)) {
        const offset = at.get(partition);
        const position = offset === undefined || offset === '-1' ? undefined : BigInt(offset);
        const lag = BigInt(high) - (position ?? BigInt(low));
        rows.push([
          group.groupId,
          topic,
          String(partition),
          position === undefined ? '-' : String(position),
          high,
          String(lag < 0n ? 0n : lag),
        ]);
      }
    }
  }
  return rows;
}

export const lagCommand = defineCommand({
  name: NAME,
  summary: 'print consumer group lag per topic and partition',
  usage: 'lag [--group G] [--topic T]',
  description: `Prints, per consumer group, topic and partition, the committed offset, the end offset and the lag
(messages not yet processed). A partition the group never committed on shows '-' and lags by all
the messages it still holds.
Topics are those the group's members are assigned, or, for a group with no member running, those
it committed offsets on.`,
  options: `  --group G          one consumer group (default: every consumer group)
  --topic T          only this topic`,
  parse: parseLagOptions,
  async run({ brokers, security, group, topic }, context) {
    const kafka = createCliKafka(brokers, security);
    const rows = await withAdmin(kafka, brokers, 'reading consumer lag', async (admin) => {
      const { groups } = await admin.listGroups();
      const known = groups
        .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
        .map((g) => g.groupId);
      if (group !== undefined && !known.includes(group)) {
        throw new CliError('NOT_FOUND', `consumer group ${group} does not exist`);
      }
      const chosen =
        group === undefined ? known.filter((g) => !g.startsWith(OWN_GROUP_PREFIX)).sort() : [group];
      return chosen.length === 0 ? [] : lagRows(admin, chosen, topic);
    });
    if (rows.length === 0) {
      context.out(
        group === undefined ? 'no consumer group has committed offsets' : `group ${group} has no offsets`,
      );
      return 0;
    }
    context.out(formatTable(['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'], rows));
    return 0;
  },
});
