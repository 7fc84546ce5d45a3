import { createContext, useContext, type ReactNode } from 'react';
import type { ChatAPI } from './chat-api';

const ChatAPIContext = createContext<ChatAPI | null>(null);

/** ChatAPIProvider hands the ChatAPI port to every view below it. */
export function ChatAPIProvider({ api, children }: { api: ChatAPI; children: ReactNode }) {
  return <ChatAPIContext.Provider value={api}>{children}</ChatAPIContext.Provider>;
}

/** useChatAPI returns the ChatAPI port; views never import an adapter. */
export function useChatAPI(): ChatAPI {
  const api = useContext(ChatAPIContext);
  if (!api) throw new Error('useChatAPI must be used inside a ChatAPIProvider');
  return api;
}
