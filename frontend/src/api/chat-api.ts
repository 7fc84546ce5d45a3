/**
 * The ChatAPI port: everything the views may ask of the back end.
 * Views only ever see this interface (through ChatAPIContext); the REST adapter
 * talks to the Parley API, the in-memory adapter backs tests and the offline demo.
 */

/** A contact as the API returns it. */
export interface Contact {
  id: string;
  email: string;
  name: string;
  /** The initials as an SVG data: URI (for ChatScape clients; the SPA draws its own, see Avatar). */
  avatar: string;
  blocked: boolean;
  report?: string;
  /** The latest message of the conversation (its text cut to 140 characters, no status), once there is one. */
  lastMessage?: Message;
  /** How many of this contact's messages are newer than the caller's read watermark. */
  unread: number;
  /** True for a stranger who messaged the caller and whom the caller has not added. */
  request: boolean;
  /** RFC 3339 time (UTC, milliseconds) of the latest message, or of when the contact was made. */
  lastActivity: string;
}

/** A stored message as the API returns it. */
export interface Message {
  id: string;
  message: string;
  /** RFC 3339, UTC. */
  date: string;
  sender: string;
  recipient: string;
  /** True when the caller is the recipient. */
  them: boolean;
  clientId?: string;
  /** On the caller's own messages: how far the other member got (README.md, "The API": status). */
  status?: Tick;
}

/** Tick is how far one of my stored messages got: stored, on a device of the other member, displayed to them. */
export type Tick = 'sent' | 'delivered' | 'read';

export interface AddContactInput {
  email: string;
  name: string;
}

export interface AddMessageInput {
  recipientNamespace: string;
  message: string;
  /** Idempotency key: the same clientId twice stores one message. */
  clientId?: string;
}

export interface GetMessagesQuery {
  recipientNamespace: string;
  /** Default 50, max 100. */
  limit?: number;
  /** Only messages older than the message with this id (the newest `limit` of them). */
  before?: string;
  /** Only messages newer than the message with this id (the oldest `limit` of them); not with `before`. */
  after?: string;
}

/** AckInput moves the caller's receipt watermarks in the conversation with recipientNamespace. */
export interface AckInput {
  recipientNamespace: string;
  /** The newest message id the caller has (delivered) or has displayed (read). */
  upTo: string;
  /** Also move the read watermark (read implies delivered). */
  read?: boolean;
}

/** Watermarks are one member's receipts in a conversation: message ids, empty when nothing yet. */
export interface Watermarks {
  delivered: string;
  read: string;
}

/**
 * ConnectionState is the push side's connection: `open` while events flow, `connecting` while trying,
 * `closed` while down (or when the deployment has no realtime endpoint). Views poll unless it is `open`.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * ChatEvent is what the push side delivers: the server's frames (README.md, "Realtime (WebSocket)"),
 * and `connection` when the connection changes. A `connection` event with state `open` comes after every
 * (re)connect: listeners then resync through the REST side, because pushes sent while down are lost.
 */
export type ChatEvent =
  | { type: 'message'; message: Message }
  | { type: 'receipt'; with: string; delivered: string; read: string }
  | { type: 'contact'; contact: Contact }
  | { type: 'typing'; from: string }
  | { type: 'connection'; state: ConnectionState };

import type { ChannelsAPI } from '../features/channels/api/channels-api';

export { ApiError, errorCode, errorMessage, parseRetryAfter, type ApiErrorCode } from '../lib/api-error';

/** ChatAPI is the port. Every method rejects with an ApiError. */
export interface ChatAPI {
  /** The signed-in user's namespace (lower-cased email), when known. */
  readonly me?: string;
  addContact(input: AddContactInput): Promise<Contact>;
  /** Most recent activity first. */
  getContacts(): Promise<Contact[]>;
  blockContact(email: string): Promise<Contact>;
  unblockContact(email: string): Promise<Contact>;
  reportContact(email: string, report: string): Promise<Contact>;
  addMessage(input: AddMessageInput): Promise<Message>;
  /** In date order (oldest first). */
  getMessages(query: GetMessagesQuery): Promise<Message[]>;
  /** Moves the caller's watermarks forward (never back) and returns them. */
  ack(input: AckInput): Promise<Watermarks>;

  /** The push side's connection now; changes arrive as `connection` events. */
  readonly connection: ConnectionState;
  /**
   * subscribe delivers pushed events to listener until the returned function is called. The connection is
   * opened while anyone listens.
   */
  subscribe(listener: (event: ChatEvent) => void): () => void;
  /** typing tells `to` that the caller is typing; a no-op while the connection is down. Callers limit the rate. */
  typing(to: string): void;

  /** The write side of live feeds (create a channel, name publishers, post, delete), on the same API and session. */
  readonly channels: ChannelsAPI;
}

/** Clients send at most one typing event every this many milliseconds (the contract's rate). */
export const TYPING_SEND_EVERY_MS = 3000;
/** A typing event shows for this long unless another one comes. */
export const TYPING_SHOW_MS = 5000;

/** Page size used when reading a conversation. */
export const PAGE_SIZE = 50;

/** Limits from the API contract, checked before sending to give early feedback. */
export const LIMITS = {
  email: 254,
  name: 100,
  message: 4000,
  report: 1000,
} as const;

