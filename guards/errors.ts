/**
 * One registry of error codes. Codes are stable and may appear in logs and HTTP bodies; messages never leave the
 * process (DESIGN.md invariant 7).
 */
export const ErrorCodes = {
  ERR_CONFIG_INVALID: 'configuration is invalid',
  ERR_CONFIG_KEY_MISSING: 'a required key is missing',
  ERR_CRYPTO_DECRYPT: 'decryption operation failed',
  ERR_CRYPTO_ENVELOPE_TOO_LARGE: 'envelope exceeds the size cap',
  ERR_CRYPTO_KEY_UNKNOWN: 'no key for this key id',
  ERR_CRYPTO_KEY_DESTROYED: 'the data key was destroyed',
  ERR_STORAGE_UNAVAILABLE: 'storage is unavailable',
  ERR_STORAGE_ETAG_CONFLICT: 'storage eTag conflict',
  ERR_STORAGE_TIMEOUT: 'storage command timed out',
  ERR_HTTP_BAD_REQUEST: 'bad request',
  ERR_HTTP_UNSUPPORTED_MEDIA: 'unsupported media type',
  ERR_HTTP_TOO_LARGE: 'payload too large',
  ERR_HTTP_RATE_LIMITED: 'too many requests',
  ERR_TURN_FAILED: 'the turn failed',
  ERR_REDACTION_FAILED: 'redaction failed',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class GuardError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, options?: { cause?: unknown }) {
    super(ErrorCodes[code], options);
    this.name = 'GuardError';
    this.code = code;
  }
}

export function isGuardError(e: unknown, code?: ErrorCode): e is GuardError {
  return e instanceof GuardError && (code === undefined || e.code === code);
}
