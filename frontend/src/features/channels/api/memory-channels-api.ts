import { LIMITS } from '../../../api/chat-api';
import { CLIENT_ID_RULE, invalidField, normalizeEmail, normalizeName, normalizeText, refusal, validToken } from '../../../api/memory-rules';
import type { SendBudget } from '../../budget/api/memory-budget';
import type { Channel, ChannelsAPI, Post, Publisher } from './channels-api';

/** core.MaxTitleRunes. */
const MAX_TITLE = 200;
const CHANNEL_ID = /^[a-z0-9-]{3,40}$/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

interface StoredPost {
  id: string;
  author: string;
  authorName: string;
  text: string;
  at: number;
  clientId: string;
}

interface StoredChannel {
  channel: Channel;
  publishers: Map<string, Publisher>;
  posts: StoredPost[];
}

/** What the channels need of the in-memory server they live in: its clock, its IDs and its send budget. */
export interface MemoryChannelsHost {
  now: () => Date;
  newId: (at?: Date) => string;
  budget: SendBudget;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * MemoryChannels is core's channel service over the memory store (core/channel.go, adapters/memory/channels.go),
 * answering in the shapes of adapters/apigateway/channels.go. The ChatAPI contract suite holds it to the server.
 */
export class MemoryChannels {
  private readonly channels = new Map<string, StoredChannel>();

  constructor(private readonly host: MemoryChannelsHost) {}

  createChannel(caller: string, input: { channel: string; title: string; name?: string }): Channel {
    checkChannelID(input.channel);
    const title = normalizeText('title', input.title, MAX_TITLE, false);
    if (BIDI_CONTROL.test(title)) {
      throw invalidField('title', 'must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)');
    }
    const name = input.name ? normalizeName(input.name) : title;
    // As core: creating a channel spends a send, taken or not.
    this.host.budget.spend(caller, this.host.now().getTime());
    if (this.channels.has(input.channel)) throw refusal('conflict', `The channel name ${input.channel} is taken.`);
    const at = iso(this.host.now().getTime());
    const channel: Channel = { channel: input.channel, title, owner: caller, createdAt: at, feed: `/feeds/${input.channel}.json` };
    const owner: Publisher = { channel: input.channel, email: caller, name, addedAt: at };
    this.channels.set(input.channel, { channel, publishers: new Map([[caller, owner]]), posts: [] });
    return channel;
  }

  addPublisher(caller: string, input: { channel: string; email: string; name: string }): Publisher {
    checkChannelID(input.channel);
    // As core: naming a publisher spends a send, owner or not.
    this.host.budget.spend(caller, this.host.now().getTime());
    const stored = this.owned(caller, input.channel);
    const email = normalizeEmail(input.email);
    const name = normalizeName(input.name);
    const publisher: Publisher = { channel: input.channel, email, name, addedAt: iso(this.host.now().getTime()) };
    stored.publishers.set(email, publisher);
    return publisher;
  }

  postToChannel(caller: string, input: { channel: string; message: string; clientId?: string }): Post {
    checkChannelID(input.channel);
    const text = normalizeText('message', input.message, LIMITS.message, true);
    const clientId = input.clientId ?? '';
    if (clientId !== '' && !validToken(clientId)) throw invalidField('clientId', CLIENT_ID_RULE);
    const stored = this.find(input.channel);
    const publisher = stored.publishers.get(caller);
    if (!publisher) throw refusal('forbidden', `You are not a publisher of ${input.channel}.`);
    const at = this.host.now();
    // As core: the send is spent first, and given back when it stores nothing new.
    this.host.budget.spend(caller, at.getTime());
    const seen = clientId ? stored.posts.find((p) => p.author === caller && p.clientId === clientId) : undefined;
    if (seen) {
      this.host.budget.refund(caller, at.getTime());
      return view(input.channel, seen);
    }
    const post: StoredPost = { id: this.host.newId(at), author: caller, authorName: publisher.name, text, at: at.getTime(), clientId };
    stored.posts.push(post);
    return view(input.channel, post);
  }

  deletePost(caller: string, input: { channel: string; id: string }): void {
    const stored = this.owned(caller, input.channel);
    if (!validToken(input.id)) throw invalidField('id', 'is not a post ID');
    const at = stored.posts.findIndex((p) => p.id === input.id);
    if (at < 0) throw refusal('not_found', `There is no post ${input.id} in ${input.channel}.`);
    stored.posts.splice(at, 1);
  }

  private find(id: string): StoredChannel {
    const stored = this.channels.get(id);
    if (!stored) throw refusal('not_found', `There is no channel ${id}.`);
    return stored;
  }

  private owned(caller: string, id: string): StoredChannel {
    checkChannelID(id);
    const stored = this.find(id);
    if (stored.channel.owner !== caller) throw refusal('forbidden', `Only the owner of ${id} may do this.`);
    return stored;
  }
}

function checkChannelID(id: string): void {
  if (!CHANNEL_ID.test(id)) throw invalidField('channel', "must be 3 to 40 of a-z, 0-9 and '-'");
}

function view(channel: string, p: StoredPost): Post {
  return { id: p.id, channel, author: p.authorName, message: p.text, date: iso(p.at), ...(p.clientId ? { clientId: p.clientId } : {}) };
}

/** MemoryChannelsAPI is the in-memory ChannelsAPI of one person: run calls like the network (after a turn, or failing). */
export class MemoryChannelsAPI implements ChannelsAPI {
  constructor(
    private readonly channels: MemoryChannels,
    private readonly me: string,
    private readonly run: <T>(fn: () => T) => Promise<T>,
  ) {}

  createChannel(input: { channel: string; title: string; name?: string }): Promise<Channel> {
    return this.run(() => this.channels.createChannel(this.me, input));
  }
  addPublisher(input: { channel: string; email: string; name: string }): Promise<Publisher> {
    return this.run(() => this.channels.addPublisher(this.me, input));
  }
  postToChannel(input: { channel: string; message: string; clientId?: string }): Promise<Post> {
    return this.run(() => this.channels.postToChannel(this.me, input));
  }
  async deletePost(input: { channel: string; id: string }): Promise<void> {
    await this.run(() => this.channels.deletePost(this.me, input));
  }
}
