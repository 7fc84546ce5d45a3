import { chatAPIContract } from './contract/chat-api.contract';
import { MemoryChatAPI, MemoryChatServer } from './memory-chat-api';

// The ChatAPI contract against the in-memory adapter: one server per test, as many people and devices as it asks.
chatAPIContract('in-memory adapter', () => {
  const server = new MemoryChatServer();
  return {
    signIn: async (email) => new MemoryChatAPI(server, email),
    close: () => {},
  };
});
