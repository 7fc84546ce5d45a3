import { ApiError } from './chat-api';
import { toApiError } from './rest-chat-api';

/** Channel is a public feed the caller created (POST /create-channel). */
export interface Channel {
  channel: string;
  title: string;
  owner: string;
  createdAt: string;
  /** The path of its public snapshot. */
  feed: string;
}

export interface Publisher {
  channel: string;
  email: string;
  name: string;
  addedAt: string;
}

export interface Post {
  id: string;
  channel: string;
  author: string;
  message: string;
  date: string;
  clientId?: string;
}

/** ChannelsAPI is what the owner's and the publishers' screens need: the write side of live feeds. */
export interface ChannelsAPI {
  createChannel(input: { channel: string; title: string; name?: string }): Promise<Channel>;
  addPublisher(input: { channel: string; email: string; name: string }): Promise<Publisher>;
  postToChannel(input: { channel: string; message: string; clientId?: string }): Promise<Post>;
  deletePost(input: { channel: string; id: string }): Promise<void>;
}

export interface RestChannelsAPIOptions {
  apiURL: string;
  getToken: () => string | undefined;
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

/** RestChannelsAPI is the ChannelsAPI over Parley's REST API. */
export class RestChannelsAPI implements ChannelsAPI {
  private readonly base: string;

  constructor(private readonly options: RestChannelsAPIOptions) {
    this.base = options.apiURL.replace(/\/+$/, '');
  }

  createChannel(input: { channel: string; title: string; name?: string }): Promise<Channel> {
    return this.post<Channel>('/create-channel', input);
  }

  addPublisher(input: { channel: string; email: string; name: string }): Promise<Publisher> {
    return this.post<Publisher>('/add-publisher', input);
  }

  postToChannel(input: { channel: string; message: string; clientId?: string }): Promise<Post> {
    return this.post<Post>('/post-to-channel', input);
  }

  async deletePost(input: { channel: string; id: string }): Promise<void> {
    await this.post<unknown>('/delete-post', input);
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
    const token = this.options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const doFetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await doFetch(`${this.base}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        cache: 'no-store',
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new ApiError('network', "Can't reach the server. Check your connection and try again.");
    }
    if (!response.ok) {
      if (response.status === 401) this.options.onUnauthorized?.();
      throw await toApiError(response);
    }
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError('internal', 'The server sent an unreadable answer.', response.status);
    }
  }
}
