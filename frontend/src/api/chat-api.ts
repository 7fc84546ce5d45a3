/**
 * The ChatAPI port: everything the views may ask of the back end.
 * Views only ever see this interface (through ChatAPIContext); the REST adapter
 * talks to the Parley API, the in-memory adapter backs tests and the offline demo.
 * Each feature declares its part (features/<name>/api/); the port is all of them, with the channels.
 */
import type { AccountAPI } from '../features/account/api/account-api';
import type { ChannelsAPI } from '../features/channels/api/channels-api';
import type { ContactsAPI } from '../features/contacts/api/contacts-api';
import type { MessagesAPI } from '../features/messages/api/messages-api';
import type { ModerationAPI } from '../features/moderation/api/moderation-api';
import type { ReceiptsAPI } from '../features/receipts/api/receipts-api';
import type { RealtimeAPI } from '../features/realtime/api/realtime-api';
import type { NotificationsAPI } from '../features/notifications/api/notifications-api';

export { ApiError, errorCode, errorMessage, parseRetryAfter, type ApiErrorCode } from '../lib/api-error';
export type { AddContactInput, Contact, ContactsAPI } from '../features/contacts/api/contacts-api';
export type { ModerationAPI } from '../features/moderation/api/moderation-api';
export type { AccountAPI } from '../features/account/api/account-api';
export { LIMITS, PAGE_SIZE, type AddMessageInput, type GetMessagesQuery, type Message, type MessagesAPI } from '../features/messages/api/messages-api';
export type { AckInput, ReceiptsAPI, Tick, Watermarks } from '../features/receipts/api/receipts-api';
export type { AddPushSubscriptionInput, NotificationsAPI, PushSubscriptionKeys } from '../features/notifications/api/notifications-api';
export { TYPING_SEND_EVERY_MS, TYPING_SHOW_MS, type ChatEvent, type ConnectionState, type RealtimeAPI } from '../features/realtime/api/realtime-api';

/** ChatAPI is the port. Every method rejects with an ApiError. */
export interface ChatAPI extends ContactsAPI, ModerationAPI, MessagesAPI, ReceiptsAPI, RealtimeAPI, AccountAPI {
  /** The signed-in user's namespace (lower-cased email), when known. */
  readonly me?: string;

  /** The write side of live feeds (create a channel, name publishers, post, delete), on the same API and session. */
  readonly channels: ChannelsAPI;

  /** This device's Web Push subscription (features/notifications), on the same API and session. */
  readonly notifications: NotificationsAPI;
}

