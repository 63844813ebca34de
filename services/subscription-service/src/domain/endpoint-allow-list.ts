/**
 * Which rest-hook endpoints a Subscription may name. Without this check a client could make the
 * server POST to any address it can reach (SSRF: the database port, a cloud metadata service).
 *
 * Rules (SUBSCRIPTION_ENDPOINT_ALLOW_LIST, comma-separated):
 * - an origin `https://ehr.example.org` or `http://127.0.0.1:9000`: that scheme, host and port;
 *   port `*` allows any port of that host (`http://127.0.0.1:*`, for local receivers);
 * - a host pattern without a scheme, `ehr.example.org`, `pacs.example:8443` or `*.hospital.example`:
 *   https only, on the port given or any (`*.` matches one or more labels, not the bare domain).
 */
export interface AllowRule {
  /** undefined: https only. */
  protocol: 'http:' | 'https:' | undefined;
  /** A host name, or a suffix `.hospital.example` when `wildcard`. */
  host: string;
  wildcard: boolean;
  /** undefined: any port. */
  port: string | undefined;
  text: string;
}

function defaultPort(protocol: string): string {
  return protocol === 'http:' ? '80' : '443';
}

// Optional groups are undefined when they do not take part in the match.
type Groups = Partial<Record<string, string>>;
const ORIGIN: { exec(text: string): { groups?: Groups } | null } =
  /^(?<scheme>https?):\/\/(?<host>[^/:*]+|\[[0-9a-fA-F:]+\])(?::(?<port>\d{1,5}|\*))?\/?$/;
const HOST_PATTERN: { exec(text: string): { groups?: Groups } | null } =
  /^(?<wildcard>\*\.)?(?<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?<port>\d{1,5}))?$/i;

/** Parses the allow-list; throws an Error naming the first entry that is not a rule. */
export function parseAllowList(text: string): AllowRule[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): AllowRule => {
      const origin = ORIGIN.exec(entry)?.groups;
      if (origin) {
        const protocol = `${origin.scheme ?? ''}:` as 'http:' | 'https:';
        const port = origin.port === '*' ? undefined : (origin.port ?? defaultPort(protocol));
        return { protocol, host: (origin.host ?? '').toLowerCase(), wildcard: false, port, text: entry };
      }
      const pattern = HOST_PATTERN.exec(entry)?.groups;
      if (pattern) {
        const host = (pattern.host ?? '').toLowerCase();
        const wildcard = pattern.wildcard !== undefined;
        return {
          protocol: undefined,
          host: wildcard ? `.${host}` : host,
          wildcard,
          port: pattern.port,
          text: entry,
        };
      }
      throw new Error(
        `entry ${JSON.stringify(entry)} is neither an origin (https://host[:port], port * for any) nor a host pattern (host or *.domain)`,
      );
    });
}

/**
 * Whether `endpoint` is an http(s) URL without credentials that a rule allows. The endpoint's host
 * is compared as written (lower case): a name is not resolved here.
 */
export function endpointAllowed(endpoint: string, rules: readonly AllowRule[]): boolean {
  if (!URL.canParse(endpoint)) {
    return false;
  }
  const url = new URL(endpoint);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    return false;
  }
  const host = url.hostname.toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  return rules.some((rule) => {
    if ((rule.protocol ?? 'https:') !== url.protocol) {
      return false;
    }
    if (rule.port !== undefined && rule.port !== port) {
      return false;
    }
    return rule.wildcard ? host.endsWith(rule.host) && host.length > rule.host.length : host === rule.host;
  });
}
