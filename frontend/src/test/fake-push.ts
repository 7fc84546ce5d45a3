import { vi } from 'vitest';

/** FakeBrowserPush is the browser's Push API as the tests answer it: a permission prompt and a PushManager. */
export class FakeBrowserPush {
  permission: NotificationPermission = 'default';
  answer: NotificationPermission = 'granted';
  prompts = 0;
  subscription: PushSubscription | null = null;
  subscribedWith?: Uint8Array;
  shown: Array<{ tag: string; close: () => void }> = [];

  install() {
    const push = this;
    const manager = {
      getSubscription: async () => push.subscription,
      subscribe: async (options: PushSubscriptionOptionsInit) => {
        push.subscribedWith = new Uint8Array(options.applicationServerKey as ArrayBuffer);
        const endpoint = 'https://push.example.com/send/this-device';
        push.subscription = {
          endpoint,
          options: { applicationServerKey: push.subscribedWith.buffer, userVisibleOnly: true },
          toJSON: () => ({ endpoint, keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) } }),
          unsubscribe: async () => {
            push.subscription = null;
            return true;
          },
        } as unknown as PushSubscription;
        return push.subscription;
      },
    };
    const registration = {
      pushManager: manager,
      getNotifications: async ({ tag }: { tag: string }) => push.shown.filter((n) => n.tag === tag),
    };
    vi.stubGlobal('PushManager', function PushManager() {});
    vi.stubGlobal(
      'Notification',
      Object.assign(function Notification() {}, {
        get permission() {
          return push.permission;
        },
        requestPermission: async () => {
          push.prompts += 1;
          push.permission = push.answer;
          return push.permission;
        },
      }),
    );
    Object.defineProperty(navigator, 'serviceWorker', {
      configurable: true,
      value: Object.assign(new EventTarget(), { ready: Promise.resolve(registration) }),
    });
  }
}

/** uninstallFakePush takes FakeBrowserPush.install back. */
export function uninstallFakePush(): void {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'serviceWorker');
}
