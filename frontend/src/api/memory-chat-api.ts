import { MemoryChannels, MemoryChannelsAPI } from '../features/channels/api/memory-channels-api';
import { MemoryNotifications, MemoryNotificationsAPI } from '../features/notifications/api/memory-notifications-api';
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
import {
  avatar,
  blockedByRecipient,
  CLIENT_ID_RULE,
  invalidField,
  noContactWithID,
  normalizeEmail,
  normalizeName,
  normalizeText,
  notAContact,
  notInConversation,
  preview,
  renameField,
  validToken,
  youBlocked,
} from './memory-rules';
import { SendBudget, type SendLimit } from '../features/budget/api/memory-budget';

/** A stored message, as core keeps it: whose view it is (them, status) is decided when it is handed out. */
interface StoredMessage {
  id: string;
  sender: string;
  recipient: string;
  text: string;
  /** Milliseconds since the epoch. */
  at: number;
  clientId?: string;
  /** Its sender unsent it: text is erased. */
  deleted?: boolean;
}

/** A contact as core keeps it: one owner's entry for the person at email. */
interface ContactRecord {
  id: string;
  email: string;
  name: string;
  blocked: boolean;
  report: string;
  /** A stranger who wrote to the owner and whom the owner has not added. */
  request: boolean;
  /** Milliseconds since the epoch. */
  lastActivity: number;
  /** The preview of the latest message of the conversation. */
  lastMessage?: StoredMessage;
  unread: number;
  /** The person at email deleted their account. */
  deleted?: boolean;
}

/** core.ClientIDWindow: how long a clientId makes a retry return the stored message. */
const CLIENT_ID_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface MemoryChatServerOptions {
  now?: () => Date;
  /** The per-person send budget; the server's defaults when absent. */
  sendLimit?: SendLimit;
}

/**
 * MemoryChatServer is the Parley server in memory: core's service over the memory store (core/service.go,
 * core/receipts.go, core/realtime.go, adapters/memory/store.go), answering in the shapes of adapters/apigateway
 * and pushing the same events to the connections of each user. Several MemoryChatAPI instances (one per user and
 * device) can share one server. The ChatAPI contract suite holds it to what the real server does.
 */
export class MemoryChatServer {
  /** owner -> email -> contact. */
  private readonly contacts = new Map<string, Map<string, ContactRecord>>();
  /** conversation key -> messages in ID order. */
  private readonly conversations = new Map<string, StoredMessage[]>();
  /** sender, recipient and clientId -> the message, as core keys a retry. */
  private readonly byClientId = new Map<string, StoredMessage>();
  /** `member\nother` -> the member's watermarks in the conversation with other. */
  private readonly watermarks = new Map<string, Watermarks>();
  private readonly connections = new Map<string, Set<(event: ChatEvent) => void>>();
  private readonly listeners = new Set<(m: Message) => void>();
  private readonly now: () => Date;
  private readonly budget: SendBudget;
  private seq = 0;
  /** account -> the session number of its deletion (deleteAccount). */
  private readonly deletedAt = new Map<string, number>();
  private sessions = 0;
  /** The live channels on this server (core/channel.go). */
  readonly channels: MemoryChannels;
  /** The Web Push subscriptions on this server (core/notifications.go). */
  readonly notifications = new MemoryNotifications();

  constructor(options: MemoryChatServerOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.budget = new SendBudget(options.sendLimit);
    this.channels = new MemoryChannels({ now: this.now, newId: (at) => this.newId(at), budget: this.budget });
  }

  /** onMessage registers a listener called after every stored message (the sender's view); returns an unsubscribe function. */
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

  private push(user: string, event: ChatEvent): void {
    for (const push of [...(this.connections.get(user) ?? [])]) push(structuredClone(event));
  }

  /** newId returns an ID that sorts after every ID returned before, as ULIDs do. */
  newId(at: Date = this.now()): string {
    this.seq += 1;
    return at.getTime().toString(36).padStart(10, '0') + this.seq.toString(36).padStart(6, '0');
  }

  /** addContact is POST /add-contact: created is false when email already was a contact (not a request). */
  addContact(owner: string, input: AddContactInput): { contact: Contact; created: boolean } {
    const email = normalizeEmail(input.email);
    if (email === owner) throw invalidField('email', 'is your own address; you cannot add yourself');
    const name = normalizeName(input.name);
    const book = this.book(owner);
    const existing = book.get(email);
    if (existing && !existing.request) return { contact: this.toContact(owner, existing), created: false };
    const record: ContactRecord = existing
      ? { ...existing, request: false, name }
      : { ...this.placeholder(email), name };
    book.set(email, record);
    const contact = this.toContact(owner, record);
    this.push(owner, { type: 'contact', contact });
    return { contact, created: true };
  }

  /** getContacts is GET /get-contacts: every contact of owner (requests and blocked ones too), most recent activity first. */
  getContacts(owner: string): Contact[] {
    return [...this.book(owner).values()]
      .sort((a, b) => b.lastActivity - a.lastActivity || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0))
      .map((rec) => this.toContact(owner, rec));
  }

  /** setBlocked is POST /block-contact (blocking someone not yet a contact adds them, blocked) and /unblock-contact. */
  setBlocked(owner: string, emailIn: string, blocked: boolean): Contact {
    const email = this.otherMember(owner, emailIn);
    const book = this.book(owner);
    let rec = book.get(email);
    if (!rec) {
      if (!blocked) throw notAContact(email);
      rec = this.placeholder(email);
      book.set(email, rec);
    }
    rec.blocked = blocked;
    const contact = this.toContact(owner, rec);
    this.push(owner, { type: 'contact', contact });
    return contact;
  }

  /** report is POST /report-contact. */
  report(owner: string, emailIn: string, report: string): Contact {
    const email = this.otherMember(owner, emailIn);
    const text = normalizeText('report', report, LIMITS.report, true);
    const rec = this.book(owner).get(email);
    if (!rec) throw notAContact(email);
    rec.report = text;
    return this.toContact(owner, rec);
  }

  /** addMessage is POST /add-message: the sender's view of the message stored, or of the one stored before with the same clientId. */
  addMessage(sender: string, input: AddMessageInput): Message {
    let recipient: string;
    try {
      recipient = this.otherMember(sender, input.recipientNamespace);
    } catch (err) {
      throw renameField(err, 'recipientNamespace');
    }
    const text = normalizeText('message', input.message, LIMITS.message, true);
    const clientId = input.clientId ?? '';
    if (clientId !== '' && !validToken(clientId)) throw invalidField('clientId', CLIENT_ID_RULE);
    const at = this.now();
    // As core: a retry of a stored clientId is answered with the stored message and spends nothing, even over
    // budget; anything else spends a send first.
    const retryKey = `${sender}\n${recipient}\n${clientId}`;
    if (clientId) {
      const seen = this.byClientId.get(retryKey);
      if (seen && at.getTime() < seen.at + CLIENT_ID_WINDOW_MS) return { ...view(seen, sender), status: 'sent' };
    }
    this.budget.spend(sender, at.getTime());
    const mine = this.book(sender).get(recipient);
    if (!mine) throw notAContact(recipient);
    if (mine.deleted) throw new ApiError('not_found', `${recipient} deleted their account.`, 404);
    if (mine.blocked) throw youBlocked(recipient);
    const theirBook = this.book(recipient);
    const known = theirBook.get(sender);
    const theirs = known ?? { ...this.placeholder(sender), request: true };
    if (theirs.blocked) throw blockedByRecipient(recipient);

    const message: StoredMessage = { id: this.newId(at), sender, recipient, text, at: at.getTime(), ...(clientId ? { clientId } : {}) };
    const key = conversationKey(sender, recipient);
    this.conversations.set(key, [...(this.conversations.get(key) ?? []), message]);
    if (clientId) this.byClientId.set(retryKey, message);
    const shown = { ...message, text: preview(text) };
    mine.lastActivity = theirs.lastActivity = message.at;
    mine.lastMessage = theirs.lastMessage = shown;
    theirs.unread += 1;
    // Someone who signed up with a deleted account's address writes: the contact is theirs now.
    delete theirs.deleted;
    theirBook.set(sender, theirs);

    const sent: Message = { ...view(message, sender), status: 'sent' };
    this.push(recipient, { type: 'message', message: view(message, recipient) });
    this.push(sender, { type: 'message', message: sent });
    if (!known) this.push(recipient, { type: 'contact', contact: this.toContact(recipient, theirs) });
    for (const listener of this.listeners) listener(structuredClone(sent));
    return sent;
  }

  /** getMessages is GET /get-messages: a page of the conversation in date order, own messages with their status. */
  getMessages(owner: string, query: GetMessagesQuery): Message[] {
    const other = this.conversationPartner(owner, query.recipientNamespace);
    const limit = query.limit ?? PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1) throw invalidField('limit', 'must be a whole number between 1 and 100');
    if (limit > 100) throw invalidField('limit', 'must be between 1 and 100');
    const { before = '', after = '' } = query;
    if (before && after) throw invalidField('after', 'cannot be combined with before; page one way at a time');
    if (before && !validToken(before)) throw invalidField('before', 'is not a message ID');
    if (after && !validToken(after)) throw invalidField('after', 'is not a message ID');
    const all = this.conversation(owner, other);
    const page = after
      ? all.filter((m) => m.id > after).slice(0, limit)
      : (before ? all.filter((m) => m.id < before) : all).slice(-limit);
    const theirs = this.marks(other, owner);
    return page.map((m) => (m.sender === owner ? { ...view(m, owner), status: tick(m.id, theirs) } : view(m, owner)));
  }

  /**
   * deleteMessage is POST /delete-message: the sender erases the text of one of their messages for both members;
   * it stays in place, deleted. Unread counts and previews are corrected and both members' connections told.
   * Again answers the same and tells nobody. Anyone but its sender gets not_found.
   */
  deleteMessage(sender: string, input: { recipientNamespace: string; id: string }): Message {
    let recipient: string;
    try {
      recipient = this.otherMember(sender, input.recipientNamespace);
    } catch (err) {
      throw renameField(err, 'recipientNamespace');
    }
    if (!validToken(input.id)) throw invalidField('id', 'is not a message ID');
    const message = this.conversation(sender, recipient).find((m) => m.id === input.id);
    if (!message || message.sender !== sender) throw new ApiError('not_found', 'id: is not a message you sent in this conversation', 404);
    if (message.deleted) return view(message, sender);
    message.text = '';
    message.deleted = true;
    const changed: [string, ContactRecord][] = [];
    for (const [owner, other] of [
      [sender, recipient],
      [recipient, sender],
    ] as const) {
      const rec = this.book(owner).get(other);
      if (!rec) continue;
      let touched = false;
      if (rec.lastMessage?.id === message.id) {
        rec.lastMessage = { ...message };
        touched = true;
      }
      if (owner === recipient && message.id > this.marks(owner, other).read && rec.unread > 0) {
        rec.unread -= 1;
        touched = true;
      }
      if (touched) changed.push([owner, rec]);
    }
    this.push(recipient, { type: 'message', message: view(message, recipient) });
    this.push(sender, { type: 'message', message: view(message, sender) });
    for (const [owner, rec] of changed) this.push(owner, { type: 'contact', contact: this.toContact(owner, rec) });
    return view(message, sender);
  }

  /**
   * deleteAccount is POST /delete-account: once confirm is owner's own email, every contact, request and
   * conversation of owner is erased, the other member's contact marked deleted; the sessions signed in before are
   * refused from then on (signedInBefore), and whoever signs in with the address afterwards starts empty.
   */
  deleteAccount(owner: string, confirm: string): void {
    let confirmed = '';
    try {
      confirmed = normalizeEmail(confirm);
    } catch {
      // Answered below, as the server does.
    }
    if (confirmed !== owner) throw invalidField('confirm', `must be your own email address, ${owner}`);
    for (const other of this.book(owner).keys()) {
      const theirs = this.book(other).get(owner);
      if (theirs) {
        theirs.deleted = true;
        theirs.unread = 0;
        delete theirs.lastMessage;
      }
      const key = conversationKey(owner, other);
      this.conversations.delete(key);
      this.watermarks.delete(`${owner}\n${other}`);
      this.watermarks.delete(`${other}\n${owner}`);
      for (const [retry, m] of this.byClientId) if (conversationKey(m.sender, m.recipient) === key) this.byClientId.delete(retry);
    }
    this.contacts.delete(owner);
    this.budget.forget(owner);
    this.deletedAt.set(owner, this.nextSession());
    this.connections.delete(owner);
  }

  /**
   * exportAccount is POST /export: owner's document (README.md, "Your data: export"), handed over as a data: URL,
   * the in-memory stand-in for a short-lived link.
   */
  exportAccount(owner: string): { url: string; expires: string } {
    const book = this.book(owner);
    const doc = {
      format: 'parley-export/1',
      account: { email: owner, sendBudget: { fullAt: null }, suspension: null },
      contacts: [...book.values()].map((rec) => {
        const { lastMessage: _last, avatar: _avatar, ...contact } = this.toContact(owner, rec);
        return contact;
      }),
      conversations: [...book.keys()].map((other) => ({
        with: other,
        messages: this.conversation(owner, other).map((m) => {
          const { them: _them, ...message } = view(m, owner);
          return m.sender === owner ? { ...message, status: tick(m.id, this.marks(other, owner)) } : message;
        }),
      })),
      reports: [],
      channels: [],
      devices: [],
    };
    const expires = new Date(this.now().getTime() + 15 * 60 * 1000).toISOString();
    return { url: `data:application/json,${encodeURIComponent(JSON.stringify(doc))}`, expires };
  }

  /** nextSession numbers a sign-in or a deletion: a session numbered before a deletion of its account is refused. */
  nextSession(): number {
    this.sessions += 1;
    return this.sessions;
  }

  /** checkSession refuses a session of owner numbered session if owner's account was deleted after it began. */
  checkSession(owner: string, session: number): void {
    if (session < (this.deletedAt.get(owner) ?? 0)) throw new ApiError('unauthorized', 'This account was deleted. Sign in again.', 401);
  }

  /** ack is POST /ack: owner's watermarks in the conversation, moved forward to upTo (never back). */
  ack(owner: string, input: AckInput): Watermarks {
    let other: string;
    try {
      other = this.otherMember(owner, input.recipientNamespace);
    } catch (err) {
      throw renameField(err, 'recipientNamespace');
    }
    if (!validToken(input.upTo)) throw invalidField('upTo', 'is not a message ID');
    const messages = this.conversation(owner, other);
    const old = this.marks(owner, other);
    const next: Watermarks = {
      delivered: input.upTo > old.delivered ? input.upTo : old.delivered,
      read: input.read && input.upTo > old.read ? input.upTo : old.read,
    };
    // As the server: an ack that moves nothing is answered as it stands, without looking upTo up.
    if (next.delivered === old.delivered && next.read === old.read) return { ...old };
    const at = messages.findIndex((m) => m.id === input.upTo);
    if (at < 0) throw notInConversation();
    this.watermarks.set(`${owner}\n${other}`, next);
    if (next.delivered !== old.delivered || next.read !== old.read) {
      this.push(other, { type: 'receipt', with: owner, ...next });
      const rec = this.book(owner).get(other);
      if (rec && next.read !== old.read) {
        rec.unread = messages.slice(at + 1).filter((m) => m.sender === other && m.id > next.read && !m.deleted).length;
        this.push(owner, { type: 'contact', contact: this.toContact(owner, rec) });
      }
    }
    return { ...next };
  }

  /**
   * typing tells to's connections that from is typing, when each has the other as a contact, to has added from
   * (not only a request) and neither blocked the other; otherwise nothing is said.
   */
  typing(from: string, toIn: string): void {
    let to: string;
    try {
      to = this.otherMember(from, toIn);
    } catch {
      return; // The server answers the frame with an error frame, which the client ignores.
    }
    try {
      this.budget.spend(from, this.now().getTime());
    } catch {
      return; // Over budget: an error frame too.
    }
    const theirs = this.book(to).get(from);
    const mine = this.book(from).get(to);
    if (!theirs || theirs.blocked || theirs.request || !mine || mine.blocked) return;
    this.push(to, { type: 'typing', from });
  }

  /** otherMember is core's: the normalized email of the other member, never the caller's own. */
  private otherMember(owner: string, email: string): string {
    const other = normalizeEmail(email);
    if (other === owner) throw invalidField('email', 'is your own address');
    return other;
  }

  /** conversationPartner is core's: recipientNamespace is the other member's email or the ID of one of owner's contacts. */
  private conversationPartner(owner: string, namespace: string): string {
    const trimmed = namespace.trim();
    if (trimmed.includes('@') || !validToken(trimmed)) {
      try {
        return this.otherMember(owner, namespace);
      } catch (err) {
        throw renameField(err, 'recipientNamespace');
      }
    }
    const rec = [...this.book(owner).values()].find((c) => c.id === trimmed);
    if (!rec) throw noContactWithID(trimmed);
    return rec.email;
  }

  /** placeholder is core's placeholderContact: a contact named after the part of email before @. */
  private placeholder(email: string): ContactRecord {
    const at = this.now();
    return {
      id: this.newId(at),
      email,
      name: email.slice(0, email.indexOf('@')),
      blocked: false,
      report: '',
      request: false,
      lastActivity: at.getTime(),
      unread: 0,
    };
  }

  private marks(member: string, other: string): Watermarks {
    return this.watermarks.get(`${member}\n${other}`) ?? { delivered: '', read: '' };
  }

  private conversation(a: string, b: string): StoredMessage[] {
    return this.conversations.get(conversationKey(a, b)) ?? [];
  }

  private book(owner: string): Map<string, ContactRecord> {
    let book = this.contacts.get(owner);
    if (!book) {
      book = new Map();
      this.contacts.set(owner, book);
    }
    return book;
  }

  /** toContact is the contact as adapters/apigateway renders it for its owner. */
  private toContact(owner: string, rec: ContactRecord): Contact {
    return {
      id: rec.id,
      email: rec.email,
      name: rec.name,
      avatar: avatar(rec.name, rec.email),
      blocked: rec.blocked,
      ...(rec.report ? { report: rec.report } : {}),
      request: rec.request,
      lastActivity: new Date(rec.lastActivity).toISOString(),
      ...(rec.lastMessage ? { lastMessage: view(rec.lastMessage, owner) } : {}),
      unread: rec.unread,
      ...(rec.deleted ? { deleted: true } : {}),
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
  /** When this device signed in, in the server's numbering: a deletion of the account after it refuses it. */
  private readonly session: number;
  readonly channels: MemoryChannelsAPI;
  readonly notifications: MemoryNotificationsAPI;
  private readonly latencyMs: number;
  private visible = false;
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private disconnect?: () => void;
  private online = true;
  private connected = true;
  private state: ConnectionState = 'closed';

  constructor(server: MemoryChatServer, me: string, options: MemoryChatAPIOptions = {}) {
    this.server = server;
    this.me = normalizeEmail(me);
    this.session = server.nextSession();
    this.latencyMs = options.latencyMs ?? 0;
    this.channels = new MemoryChannelsAPI(server.channels, this.me, (fn) => this.run(fn));
    this.notifications = new MemoryNotificationsAPI(server.notifications, this.me, (fn) => this.run(fn));
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

  visibility(visible: boolean): void {
    this.visible = visible;
  }

  /** isVisible is what this device last said of its tab, for tests. */
  get isVisible(): boolean {
    return this.visible;
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
  deleteMessage(input: { recipientNamespace: string; id: string }): Promise<Message> {
    return this.run(() => this.server.deleteMessage(this.me, input));
  }
  exportAccount(): Promise<{ url: string; expires: string }> {
    return this.run(() => this.server.exportAccount(this.me));
  }
  async deleteAccount(confirm: string): Promise<void> {
    await this.run(() => this.server.deleteAccount(this.me, confirm));
  }
  ack(input: AckInput): Promise<Watermarks> {
    return this.run(() => this.server.ack(this.me, input));
  }

  private async run<T>(fn: () => T): Promise<T> {
    // Always after a turn of the event loop, like a network call: never before the caller has returned.
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!this.online) throw new ApiError('network', "Can't reach the server. Check your connection and try again.");
    this.server.checkSession(this.me, this.session);
    // Copy, so callers can never mutate the server's state.
    return structuredClone(fn());
  }
}

/** view is m as viewer sees it (adapters/apigateway's toMessageResponse, without status). */
function view(m: StoredMessage, viewer: string): Message {
  return {
    id: m.id,
    message: m.text,
    date: new Date(m.at).toISOString(),
    sender: m.sender,
    recipient: m.recipient,
    them: m.recipient === viewer,
    ...(m.clientId ? { clientId: m.clientId } : {}),
    ...(m.deleted ? { deleted: true } : {}),
  };
}

/** tick is core's Watermarks.StatusOf: how far a message got, given the other member's watermarks. */
function tick(id: string, theirs: Watermarks): Tick {
  if (theirs.read && id <= theirs.read) return 'read';
  if (theirs.delivered && id <= theirs.delivered) return 'delivered';
  return 'sent';
}

function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}
