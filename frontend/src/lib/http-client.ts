import { ApiError, parseRetryAfter } from './api-error';

/** HttpClientOptions configure the one HTTP client every API adapter of the SPA calls through. */
export interface HttpClientOptions {
  /** Base URL of the API, e.g. `http://localhost:8080` or `https://x.cloudfront.net/api`. */
  apiURL: string;
  /** Returns the current ID token, sent as `Authorization: Bearer` (the API checks aud = client ID). */
  getToken: () => string | undefined;
  /** Called when the API answers 401, so the app can ask the user to sign in again. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  /**
   * Give up on a request after this long (default 30 s). Polling never overlaps, so one request that
   * hangs (a dropped mobile connection) would otherwise stop the updates until the page is reloaded.
   */
  timeoutMs?: number;
}

/** The default of HttpClientOptions.timeoutMs. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** HttpResponse is a successful answer: its JSON body and its headers (for cursors). */
export interface HttpResponse<T> {
  data: T;
  headers: Headers;
  /** status is the HTTP status, for a route whose 200 and 201 mean different things. */
  status: number;
}

const fallbackMessages: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Your session has expired. Please sign in again.',
  403: 'This is not allowed.',
  404: 'Not found.',
  409: 'This conflicts with a change made elsewhere.',
  413: 'That is too large.',
  429: 'Too many requests. Please wait a moment and try again.',
};

/**
 * HttpClient calls Parley's API: JSON in and out, the bearer token, one timeout, and every failure as an
 * ApiError (`network` when no answer came, else the API's code and message with its Retry-After).
 */
export class HttpClient {
  private readonly base: string;

  constructor(private readonly options: HttpClientOptions) {
    this.base = options.apiURL.replace(/\/+$/, '');
  }

  /** get requests path (with its query) and returns the JSON body. */
  async get<T>(path: string): Promise<T> {
    return (await this.send<T>('GET', path)).data;
  }

  /** post sends body as JSON to path and returns the JSON body of the answer. */
  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.send<T>('POST', path, body)).data;
  }

  /** send is get or post with the answer's headers too. */
  async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await doFetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new ApiError('network', 'The server took too long to answer. Please try again.');
      }
      throw new ApiError('network', "Can't reach the server. Check your connection and try again.");
    }

    if (!response.ok) {
      const err = await toApiError(response);
      if (response.status === 401) this.options.onUnauthorized?.();
      throw err;
    }
    try {
      return { data: (await response.json()) as T, headers: response.headers, status: response.status };
    } catch {
      throw new ApiError('internal', 'The server sent an unreadable answer.', response.status);
    }
  }
}

/** toApiError turns an error response of the API into an ApiError with its code and message. */
export async function toApiError(response: Response): Promise<ApiError> {
  let code = '';
  let message = '';
  try {
    const data: unknown = await response.json();
    if (data && typeof data === 'object') {
      const rec = data as Record<string, unknown>;
      if (typeof rec.code === 'string') code = rec.code;
      if (typeof rec.message === 'string') message = rec.message;
    }
  } catch {
    // Not JSON (a gateway error page, say): fall back to the status.
  }
  if (!code) code = response.status === 401 ? 'unauthorized' : response.status >= 500 ? 'internal' : 'error';
  if (!message) message = fallbackMessages[response.status] ?? `The server answered ${response.status}.`;
  return new ApiError(code, message, response.status, parseRetryAfter(response.headers.get('Retry-After')));
}
