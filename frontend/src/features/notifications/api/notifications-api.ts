import type { HttpClient } from '../../../lib/http-client';

/** PushSubscriptionKeys are a browser subscription's keys, base64url, as PushSubscription.toJSON() gives them. */
export interface PushSubscriptionKeys {
  p256dh: string;
  auth: string;
}

/** NotificationsAPI is the Web Push part of the API: the deployment's VAPID key and this device's subscription. */
export interface NotificationsAPI {
  /** pushKey is the VAPID public key (base64url) a browser subscribes with. */
  pushKey(): Promise<string>;
  /** addPushSubscription stores (or refreshes) this device's subscription; previews says whether texts are shown. */
  addPushSubscription(endpoint: string, keys: PushSubscriptionKeys, previews: boolean): Promise<void>;
  /** removePushSubscription forgets this device's subscription; an unknown one is no error. */
  removePushSubscription(endpoint: string): Promise<void>;
}

/** restNotificationsAPI is NotificationsAPI over the REST routes, with the one HTTP client of the app. */
export function restNotificationsAPI(http: HttpClient): NotificationsAPI {
  return {
    async pushKey() {
      return (await http.get<{ publicKey: string }>('/push-key')).publicKey;
    },
    async addPushSubscription(endpoint, keys, previews) {
      await http.post('/add-push-subscription', { endpoint, keys, previews });
    },
    async removePushSubscription(endpoint) {
      await http.post('/remove-push-subscription', { endpoint });
    },
  };
}
