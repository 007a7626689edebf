/**
 * Operational logs go to stderr; stdout belongs to the data. One JSON object per line when
 * stderr is not a TTY (for log collectors), a short human line otherwise.
 *
 * Callers must never pass secrets in `fields`: config values that are secrets are redacted by
 * config/redact.ts before anything logs them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: 'json' | 'text';
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const threshold = rank[options.level];

  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (rank[level] < threshold) return;
    const time = new Date(now()).toISOString();
    if (options.format === 'json') {
      write(JSON.stringify({ time, level, msg: message, ...fields }) + '\n');
      return;
    }
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extra ? ' ' + extra : ''}\n`);
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** For tests and library use: remembers every entry. */
export function createMemoryLogger(): Logger & {
  readonly entries: { level: LogLevel; message: string; fields?: LogFields }[];
} {
  const entries: { level: LogLevel; message: string; fields?: LogFields }[] = [];
  const push = (level: LogLevel) => (message: string, fields?: LogFields) => {
    entries.push(fields ? { level, message, fields } : { level, message });
  };
  return { entries, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
