/** The error every API adapter throws, and what the views need to read one. */

/** Stable error codes of the API, plus `network` for a request that never got an answer. */
export type ApiErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'blocked'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'throttled'
  | 'suspended'
  | 'unavailable'
  | 'internal'
  | 'network'
  | (string & {});

/** ApiError is what every adapter throws: the code is stable, the message is for people. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** How long the server asked to wait before trying again (its Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ApiErrorCode, message: string, status = 0, retryAfterMs?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** retryAfterMs reads a Retry-After header (seconds, or an HTTP date) as milliseconds from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** errorMessage returns a message fit to show a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

/** errorCode returns the ApiError code of err, or `internal`. */
export function errorCode(err: unknown): ApiErrorCode {
  return err instanceof ApiError ? err.code : 'internal';
}
