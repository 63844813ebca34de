import { resolve } from 'node:path';
import { ConfigError, readCommonConfig, type CommonServiceConfig, type Env } from '@oncoimg/service-runtime';

export { ConfigError };

/** Settings of the timeline service, read once at start-up by main.ts. */
export interface TimelineConfig extends CommonServiceConfig {
  groupId: string;
  unreportedAfterMs: number;
  /** The built web page; none served when undefined. */
  webRoot: string | undefined;
}

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
export function readTimelineConfig(env: Env, cwd: string = process.cwd()): TimelineConfig {
  const unreportedHours = Number(env.UNREPORTED_AFTER_HOURS ?? '24');
  if (!Number.isFinite(unreportedHours) || unreportedHours < 0) {
    throw new ConfigError('UNREPORTED_AFTER_HOURS', 'must be a number of hours ≥ 0');
  }
  return {
    ...readCommonConfig(
      env,
      { port: 8080, serviceName: 'timeline-service', schema: 'timeline_service' },
      cwd,
    ),
    groupId: env.KAFKA_GROUP_ID ?? 'oncoimg-timeline-service',
    unreportedAfterMs: unreportedHours * 3_600_000,
    webRoot: env.WEB_ROOT ? resolve(cwd, env.WEB_ROOT) : undefined,
  };
}
