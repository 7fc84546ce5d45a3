import {
  ApiError,
  LIMITS,
  PAGE_SIZE,
  type AckInput,
  type AddContactInput,
  type AddMessageInput,
  type ChatAPI,
  type ChatEvent,
  type ConnectionState,
  type Contact,
  type GetMessagesQuery,
  type Message,
  type Tick,
  type Watermarks,
} from './chat-api';

interface ContactRecord {
  id: string;
  email: string;
  name: string;
  blocked: boolean;
  report?: string;
  /** False for a record created only to block or report a stranger. */
  added: boolean;
}

export interface MemoryChatServerOptions {
  now?: () => Date;
}

/**
 * MemoryChatServer keeps the state of every user in memory and enforces the rules of the
 * API contract (contacts only, blocking both ways, idempotent clientId, requests from strangers,
 * receipt watermarks that only move forward), and pushes the contract's events to the connections
 * of each user. Several MemoryChatAPI instances (one per user and device) can share one server.
 */
export class MemoryChatServer {
  private readonly contacts = new Map<string, Map<string, ContactRecord>>();
  private readonly conversations = new Map<string, Message[]>();
  private readonly byClientId = new Map<string, Message>();
  /** `owner\nother` -> the owner's watermarks in the conversation with other. */
  private readonly watermarks = new Map<string, Watermarks>();
  private readonly connections = new Map<string, Set<(event: ChatEvent) => void>>();
  private readonly listeners = new Set<(m: Message) => void>();
  private readonly now: () => Date;
  private seq = 0;

  constructor(options: MemoryChatServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /** onMessage registers a listener called after every stored message; returns an unsubscribe function. */
  onMessage(listener: (m: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** connect registers a connection of user; events pushed to user reach push until the returned function is called. */
  connect(user: string, push: (event: ChatEvent) => void): () => void {
    let set = this.connections.get(user);
    if (!set) {
      set = new Set();
      this.connections.set(user, set);
    }
    set.add(push);
    return () => set.delete(push);
  }

  private push(user: string, event: ChatEvent, except?: (event: ChatEvent) => void): void {
    for (const push of [...(this.connections.get(user) ?? [])]) {
      if (push !== except) push(structuredClone(event));
    }
  }

  newId(at: Date = this.now()): string {
    this.seq += 1;
    return at.getTime().toString(36).padStart(10, '0') + this.seq.toString(36).padStart(6, '0');
  }

  addContact(owner: string, input: AddContactInput): { contact: Contact; created: boolean } {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (email === owner) throw new ApiError('invalid', 'You cannot add yourself.', 400);
    if (!name) throw new ApiError('invalid', 'name: enter a name.', 400);
    if ([...name].length > LIMITS.name) throw new ApiError('invalid', 'name: at most 100 characters.', 400);
    const book = this.book(owner);
    const existing = book.get(email);
    if (existing?.added) return { contact: this.toContact(owner, existing), created: false };
    const record: ContactRecord = existing
      ? { ...existing, name, added: true }
      : { id: this.newId(), email, name, blocked: false, added: true };
    book.set(email, record);
    return { contact: this.toContact(owner, record), created: !existing };
  }

  getContacts(owner: string): Contact[] {
    const book = this.book(owner);
    const list: Contact[] = [];
    for (const rec of book.values()) {
      if (rec.added || rec.blocked || this.conversation(owner, rec.email).length > 0) list.push(this.toContact(owner, rec));
    }
    for (const [key, messages] of this.conversations) {
      const [a, b] = key.split('\n') as [string, string];
      if (a !== owner && b !== owner) continue;
      const other = a === owner ? b : a;
      if (book.has(other) || !messages.some((m) => m.sender === other)) continue;
      list.push({
        ...this.toContact(owner, { id: `req-${other}`, email: other, name: other, blocked: false, added: false }),
      });
    }
    const activity = (c: Contact) => {
      const last = this.conversation(owner, c.email).at(-1);
      return last ? last.id : this.book(owner).get(c.email)?.id ?? '';
    };
    return list.sort((x, y) => (activity(y) > activity(x) ? 1 : activity(y) < activity(x) ? -1 : 0));
  }

  setBlocked(owner: string, emailIn: string, blocked: boolean): Contact {
    const email = normalizeEmail(emailIn);
    const rec = this.recordFor(owner, email);
    rec.blocked = blocked;
    return this.toContact(owner, rec);
  }

  report(owner: string, emailIn: string, report: string): Contact {
    const email = normalizeEmail(emailIn);
    const text = report.trim();
    if (!text) throw new ApiError('invalid', 'report: describe the problem.', 400);
    if ([...text].length > LIMITS.report) throw new ApiError('invalid', 'report: at most 1000 characters.', 400);
    const rec = this.recordFor(owner, email);
    rec.report = text;
    return this.toContact(owner, rec);
  }

  addMessage(sender: string, input: AddMessageInput): Message {
    if (input.clientId) {
      const seen = this.byClientId.get(`${sender}\n${input.clientId}`);
      if (seen) return seen;
    }
    const recipient = normalizeEmail(input.recipientNamespace);
    const text = input.message.trim();
    if (!text) throw new ApiError('invalid', 'message: write something first.', 400);
    if ([...text].length > LIMITS.message) throw new ApiError('invalid', 'message: at most 4000 characters.', 400);
    const mine = this.book(sender).get(recipient);
    if (!mine?.added) throw new ApiError('not_found', 'Add this person to your contacts before messaging them.', 404);
    const theirs = this.book(recipient).get(sender);
    if (mine.blocked || theirs?.blocked) {
      throw new ApiError('blocked', 'This conversation is blocked: the message was not delivered.', 403);
    }
    const at = this.now();
    const message: Message = {
      id: this.newId(at),
      message: input.message,
      date: at.toISOString(),
      sender,
      recipient,
      them: false,
      ...(input.clientId ? { clientId: input.clientId } : {}),
    };
    const key = conversationKey(sender, recipient);
    const list = this.conversations.get(key) ?? [];
    const firstFromStranger = !theirs && !list.some((m) => m.sender === sender);
    list.push(message);
    this.conversations.set(key, list);
    if (input.clientId) this.byClientId.set(`${sender}\n${input.clientId}`, message);
    this.push(sender, { type: 'message', message: { ...message, status: 'sent' } });
    this.push(recipient, { type: 'message', message: { ...message, them: true } });
    if (firstFromStranger) {
      const request = this.getContacts(recipient).find((c) => c.email === sender);
      if (request) this.push(recipient, { type: 'contact', contact: request });
    }
    for (const listener of this.listeners) listener(message);
    return message;
  }

  getMessages(owner: string, query: GetMessagesQuery): Message[] {
    const other = normalizeEmail(query.recipientNamespace);
    const limit = Math.min(Math.max(query.limit ?? PAGE_SIZE, 1), 100);
    if (query.before && query.after) throw new ApiError('invalid', 'after: not together with before.', 400);
    let list = this.conversation(owner, other);
    let page: Message[];
    if (query.after) {
      const after = query.after;
      page = list.filter((m) => m.id > after).slice(0, limit);
    } else {
      if (query.before) {
        const before = query.before;
        list = list.filter((m) => m.id < before);
      }
      page = list.slice(-limit);
    }
    const theirs = this.marks(other, owner);
    return page.map((m) =>
      m.recipient === owner ? { ...m, them: true } : { ...m, them: false, status: tick(m.id, theirs) },
    );
  }

  /** ack moves owner's watermarks in the conversation with the other member forward and pushes the receipt. */
  ack(owner: string, input: AckInput): Watermarks {
    const other = normalizeEmail(input.recipientNamespace);
    if (!input.upTo) throw new ApiError('invalid', 'upTo: the id of a message.', 400);
    const key = `${owner}\n${other}`;
    const old = this.marks(owner, other);
    const next: Watermarks = {
      delivered: input.upTo > old.delivered ? input.upTo : old.delivered,
      read: input.read && input.upTo > old.read ? input.upTo : old.read,
    };
    if (next.read > next.delivered) next.delivered = next.read;
    this.watermarks.set(key, next);
    if (next.delivered !== old.delivered || next.read !== old.read) {
      this.push(other, { type: 'receipt', with: owner, ...next });
      if (next.read !== old.read) {
        const contact = this.getContacts(owner).find((c) => c.email === other);
        if (contact) this.push(owner, { type: 'contact', contact });
      }
    }
    return { ...next };
  }

  /** typing tells to's connections that from is typing, when to has from as a contact and neither blocked. */
  typing(from: string, to: string): void {
    const theirs = this.book(to).get(from);
    const mine = this.book(from).get(to);
    if (!theirs?.added || theirs.blocked || mine?.blocked) return;
    this.push(to, { type: 'typing', from });
  }

  private marks(owner: string, other: string): Watermarks {
    return this.watermarks.get(`${owner}\n${other}`) ?? { delivered: '', read: '' };
  }

  private conversation(owner: string, other: string): Message[] {
    return this.conversations.get(conversationKey(owner, other)) ?? [];
  }

  private book(owner: string): Map<string, ContactRecord> {
    let book = this.contacts.get(owner);
    if (!book) {
      book = new Map();
      this.contacts.set(owner, book);
    }
    return book;
  }

  private recordFor(owner: string, email: string): ContactRecord {
    const book = this.book(owner);
    let rec = book.get(email);
    if (!rec) {
      if (this.conversation(owner, email).length === 0) throw new ApiError('not_found', 'No such contact.', 404);
      rec = { id: this.newId(), email, name: email, blocked: false, added: false };
      book.set(email, rec);
    }
    return rec;
  }

  private toContact(owner: string, rec: ContactRecord): Contact {
    const messages = this.conversation(owner, rec.email);
    const last = messages.at(-1);
    const { read } = this.marks(owner, rec.email);
    const unread = messages.filter((m) => m.sender === rec.email && m.id > read).length;
    return {
      id: rec.id,
      email: rec.email,
      name: rec.name,
      avatar: '',
      blocked: rec.blocked,
      ...(rec.report ? { report: rec.report } : {}),
      ...(last
        ? {
            lastMessage:
              last.recipient === owner
                ? { ...last, them: true }
                : { ...last, them: false, status: tick(last.id, this.marks(rec.email, owner)) },
          }
        : {}),
      unread,
      ...(rec.added ? {} : { request: true }),
      ...(last ? { lastActivity: last.date } : {}),
    };
  }
}

export interface MemoryChatAPIOptions {
  /** Simulated network latency in milliseconds (0 in tests). */
  latencyMs?: number;
}

/**
 * MemoryChatAPI is the in-memory ChatAPI adapter, acting as one device of one user of a MemoryChatServer.
 * setOnline(false) cuts its network: calls fail with `network` and its connection closes until setOnline(true).
 */
export class MemoryChatAPI implements ChatAPI {
  readonly me: string;
  readonly server: MemoryChatServer;
  private readonly latencyMs: number;
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private disconnect?: () => void;
  private online = true;
  private connected = true;
  private state: ConnectionState = 'closed';

  constructor(server: MemoryChatServer, me: string, options: MemoryChatAPIOptions = {}) {
    this.server = server;
    this.me = normalizeEmail(me);
    this.latencyMs = options.latencyMs ?? 0;
  }

  get connection(): ConnectionState {
    return this.state;
  }

  subscribe(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.disconnect && this.online && this.connected) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  typing(to: string): void {
    if (this.state === 'open') this.server.typing(this.me, to);
  }

  /** setOnline cuts (false) or restores (true) this device's network: its calls and its connection. */
  setOnline(online: boolean): void {
    this.online = online;
    this.reconsider();
  }

  /** setConnected drops (false) or restores (true) only the push connection, as when a socket dies. */
  setConnected(connected: boolean): void {
    this.connected = connected;
    this.reconsider();
  }

  private reconsider(): void {
    if (!this.online || !this.connected) this.close();
    else if (this.listeners.size > 0 && !this.disconnect) this.open();
  }

  private open(): void {
    const deliver = (event: ChatEvent) => this.emit(event);
    this.disconnect = this.server.connect(this.me, deliver);
    this.state = 'connecting';
    // Like a real socket, the connection opens after the caller has returned.
    queueMicrotask(() => {
      if (this.disconnect && this.state === 'connecting') {
        this.state = 'open';
        this.emit({ type: 'connection', state: 'open' });
      }
    });
  }

  private close(): void {
    this.disconnect?.();
    this.disconnect = undefined;
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.emit({ type: 'connection', state: 'closed' });
  }

  private emit(event: ChatEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  addContact(input: AddContactInput): Promise<Contact> {
    return this.run(() => this.server.addContact(this.me, input).contact);
  }
  getContacts(): Promise<Contact[]> {
    return this.run(() => this.server.getContacts(this.me));
  }
  blockContact(email: string): Promise<Contact> {
    return this.run(() => this.server.setBlocked(this.me, email, true));
  }
  unblockContact(email: string): Promise<Contact> {
    return this.run(() => this.server.setBlocked(this.me, email, false));
  }
  reportContact(email: string, report: string): Promise<Contact> {
    return this.run(() => this.server.report(this.me, email, report));
  }
  addMessage(input: AddMessageInput): Promise<Message> {
    return this.run(() => this.server.addMessage(this.me, input));
  }
  getMessages(query: GetMessagesQuery): Promise<Message[]> {
    return this.run(() => this.server.getMessages(this.me, query));
  }
  ack(input: AckInput): Promise<Watermarks> {
    return this.run(() => this.server.ack(this.me, input));
  }

  private async run<T>(fn: () => T): Promise<T> {
    // Always after a turn of the event loop, like a network call: never before the caller has returned.
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!this.online) throw new ApiError('network', "Can't reach the server. Check your connection and try again.");
    // Copy, so callers can never mutate the server's state.
    return structuredClone(fn());
  }
}

function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!e || e.length > LIMITS.email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) {
    throw new ApiError('invalid', 'email: enter a valid email address.', 400);
  }
  return e;
}

/** tick is how far a message got, given the other member's watermarks. */
function tick(id: string, theirs: Watermarks): Tick {
  if (theirs.read && id <= theirs.read) return 'read';
  if (theirs.delivered && id <= theirs.delivered) return 'delivered';
  return 'sent';
}

function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}
