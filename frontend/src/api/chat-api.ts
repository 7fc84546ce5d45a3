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
  /** The latest message of the conversation, when the API provides it. */
  lastMessage?: Message;
  /** Number of unread messages from this contact, when the API provides it. */
  unread?: number;
  /** True for a stranger who messaged the caller and whom the caller has not added. */
  request?: boolean;
  /** RFC 3339 time of the latest activity (message or change), when the API provides it. */
  lastActivity?: string;
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
}

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
  /** Only messages older than the message with this id. */
  before?: string;
}

/** Stable error codes of the API, plus `network` for a request that never got an answer. */
export type ApiErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'blocked'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'throttled'
  | 'internal'
  | 'network'
  | (string & {});

/** ApiError is what every adapter throws: the code is stable, the message is for people. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;

  constructor(code: ApiErrorCode, message: string, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** errorMessage returns a message fit to show a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

/** errorCode returns the ApiError code of err, or `internal`. */
export function errorCode(err: unknown): ApiErrorCode {
  return err instanceof ApiError ? err.code : 'internal';
}

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

