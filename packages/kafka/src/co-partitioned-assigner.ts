import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** A group member as the assignment sees it: its id and the topics it subscribed to. */
export interface AssignableMember {
  memberId: string;
  topics: readonly string[];
}

/** Member id → topic → partition numbers, in ascending order. */
export type PartitionAssignment = Map<string, Map<string, number[]>>;

/**
 * Assigns partition number `p` of every topic to one member, as Kafka Streams does for
 * co-partitioned topics. Our intake topics are keyed by patient key and have the same partition
 * count, so one patient's order, study and report land on one member, which applies them one at
 * a time; the round-robin assigner would hand them to different members, which then race on the
 * patient's timeline.
 *
 * Members are ordered by id and partition numbers dealt out in turn, so the result is the same on
 * every member and balanced (the counts of partition numbers differ by at most one). A member that
 * did not subscribe to a topic gets none of its partitions: those go round-robin to the members
 * that did. Every partition of every topic is assigned exactly once.
 */
export function assignCoPartitioned(
  members: readonly AssignableMember[],
  partitionsPerTopic: ReadonlyMap<string, readonly number[]>,
): PartitionAssignment {
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  const assignment: PartitionAssignment = new Map(
    sorted.map((member) => [member.memberId, new Map<string, number[]>()]),
  );
  if (sorted.length === 0) {
    return assignment;
  }
  const numbers = [...new Set([...partitionsPerTopic.values()].flat())].sort((a, b) => a - b);
  const ownerOf = new Map(numbers.map((partition, index) => [partition, sorted[index % sorted.length]]));
  for (const topic of [...partitionsPerTopic.keys()].sort()) {
    const subscribers = sorted.filter((member) => member.topics.includes(topic));
    if (subscribers.length === 0) {
      continue;
    }
    const partitions = [...(partitionsPerTopic.get(topic) ?? [])].sort((a, b) => a - b);
    partitions.forEach((partition, index) => {
      const owner = ownerOf.get(partition);
      const member = owner?.topics.includes(topic) ? owner : subscribers[index % subscribers.length];
      const topics = assignment.get(member.memberId) as Map<string, number[]>;
      topics.set(topic, [...(topics.get(topic) ?? []), partition]);
    });
  }
  return assignment;
}

const ASSIGNER_NAME = 'OncoimgCoPartitioned';
const ASSIGNER_VERSION = 0;

/**
 * The kafkajs assigner of `assignCoPartitioned`. List it before round-robin (the consumer
 * runner does): during a rolling upgrade the group uses the first protocol all members support.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: ASSIGNER_NAME,
  version: ASSIGNER_VERSION,
  assign({ members, topics }) {
    const assignable = members.map(({ memberId, memberMetadata }) => ({
      memberId,
      topics: AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? topics,
    }));
    const partitionsPerTopic = new Map(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]),
    );
    const assignment = assignCoPartitioned(assignable, partitionsPerTopic);
    return Promise.resolve(
      [...assignment].map(([memberId, perTopic]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: ASSIGNER_VERSION,
          assignment: Object.fromEntries(perTopic),
          userData: Buffer.alloc(0),
        }),
      })),
    );
  },
  protocol({ topics }) {
    return {
      name: ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: ASSIGNER_VERSION,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});
