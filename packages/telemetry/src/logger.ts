/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field values a log line may carry: scalars only, so a whole resource can never be logged by accident. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * Field names that may hold patient data. Their values are replaced, whatever the caller passed:
 * a log line is read by operators who must not see who was imaged.
 */
const PATIENT_DATA_FIELDS =
  /^(patient|patientkey|patient_key|subject|key|name|given|family|birthdate|identifier|mrn|accession|value|body|resource|payload|text|conclusion)$/i;

export const REDACTED = '[redacted]';

/** Removes values under field names that may carry patient data. */
export function redactFields(fields: LogFields): LogFields {
  const safe: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) {
      continue;
    }
    safe[name] = PATIENT_DATA_FIELDS.test(name) ? REDACTED : value;
  }
  return safe;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where JSON lines go; stderr keeps stdout free for a CLI's own output. */
  write?: (line: string) => void;
  fields?: LogFields;
}

/** A JSON-lines logger that redacts patient-data fields. */
export function createLogger({
  service,
  level = 'info',
  write = (line) => process.stderr.write(line + '\n'),
  fields = {},
}: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (lineLevel: LogLevel, message: string, extra: LogFields = {}): void => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) {
      return;
    }
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: lineLevel,
        service,
        msg: message,
        ...redactFields({ ...fields, ...extra }),
      }),
    );
  };
  return {
    debug: (m, f) => {
      emit('debug', m, f);
    },
    info: (m, f) => {
      emit('info', m, f);
    },
    warn: (m, f) => {
      emit('warn', m, f);
    },
    error: (m, f) => {
      emit('error', m, f);
    },
    child: (more) => createLogger({ service, level, write, fields: { ...fields, ...more } }),
  };
}

/** A logger that drops everything, for tests and libraries used without one. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Parses a LOG_LEVEL setting; the error names the setting so start-up fails with a clear reason. */
export function parseLogLevel(raw: string | undefined, setting = 'LOG_LEVEL'): LogLevel {
  if (raw === undefined || raw === '') {
    return 'info';
  }
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) {
    throw new Error(`${setting} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(raw)}`);
  }
  return level;
}
