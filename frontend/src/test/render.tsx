import { render, type RenderOptions } from '@testing-library/react';
import type { ReactElement } from 'react';
import { APIProvider, ChatAPIProvider } from '../api/ChatAPIContext';
import type { ChannelsAPI } from '../features/channels/api/channels-api';
import type { ChatAPI } from '../api/chat-api';
import { UNMETERED } from '../features/budget/api/memory-budget';
import { MemoryChatAPI, MemoryChatServer } from '../api/memory-chat-api';

/** renderWithAPI renders ui with api as the ChatAPI port. */
export function renderWithAPI(ui: ReactElement, api: ChatAPI, options?: RenderOptions) {
  return render(<ChatAPIProvider api={api}>{ui}</ChatAPIProvider>, options);
}

/** renderWithChannels renders ui below the port of a signed-in me whose channels are the given ChannelsAPI. */
export function renderWithChannels(ui: ReactElement, channels: ChannelsAPI, me = 'host@example.com') {
  const api: ChatAPI = Object.assign(new MemoryChatAPI(new MemoryChatServer(), me), { channels });
  return render(<APIProvider api={api}>{ui}</APIProvider>);
}

/** world builds a server with Alice and Bob, who have added each other. */
export function world() {
  // Component tests send faster than people do; the budget has its own tests (the ChatAPI contract).
  const server = new MemoryChatServer({ sendLimit: UNMETERED });
  const alice = new MemoryChatAPI(server, 'alice@example.com');
  const bob = new MemoryChatAPI(server, 'bob@example.com');
  server.addContact('alice@example.com', { email: 'bob@example.com', name: 'Bob' });
  server.addContact('bob@example.com', { email: 'alice@example.com', name: 'Alice' });
  return { server, alice, bob };
}

/** deferred returns a promise and the functions that settle it. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
