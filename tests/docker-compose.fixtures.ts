/**
 * What the docker-compose tests share: docker-compose.yml as Compose reads it, the operating contract's
 * ports, image pinning and .dockerignore matching. Test support only.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';

export const root = join(import.meta.dirname, '..');
export const read = (path: string): string => readFileSync(join(root, path), 'utf8');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string | number> };
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

// Compose resolves YAML merge keys (`<<: *app-environment`); the yaml package does so only when asked.
export const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Partial<Record<string, ComposeService>>;
};

export function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) {
    throw new Error(`docker-compose.yml has no service ${name}`);
  }
  return found;
}

/** The operating contract's ports (/work/shared/DESIGN.md, README). */
export const APP_PORTS: Record<string, number> = {
  'timeline-service': 8080,
  'order-service': 8081,
  'study-service': 8082,
  'report-service': 8083,
  'subscription-service': 8084,
};
export const APPS = Object.keys(APP_PORTS);

export function isPinned(image: string): boolean {
  const tag = /:([^:/@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && /\d/.test(tag);
}

// ---- .dockerignore -----------------------------------------------------------------------------

/** Docker's matching, enough for this file: `*`, `?`, `**`, directories exclude their contents, `!` re-includes. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = posix.normalize(line.replace(/^!/, '').replace(/^\//, '')).replace(/\/$/, '');
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { include, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) {
      if (prefixes.some((p) => rule.regex.test(p))) {
        ignored = !rule.include;
      }
    }
    return ignored;
  };
}

export const ignored = dockerignore(read('.dockerignore'));
