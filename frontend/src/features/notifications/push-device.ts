import type { NotificationsAPI } from './api/notifications-api';

/**
 * This browser's side of Web Push: the permission, the PushManager subscription, and the previews choice. The
 * server keeps the subscription (NotificationsAPI); this keeps only what the browser already holds, so a person
 * sees here exactly what notifies them on this device.
 */

/** PushState is what this device does with notifications now. */
export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

const PREVIEWS_KEY = 'parley.notifications.previews';

/** pushSupported reports whether this browser can receive Web Push at all. */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** previewsOn is this device's choice of previews (default on). */
export function previewsOn(): boolean {
  try {
    return localStorage.getItem(PREVIEWS_KEY) !== 'off';
  } catch {
    return true;
  }
}

function rememberPreviews(on: boolean): void {
  try {
    localStorage.setItem(PREVIEWS_KEY, on ? 'on' : 'off');
  } catch {
    // Storage disabled: the choice holds until the page is closed, and the server keeps it.
  }
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.ready;
}

/** currentSubscription is this browser's push subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  return (await registration()).pushManager.getSubscription();
}

/** pushState reads this device's state without asking the person anything. */
export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const subscription = await currentSubscription();
  return subscription && Notification.permission === 'granted' ? 'on' : 'off';
}

/** decodeKey turns a base64url key into bytes for PushManager.subscribe. */
export function decodeKey(key: string): Uint8Array<ArrayBuffer> {
  const base64 = key.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (key.length % 4)) % 4);
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** sameKey reports whether subscription was made with the key the server signs with now. */
function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const made = subscription.options.applicationServerKey;
  if (!made) return false;
  const bytes = new Uint8Array(made);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

async function store(api: NotificationsAPI, subscription: PushSubscription, previews: boolean): Promise<void> {
  const json = subscription.toJSON();
  await api.addPushSubscription({
    endpoint: subscription.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    previews,
  });
}

/**
 * turnOn asks for the permission (call it from a click: browsers prompt only for a gesture), subscribes this
 * browser with the server's key and stores the subscription. It returns the state it reached.
 */
export async function turnOn(api: NotificationsAPI, previews: boolean = previewsOn()): Promise<PushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const key = decodeKey(await api.pushKey());
  const manager = (await registration()).pushManager;
  let subscription = await manager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  rememberPreviews(previews);
  await store(api, subscription, previews);
  return 'on';
}

/** turnOff removes this device's subscription from the server and the browser. */
export async function turnOff(api: NotificationsAPI): Promise<PushState> {
  const subscription = await currentSubscription();
  if (subscription) {
    await api.removePushSubscription(subscription.endpoint);
    await subscription.unsubscribe();
  }
  return pushSupported() ? (Notification.permission === 'denied' ? 'denied' : 'off') : 'unsupported';
}

/** setPreviews changes whether this device's notifications show the start of the text. */
export async function setPreviews(api: NotificationsAPI, on: boolean): Promise<void> {
  rememberPreviews(on);
  const subscription = await currentSubscription();
  if (subscription) await store(api, subscription, on);
}

/**
 * refresh stores this device's subscription again when notifications are on: the server forgets a device that
 * does not (after 60 days), and a rotated key needs a new subscription. It never prompts.
 */
export async function refresh(api: NotificationsAPI): Promise<void> {
  if ((await pushState()) !== 'on') return;
  await turnOn(api);
}

/** forgetThisDevice is sign-out's part: the server stops notifying this browser, which forgets its subscription. */
export async function forgetThisDevice(api: NotificationsAPI): Promise<void> {
  try {
    await turnOff(api);
  } catch {
    // Signing out goes on: a subscription the push service still holds is removed on its next 404/410, or expires.
  }
}

/** clearNotifications closes this device's notifications of the conversation with email, once it is on screen. */
export async function clearNotifications(email: string): Promise<void> {
  if (!pushSupported()) return;
  const shown = await (await registration()).getNotifications({ tag: `conv:${email}` });
  for (const n of shown) n.close();
}
