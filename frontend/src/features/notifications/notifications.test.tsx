import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryChatAPI, MemoryChatServer } from '../../api/memory-chat-api';
import { FakeBrowserPush, uninstallFakePush } from '../../test/fake-push';
import { renderWithAPI } from '../../test/render';
import { NotificationsControl } from './components/NotificationsControl';
import { DEMO_PUSH_KEY } from './api/memory-notifications-api';
import { decodeKey, forgetThisDevice } from './push-device';

describe('notifications on this device', () => {
  let push: FakeBrowserPush;
  beforeEach(() => {
    push = new FakeBrowserPush();
    push.install();
  });
  afterEach(uninstallFakePush);

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

});
