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
  ERR_IDENTITY_DIRECTORY_UNAVAILABLE: 'the customer directory is unavailable',
  ERR_IDENTITY_DIRECTORY_BAD_RESPONSE: 'the customer directory answered something unexpected',
  ERR_IDENTITY_DELIVERY_FAILED: 'a verification code could not be delivered',
  ERR_IDENTITY_TOKEN_INVALID: 'the identity token was refused',
  ERR_IDENTITY_NOTICE_TAMPERED: 'a privacy notice text does not match its recorded hash',
  ERR_AUDIT_APPEND_FAILED: 'the audit event could not be appended',
  ERR_STAFF_INVALID: 'the staff account input is invalid',
  ERR_STAFF_EXISTS: 'a staff account with this address exists',
  ERR_HANDOFF_NOT_FOUND: 'no such handoff for this agent',
  ERR_HANDOFF_DELIVERY_FAILED: 'a message could not be delivered to the customer',
  ERR_DSR_NOT_FOUND: 'no such data-subject request or export link',
  ERR_DSR_JOB_FAILED: 'a data-subject request step failed',
  ERR_DIRECTORY_UPDATE_REFUSED: 'the customer directory refused the change',
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
