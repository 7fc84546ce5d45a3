import type { Message } from '../../messages/api/messages-api';

/** The contacts part of the ChatAPI port (src/api/chat-api.ts): the list and adding to it. */

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
  /** The person deleted their account: their messages are gone and nothing more can be sent to them. */
  deleted?: boolean;
  /** True for a stranger who messaged the caller and whom the caller has not added. */
  request: boolean;
  /** RFC 3339 time (UTC, milliseconds) of the latest message, or of when the contact was made. */
  lastActivity: string;
}

export interface AddContactInput {
  email: string;
  name: string;
}

/** ContactsAPI is what the contact list asks of the back end. Every method rejects with an ApiError. */
export interface ContactsAPI {
  addContact(input: AddContactInput): Promise<Contact>;
  /** Most recent activity first. */
  getContacts(): Promise<Contact[]>;
}
