import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryChatAPI, MemoryChatServer } from '../../api/memory-chat-api';
import { renderWithAPI, world } from '../../test/render';
import { ChatShell } from '../../app/ChatShell';
import { NotificationsControl } from './components/NotificationsControl';
import { DEMO_PUSH_KEY } from './api/memory-notifications-api';
import { decodeKey, forgetThisDevice } from './push-device';

/** FakeBrowserPush is the browser's Push API as the tests answer it: a permission prompt and a PushManager. */
class FakeBrowserPush {
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

describe('notifications on this device', () => {
  let push: FakeBrowserPush;
  beforeEach(() => {
    push = new FakeBrowserPush();
    push.install();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    Reflect.deleteProperty(navigator, 'serviceWorker');
  });

  it('asks for the permission only after the click, subscribes with the server’s key and stores the device', async () => {
    const user = userEvent.setup();
    const server = new MemoryChatServer();
    const api = new MemoryChatAPI(server, 'bob@example.com');
    renderWithAPI(<NotificationsControl />, api);
    const button = await screen.findByRole('button', { name: 'Notify me' });
    expect(push.prompts).toBe(0);

    await user.click(button);
    expect(await screen.findByRole('button', { name: 'Notifications on' })).toHaveAttribute('aria-pressed', 'true');
    expect(push.prompts).toBe(1);
    expect(push.subscribedWith).toEqual(decodeKey(DEMO_PUSH_KEY));
    expect(server.notifications.of('bob@example.com')).toEqual([
      { endpoint: 'https://push.example.com/send/this-device', keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) }, previews: true },
    ]);

    await user.click(screen.getByRole('checkbox', { name: 'Show message text' }));
    await waitFor(() => expect(server.notifications.of('bob@example.com')[0]?.previews).toBe(false));

    await user.click(screen.getByRole('button', { name: 'Notifications on' }));
    expect(await screen.findByRole('button', { name: 'Notify me' })).toBeInTheDocument();
    expect(server.notifications.of('bob@example.com')).toEqual([]);
    expect(push.subscription).toBeNull();
  });

  it('says so when the browser’s notifications are blocked', async () => {
    const user = userEvent.setup();
    push.answer = 'denied';
    const api = new MemoryChatAPI(new MemoryChatServer(), 'bob@example.com');
    renderWithAPI(<NotificationsControl />, api);
    await user.click(await screen.findByRole('button', { name: 'Notify me' }));
    expect(await screen.findByText('Notifications are blocked in this browser’s settings.')).toBeInTheDocument();
  });

  it('forgets this device at sign-out', async () => {
    const server = new MemoryChatServer();
    const api = new MemoryChatAPI(server, 'bob@example.com');
    push.permission = 'granted';
    await api.notifications.addPushSubscription({ endpoint: 'https://push.example.com/send/this-device', keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) } });
    await navigator.serviceWorker.ready.then((r) => r.pushManager.subscribe({ applicationServerKey: decodeKey(DEMO_PUSH_KEY) }));
    await forgetThisDevice(api.notifications);
    expect(server.notifications.of('bob@example.com')).toEqual([]);
    expect(push.subscription).toBeNull();
  });

  it('opens the conversation a notification’s click asks for, in a new tab and in an open one, and clears it', async () => {
    const { server, bob } = world();
    server.addContact('bob@example.com', { email: 'carol@example.com', name: 'Carol' });
    const closed = vi.fn();
    push.shown.push({ tag: 'conv:alice@example.com', close: closed });
    window.history.replaceState(null, '', '/?with=alice%40example.com');
    renderWithAPI(<ChatShell me={bob.me} onSignOut={vi.fn()} />, bob);
    expect(await screen.findByRole('heading', { name: 'Alice', level: 2 })).toBeInTheDocument();
    expect(window.location.search).toBe('');
    await waitFor(() => expect(closed).toHaveBeenCalled());

    // The service worker focuses this tab and tells it which conversation to open.
    navigator.serviceWorker.dispatchEvent(new MessageEvent('message', { data: { type: 'open-conversation', with: 'carol@example.com' } }));
    expect(await screen.findByRole('heading', { name: 'Carol', level: 2 })).toBeInTheDocument();
  });

  it('says the tab’s visibility as it changes', async () => {
    const { bob } = world();
    const said = vi.spyOn(bob, 'visibility');
    renderWithAPI(<ChatShell me={bob.me} onSignOut={vi.fn()} />, bob);
    await waitFor(() => expect(said).toHaveBeenCalled());
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    window.dispatchEvent(new Event('blur'));
    await waitFor(() => expect(said.mock.calls.at(-1)).toEqual([false]));
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => expect(said.mock.calls.at(-1)).toEqual([true]));
  });
});
