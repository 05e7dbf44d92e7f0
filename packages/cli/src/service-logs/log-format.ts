/** pino's numeric levels, as its own labels. */
const PINO_LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One log event as a person reads it. A pino JSON line becomes
 * `<time> <LEVEL> [<request id>] <message>` (with the error's message when it
 * carries one); any other line (nginx, a crash before the logger started) is
 * shown as it is.
 *
 * @param message the event's message as CloudWatch Logs stores it (one line the container wrote)
 */
export function formatLogMessage(message: string): string {
  const line = message.replace(/\r?\n$/, '');
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  if (!('level' in record) && !('msg' in record)) return line;
  const time = formatTime(record.time);
  const level = formatLevel(record.level);
  const requestId = stringField(record.requestId) ?? stringField(record.reqId) ?? nestedId(record.req);
  const text = stringField(record.msg) ?? stringField(record.message) ?? '';
  const error = errorMessage(record.err);
  return [time, level.padEnd(5), requestId ? `[${requestId}]` : undefined, text, error ? `(${error})` : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

function formatTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string') return value;
  return undefined;
}

function formatLevel(value: unknown): string {
  if (typeof value === 'number') return PINO_LEVELS[value] ?? String(value);
  if (typeof value === 'string') return value.toUpperCase();
  return '-';
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function nestedId(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? stringField((value as { id?: unknown }).id) : undefined;
}

function errorMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, message } = value as { type?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  return typeof type === 'string' ? `${type}: ${message}` : message;
}
