import {
  parseRetryAfter,
  ApiError,
  type AckInput,
  type AddContactInput,
  type AddMessageInput,
  type ChatAPI,
  type ChatEvent,
  type ConnectionState,
  type Contact,
  type GetMessagesQuery,
  type Message,
  type Watermarks,
} from './chat-api';
import { browserConnectivity, RealtimeSocket, type RealtimeSocketOptions } from './realtime-socket';

export interface RestChatAPIOptions {
  /** Base URL of the API, e.g. `http://localhost:8080` or `https://x.cloudfront.net/api`. */
  apiURL: string;
  /** Returns the current ID token (the API checks aud = client ID, so not the access token). */
  getToken: () => string | undefined;
  /** Called when the API answers 401, so the app can ask the user to sign in again. */
  onUnauthorized?: () => void;
  /** The signed-in user's email. */
  me?: string;
  fetch?: typeof fetch;
  /**
   * Give up on a request after this long (default 30 s). Polling never overlaps, so one request that
   * hangs (a dropped mobile connection) would otherwise stop the updates until the page is reloaded.
   */
  timeoutMs?: number;
  /** The WebSocket endpoint (`wsURL` of config.json); without it the push side stays closed and views poll. */
  wsURL?: string;
  /** Replaces parts of the socket client (tests hand in a fake WebSocket and timers). */
  socket?: Partial<Pick<RealtimeSocketOptions, 'createSocket' | 'connectivity' | 'random' | 'timing'>>;
}

/** The response header that carries the cursor of the next page of get-contacts. */
const NEXT_CURSOR_HEADER = 'X-Next-Cursor';
/** A bound on the pages followed: 100 pages of 1000 contacts. */
const MAX_CONTACT_PAGES = 100;

function byRecentActivity(a: Contact, b: Contact): number {
  const byActivity = (b.lastActivity ?? '').localeCompare(a.lastActivity ?? '');
  return byActivity || a.email.localeCompare(b.email);
}

/** How long the connection stays open after the last listener left (React remounts listeners at once). */
const LINGER_MS = 1000;

const fallbackMessages: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Your session has expired. Please sign in again.',
  403: 'This is not allowed.',
  404: 'Not found.',
  409: 'This conflicts with a change made elsewhere.',
  413: 'That is too large.',
  429: 'Too many requests. Please wait a moment and try again.',
};

/** RestChatAPI is the ChatAPI adapter for the Parley REST API. */
export class RestChatAPI implements ChatAPI {
  readonly me?: string;
  private readonly base: string;
  private readonly options: RestChatAPIOptions;
  private readonly socket?: RealtimeSocket;
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private lingerTimer?: ReturnType<typeof setTimeout>;

  constructor(options: RestChatAPIOptions) {
    this.options = options;
    this.me = options.me;
    this.base = options.apiURL.replace(/\/+$/, '');
    if (options.wsURL) {
      this.socket = new RealtimeSocket({
        connectivity: browserConnectivity(),
        ...options.socket,
        url: options.wsURL,
        getToken: options.getToken,
        onEvent: (event) => {
          for (const listener of [...this.listeners]) listener(event);
        },
      });
    }
  }

  get connection(): ConnectionState {
    return this.socket?.state ?? 'closed';
  }

  subscribe(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    clearTimeout(this.lingerTimer);
    this.socket?.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      clearTimeout(this.lingerTimer);
      this.lingerTimer = setTimeout(() => {
        if (this.listeners.size === 0) this.socket?.stop();
      }, LINGER_MS);
    };
  }

  typing(to: string): void {
    this.socket?.send({ action: 'typing', to });
  }

  /** renewConnection replaces the WebSocket with one made with the current token (call it after a renewal). */
  renewConnection(): void {
    this.socket?.renew();
  }

  /** close closes the WebSocket for good (sign-out). */
  close(): void {
    clearTimeout(this.lingerTimer);
    this.listeners.clear();
    this.socket?.stop();
  }

  addContact(input: AddContactInput): Promise<Contact> {
    return this.request<Contact>('POST', '/add-contact', { email: input.email, name: input.name });
  }

  /**
   * Every contact, most recent activity first. The API pages its contact list by key (a page at most 1000, the
   * next page's cursor in the X-Next-Cursor header), so this follows the cursor and sorts the whole list.
   */
  async getContacts(): Promise<Contact[]> {
    const contacts: Contact[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_CONTACT_PAGES; page++) {
      const path: string = cursor ? `/get-contacts?${new URLSearchParams({ cursor }).toString()}` : '/get-contacts';
      const { data, headers } = await this.send<Contact[]>('GET', path);
      if (!Array.isArray(data)) throw new ApiError('internal', 'The server sent an unreadable answer.');
      contacts.push(...data);
      cursor = headers.get(NEXT_CURSOR_HEADER);
      if (!cursor) break;
    }
    return contacts.sort(byRecentActivity);
  }

  blockContact(email: string): Promise<Contact> {
    return this.request<Contact>('POST', '/block-contact', { email });
  }

  unblockContact(email: string): Promise<Contact> {
    return this.request<Contact>('POST', '/unblock-contact', { email });
  }

  reportContact(email: string, report: string): Promise<Contact> {
    return this.request<Contact>('POST', '/report-contact', { email, report });
  }

  addMessage(input: AddMessageInput): Promise<Message> {
    const body: Record<string, string> = {
      recipientNamespace: input.recipientNamespace,
      message: input.message,
    };
    if (input.clientId) body.clientId = input.clientId;
    return this.request<Message>('POST', '/add-message', body);
  }

  getMessages(query: GetMessagesQuery): Promise<Message[]> {
    const params = new URLSearchParams({ recipientNamespace: query.recipientNamespace });
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.before) params.set('before', query.before);
    if (query.after) params.set('after', query.after);
    return this.request<Message[]>('GET', `/get-messages?${params.toString()}`);
  }

  ack(input: AckInput): Promise<Watermarks> {
    return this.request<Watermarks>('POST', '/ack', {
      recipientNamespace: input.recipientNamespace,
      upTo: input.upTo,
      ...(input.read ? { read: true } : {}),
    });
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return (await this.send<T>(method, path, body)).data;
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
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
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
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
      return { data: (await response.json()) as T, headers: response.headers };
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
