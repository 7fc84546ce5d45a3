import { HttpClient, type HttpClientOptions } from '../lib/http-client';
import {
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
import type { ExportLink } from '../features/account/api/account-api';
import { RestChannelsAPI } from '../features/channels/api/channels-api';
import { RestNotificationsAPI } from '../features/notifications/api/notifications-api';
import { browserConnectivity, RealtimeSocket, type RealtimeSocketOptions } from '../features/realtime/api/realtime-socket';

export interface RestChatAPIOptions extends HttpClientOptions {
  /** The signed-in user's email. */
  me?: string;
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

/** RestChatAPI is the ChatAPI adapter for the Parley REST API. */
export class RestChatAPI implements ChatAPI {
  readonly me?: string;
  readonly channels: RestChannelsAPI;
  readonly notifications: RestNotificationsAPI;
  private readonly http: HttpClient;
  /** What this tab last said of its visibility, said again on every new connection. */
  private visible = false;
  private readonly socket?: RealtimeSocket;
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private lingerTimer?: ReturnType<typeof setTimeout>;

  constructor(options: RestChatAPIOptions) {
    this.me = options.me;
    this.http = new HttpClient(options);
    this.channels = new RestChannelsAPI(this.http);
    this.notifications = new RestNotificationsAPI(this.http);
    if (options.wsURL) {
      this.socket = new RealtimeSocket({
        connectivity: browserConnectivity(),
        ...options.socket,
        url: options.wsURL,
        getToken: options.getToken,
        onEvent: (event) => {
          if (event.type === 'connection' && event.state === 'open' && this.visible) {
            this.socket?.send({ action: 'visibility', visible: true });
          }
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

  visibility(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    this.socket?.send({ action: 'visibility', visible });
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
      const { data, headers } = await this.http.send<Contact[]>('GET', path);
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

  exportAccount(): Promise<ExportLink> {
    return this.request<ExportLink>('POST', '/export', {});
  }

  async deleteAccount(confirm: string): Promise<void> {
    await this.request<unknown>('POST', '/delete-account', { confirm });
  }

  deleteMessage(input: { recipientNamespace: string; id: string }): Promise<Message> {
    return this.request<Message>('POST', '/delete-message', { recipientNamespace: input.recipientNamespace, id: input.id });
  }

  ack(input: AckInput): Promise<Watermarks> {
    return this.request<Watermarks>('POST', '/ack', {
      recipientNamespace: input.recipientNamespace,
      upTo: input.upTo,
      ...(input.read ? { read: true } : {}),
    });
  }

  private request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return method === 'GET' ? this.http.get<T>(path) : this.http.post<T>(path, body);
  }
}
