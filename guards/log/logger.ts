import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Fields that may ever carry customer content or secrets. pino removes them whatever the caller passes, so a
 * careless `log.info({ activity })` cannot leak text; the list is paths, not a content scan (DESIGN.md invariant 7).
 */
export const REDACTED_LOG_PATHS = [
  'text', '*.text', 'speak', '*.speak', 'value', '*.value', 'activity', '*.activity', 'attachments', '*.attachments',
  'from', '*.from', 'recipient', '*.recipient', 'conversation', '*.conversation', 'channelData', '*.channelData',
  'body', '*.body', 'headers', '*.headers', 'req.headers', 'authorization', '*.authorization', 'cookie', '*.cookie',
  'token', '*.token', 'otp', '*.otp', 'password', '*.password', 'secret', '*.secret', 'key', '*.key',
  'email', '*.email', 'phone', '*.phone', 'address', '*.address', 'name', '*.name', 'userId', 'conversationId',
  'message', 'err.message', 'error.message', 'err.stack', 'error.stack', 'stack',
];

/**
 * Control characters (CR/LF/ANSI escapes) are replaced in every string pino writes. pino's JSON encoding already
 * escapes CR/LF, so a forged line cannot appear in the JSON stream; this also protects pretty printers and
 * terminals that interpret escapes (ASVS 16.4.1).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
export function sanitizeLogString(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface LoggerOptions {
  level?: string;
  instance?: string;
  destination?: DestinationStream;
  /** Extra fields for every line, read at write time (the request's correlation id: http/requestContext.ts). */
  mixin?: () => Record<string, unknown>;
}

/** The shape of an error code: upper-case letters, digits and underscores, starting with a letter. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { instance: opts.instance ?? 'local' },
      messageKey: 'event',
      ...(opts.mixin ? { mixin: opts.mixin } : {}),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? sanitizeLogString(a) : a));
          method.apply(this, clean as Parameters<typeof method>);
        },
      },
      serializers: {
        // Errors are logged by code and name only: messages can embed user input or Redis replies.
        err: (e: unknown) => errorFields(e),
        // A top-level `code` is an error code (ERR_TURN_FAILED, ECONNREFUSED) and is kept; anything else under
        // that name (a careless `{ code: typedOtp }`) is censored.
        code: (c: unknown) => (typeof c === 'string' && ERROR_CODE.test(c) ? c : '[REDACTED]'),
      },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export function errorFields(e: unknown): { kind: string; code?: string } {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; code?: unknown };
    const name = typeof o.name === 'string' ? sanitizeLogString(o.name).slice(0, 64) : 'Error';
    const code = typeof o.code === 'string' ? sanitizeLogString(o.code).slice(0, 64) : undefined;
    return code ? { kind: name, code } : { kind: name };
  }
  return { kind: typeof e };
}
