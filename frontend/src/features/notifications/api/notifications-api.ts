import type { HttpClient } from '../../../lib/http-client';

/** PushSubscriptionKeys are a browser subscription's keys, base64url, as PushSubscription.toJSON() gives them. */
export interface PushSubscriptionKeys {
  p256dh: string;
  auth: string;
}

/** AddPushSubscriptionInput is this device's subscription; previews says whether notifications show the text. */
export interface AddPushSubscriptionInput {
  endpoint: string;
  keys: PushSubscriptionKeys;
  previews?: boolean;
}

/**
 * NotificationsAPI is the Web Push part of the ChatAPI port (README.md, "Notifications (Web Push)"): the
 * deployment's VAPID key and this device's subscription. Every method rejects with an ApiError.
 */
export interface NotificationsAPI {
  /** pushKey is the VAPID public key (base64url, uncompressed P-256) a browser subscribes with. */
  pushKey(): Promise<string>;
  /** addPushSubscription stores (created true) or refreshes (false) this device's subscription. */
  addPushSubscription(input: AddPushSubscriptionInput): Promise<{ created: boolean }>;
  /** removePushSubscription forgets this device's subscription; an unknown one is no error. */
  removePushSubscription(endpoint: string): Promise<void>;
}

/** RestNotificationsAPI is NotificationsAPI over the REST routes, with the app's one HTTP client. */
export class RestNotificationsAPI implements NotificationsAPI {
  constructor(private readonly http: HttpClient) {}

  async pushKey(): Promise<string> {
    return (await this.http.get<{ publicKey: string }>('/push-key')).publicKey;
  }

  async addPushSubscription(input: AddPushSubscriptionInput): Promise<{ created: boolean }> {
    const { status } = await this.http.send('POST', '/add-push-subscription', input);
    return { created: status === 201 };
  }

  async removePushSubscription(endpoint: string): Promise<void> {
    await this.http.post('/remove-push-subscription', { endpoint });
  }
}
