import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { ChannelsAPI } from '../features/channels/api/channels-api';
import { Outbox, outboxKey } from '../features/messages/outbox';
import { AckBatcher } from '../features/receipts/ack-batcher';
import type { ChatAPI } from './chat-api';

/** ChatSession is what one signed-in user's views share besides the port: the outbox and the receipts. */
export interface ChatSession {
  api: ChatAPI;
  outbox: Outbox;
  acks: AckBatcher;
}

const APIContext = createContext<ChatAPI | null>(null);
const ChatSessionContext = createContext<ChatSession | null>(null);

function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/**
 * APIProvider hands the port (ChatAPI, with its ChannelsAPI) to every view below it and does nothing else: the
 * channel studio needs no outbox and opens no connection.
 */
export function APIProvider({ api, children }: { api: ChatAPI; children: ReactNode }) {
  return <APIContext.Provider value={api}>{children}</APIContext.Provider>;
}

/**
 * ChatAPIProvider hands the ChatAPI port to every view below it, with the session built on it: an outbox kept
 * in localStorage under the user's name and sent again whenever the connection comes back, and the receipts.
 */
export function ChatAPIProvider({ api, children }: { api: ChatAPI; children: ReactNode }) {
  const session = useMemo<ChatSession>(
    () => ({
      api,
      outbox: new Outbox({ api, storage: browserStorage(), key: outboxKey(api.me) }),
      acks: new AckBatcher(api),
    }),
    [api],
  );

  useEffect(() => {
    const { outbox, acks } = session;
    const unsubscribe = api.subscribe((event) => {
      if (event.type === 'connection' && event.state === 'open') outbox.kick();
    });
    const online = () => outbox.kick();
    window.addEventListener('online', online);
    // Whatever waited from an earlier visit goes out now.
    outbox.kick();
    return () => {
      unsubscribe();
      window.removeEventListener('online', online);
      void acks.flush();
    };
  }, [api, session]);

  return (
    <APIProvider api={api}>
      <ChatSessionContext.Provider value={session}>{children}</ChatSessionContext.Provider>
    </APIProvider>
  );
}

/** useChatSession returns the session of the signed-in user. */
export function useChatSession(): ChatSession {
  const session = useContext(ChatSessionContext);
  if (!session) throw new Error('useChatSession must be used inside a ChatAPIProvider');
  return session;
}

/** useChatAPI returns the ChatAPI port; views never import an adapter. */
export function useChatAPI(): ChatAPI {
  const api = useContext(APIContext);
  if (!api) throw new Error('useChatAPI must be used inside an APIProvider or a ChatAPIProvider');
  return api;
}

/** useChannelsAPI returns the write side of live feeds, from the same port. */
export function useChannelsAPI(): ChannelsAPI {
  return useChatAPI().channels;
}
