/**
 * What the timeline topic carried: every patient's current timeline version published, and no
 * (patient, version) published twice with different content. A relay that publishes the same
 * outbox row again after a crash repeats the same value, which is allowed (at least once).
 */
import { authFetch, readTopic } from '@oncoimg/testing';

/** The outbox relay publishes within a second or two; a loaded machine may need more. */
const PUBLISHED_TIMEOUT_MS = 60_000;

export interface PublishedVersions {
  messages: number;
  /** `patient@version` published with two different contents. */
  conflicts: string[];
}

interface TimelineEventValue {
  patientKey: string;
  timelineVersion: number;
  updatedAt?: string;
}

async function currentVersion(timelineBase: string, patientKey: string): Promise<number> {
  const res = await authFetch(`${timelineBase}/api/patients/${encodeURIComponent(patientKey)}/timeline`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) {
    throw new Error(`timeline of ${patientKey} answered ${String(res.status)}`);
  }
  return ((await res.json()) as { timelineVersion: number }).timelineVersion;
}

/**
 * Reads the timeline topic from the beginning until every patient's current version is on it,
 * then reports the versions published twice with different content (`updatedAt` aside: it is
 * the time of the transaction, not content).
 */
export async function readPublishedVersions(
  brokers: string,
  topic: string,
  timelineBase: string,
  patientKeys: readonly string[],
): Promise<PublishedVersions> {
  const wanted = new Map<string, number>();
  for (const key of patientKeys) {
    wanted.set(key, await currentVersion(timelineBase, key));
  }
  const reader = await readTopic([brokers], topic);
  try {
    const deadline = Date.now() + PUBLISHED_TIMEOUT_MS;
    const contents = new Map<string, Set<string>>();
    let seen = 0;
    for (;;) {
      for (; seen < reader.messages.length; seen += 1) {
        const raw = reader.messages[seen]?.value?.toString() ?? '{}';
        const { updatedAt: _at, ...content } = JSON.parse(raw) as TimelineEventValue;
        const id = `${content.patientKey}@${String(content.timelineVersion)}`;
        contents.set(id, (contents.get(id) ?? new Set()).add(JSON.stringify(content)));
      }
      const missing = [...wanted].filter(([key, version]) => !contents.has(`${key}@${String(version)}`));
      if (missing.length === 0) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timeline versions never published: ${missing.map(([k, v]) => `${k}@${String(v)}`).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const conflicts = [...contents].filter(([, values]) => values.size > 1).map(([id]) => id);
    return { messages: reader.messages.length, conflicts };
  } finally {
    await reader.stop();
  }
}
