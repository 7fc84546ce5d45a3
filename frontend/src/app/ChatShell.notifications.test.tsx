import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserPush, uninstallFakePush } from '../test/fake-push';
import { MemoryChatAPI } from '../api/memory-chat-api';
import { renderWithAPI, world } from '../test/render';
import { ChatShell } from './ChatShell';

describe('ChatShell and notifications', () => {
  let push: FakeBrowserPush;
  beforeEach(() => {
    push = new FakeBrowserPush();
    push.install();
  });
  afterEach(uninstallFakePush);

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

  it('clears the notification of a conversation read on another device', async () => {
    const { alice, bob } = world();
    const closed = vi.fn();
    push.shown.push({ tag: 'conv:alice@example.com', close: closed });
    const message = await alice.addMessage({ recipientNamespace: 'bob@example.com', message: 'hi' });
    renderWithAPI(<ChatShell me={bob.me} onSignOut={vi.fn()} />, bob);
    await screen.findByText('hi');
    expect(closed).not.toHaveBeenCalled();
    // Bob reads it on his phone.
    const phone = new MemoryChatAPI(bob.server, 'bob@example.com');
    await phone.ack({ recipientNamespace: 'alice@example.com', upTo: message.id, read: true });
    await waitFor(() => expect(closed).toHaveBeenCalled());
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
