import { invalidField } from '../../../api/memory-rules';
import type { AddPushSubscriptionInput, NotificationsAPI } from './notifications-api';

/**
 * DEMO_PUSH_KEY is the in-memory server's VAPID public key: RFC 8292's example key. The in-memory server sends no
 * Web Push (it has no push service to reach), so no private key goes with it.
 */
export const DEMO_PUSH_KEY = 'BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs';

/** core.MaxEndpointLength. */
const MAX_ENDPOINT = 1024;

/** decodedLength is the length of a base64url key (padded or not), or -1 when it is not base64url. */
function decodedLength(key: string): number {
  const bare = key.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(bare) || bare.length % 4 === 1) return -1;
  return Math.floor((bare.length * 3) / 4);
}

function checkKey(field: string, key: string, length: number): void {
  const got = decodedLength(key ?? '');
  if (got < 0) throw invalidField(field, 'is not base64url');
  if (got !== length) throw invalidField(field, `must be ${length} bytes, not ${got}`);
}

/**
 * MemoryNotifications is core's subscription rules over the memory store (core/notifications.go,
 * adapters/memory/notifications.go), with the local server's leniency: http endpoints on 127.0.0.1 and localhost.
 */
export class MemoryNotifications {
  /** user -> endpoint -> the subscription as stored. */
  private readonly subscriptions = new Map<string, Map<string, Required<AddPushSubscriptionInput>>>();

  add(user: string, input: AddPushSubscriptionInput): { created: boolean } {
    const endpoint = input.endpoint ?? '';
    if (endpoint === '' || endpoint.length > MAX_ENDPOINT) {
      throw invalidField('endpoint', `must be a push endpoint of at most ${MAX_ENDPOINT} bytes`);
    }
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw invalidField('endpoint', 'is not an absolute URL');
    }
    const loopback = url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
    if (url.protocol !== 'https:' && !loopback) throw invalidField('endpoint', 'must be an https URL');
    checkKey('keys.p256dh', input.keys?.p256dh, 65);
    if (!input.keys.p256dh.startsWith('B')) throw invalidField('keys.p256dh', 'is not an uncompressed P-256 public key');
    checkKey('keys.auth', input.keys.auth, 16);
    const mine = this.subscriptions.get(user) ?? new Map<string, Required<AddPushSubscriptionInput>>();
    this.subscriptions.set(user, mine);
    const created = !mine.has(endpoint);
    mine.set(endpoint, { endpoint, keys: { ...input.keys }, previews: input.previews ?? true });
    return { created };
  }

  remove(user: string, endpoint: string): void {
    if (!endpoint || endpoint.length > MAX_ENDPOINT) {
      throw invalidField('endpoint', `must be a push endpoint of at most ${MAX_ENDPOINT} bytes`);
    }
    this.subscriptions.get(user)?.delete(endpoint);
  }

  /** of is user's subscriptions, for tests. */
  of(user: string): Array<Required<AddPushSubscriptionInput>> {
    return [...(this.subscriptions.get(user)?.values() ?? [])];
  }
}

/** MemoryNotificationsAPI is one device's NotificationsAPI on a MemoryNotifications. */
export class MemoryNotificationsAPI implements NotificationsAPI {
  constructor(
    private readonly notifications: MemoryNotifications,
    private readonly me: string,
    private readonly run: <T>(fn: () => T) => Promise<T>,
  ) {}

  pushKey(): Promise<string> {
    return this.run(() => DEMO_PUSH_KEY);
  }
  addPushSubscription(input: AddPushSubscriptionInput): Promise<{ created: boolean }> {
    return this.run(() => this.notifications.add(this.me, input));
  }
  async removePushSubscription(endpoint: string): Promise<void> {
    await this.run(() => this.notifications.remove(this.me, endpoint));
  }
}
