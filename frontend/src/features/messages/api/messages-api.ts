import type { Tick } from '../../receipts/api/receipts-api';

/** The messages part of the ChatAPI port (src/api/chat-api.ts): a conversation, read and written. */

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
  /** Its sender unsent it: `message` is then "" and the views show "message deleted". */
  deleted?: boolean;
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

/** MessagesAPI is what a conversation asks of the back end. Every method rejects with an ApiError. */
export interface MessagesAPI {
  addMessage(input: AddMessageInput): Promise<Message>;
  /** In date order (oldest first). */
  getMessages(query: GetMessagesQuery): Promise<Message[]>;
  /** Unsends one of the caller's own messages for both members: it comes back with `deleted` and no text. */
  deleteMessage(input: { recipientNamespace: string; id: string }): Promise<Message>;
}

/** Page size used when reading a conversation. */
export const PAGE_SIZE = 50;

/** Limits from the API contract, checked before sending to give early feedback. */
export const LIMITS = {
  email: 254,
  name: 100,
  message: 4000,
  report: 1000,
} as const;

