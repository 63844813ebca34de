import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** infra/kafka: the Maven project and its git-ignored cache live here. */
export const KAFKA_INFRA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CACHE_DIR = join(KAFKA_INFRA_DIR, '.cache');
/** Default broker data (KRaft log dirs, pid and log files): the repo's git-ignored .data folder. */
export const DEFAULT_DATA_DIR = join(KAFKA_INFRA_DIR, '..', '..', '.data', 'kafka');
