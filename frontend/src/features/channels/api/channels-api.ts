import { HttpClient, type HttpClientOptions } from '../../../lib/http-client';

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

/** RestChannelsAPIOptions are those of the one HTTP client (lib/http-client.ts). */
export type RestChannelsAPIOptions = HttpClientOptions;

/** RestChannelsAPI is the ChannelsAPI over Parley's REST API. */
export class RestChannelsAPI implements ChannelsAPI {
  private readonly http: HttpClient;

  /** The adapter calls through http when given (the chat's client, one per session), else through its own. */
  constructor(options: RestChannelsAPIOptions | HttpClient) {
    this.http = options instanceof HttpClient ? options : new HttpClient(options);
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

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.http.post<T>(path, body);
  }
}
