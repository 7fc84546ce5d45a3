import type { Contact } from '../../contacts/api/contacts-api';
import type { Message } from '../../messages/api/messages-api';

/** The realtime part of the ChatAPI port (src/api/chat-api.ts): the push side, its events and typing. */

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

/** RealtimeAPI is the push side of the port. */
export interface RealtimeAPI {
  /** The push side's connection now; changes arrive as `connection` events. */
  readonly connection: ConnectionState;
  /**
   * subscribe delivers pushed events to listener until the returned function is called. The connection is
   * opened while anyone listens.
   */
  subscribe(listener: (event: ChatEvent) => void): () => void;
  /** typing tells `to` that the caller is typing; a no-op while the connection is down. Callers limit the rate. */
  typing(to: string): void;
  /**
   * visibility tells the server whether this tab is visible and focused: while one of a person's tabs is, nothing
   * notifies their devices. It is said again after every reconnect; a connection that said nothing is not visible.
   */
  visibility(visible: boolean): void;
}

/** Clients send at most one typing event every this many milliseconds (the contract's rate). */
export const TYPING_SEND_EVERY_MS = 3000;
/** A typing event shows for this long unless another one comes. */
export const TYPING_SHOW_MS = 5000;

