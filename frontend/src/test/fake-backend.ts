import { ApiError, type ChatEvent } from '../api/chat-api';
import type { MemoryChatServer } from '../api/memory-chat-api';
import type { FakeSocket } from './fake-socket';

/**
 * fakeBackend serves the REST routes and the WebSocket frames of the contract from a MemoryChatServer, so the
 * REST adapter and its socket client can be tested whole without a network. The bearer token is the email.
 * `down` makes every request fail as a cut network does.
 */
export function fakeBackend(server: MemoryChatServer) {
  const state = { down: false };

  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (state.down) throw new TypeError('Failed to fetch');
    const url = new URL(String(input));
    const me = String((init?.headers as Record<string, string> | undefined)?.Authorization ?? '').replace(/^Bearer /, '');
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    const q = url.searchParams;
    try {
      const result = ((): unknown => {
        switch (url.pathname) {
          case '/get-contacts':
            return server.getContacts(me);
          case '/add-message':
            return server.addMessage(me, body as never);
          case '/ack':
            return server.ack(me, body as never);
          case '/get-messages':
            return server.getMessages(me, {
              recipientNamespace: q.get('recipientNamespace') ?? '',
              ...(q.has('limit') ? { limit: Number(q.get('limit')) } : {}),
              ...(q.has('before') ? { before: q.get('before')! } : {}),
              ...(q.has('after') ? { after: q.get('after')! } : {}),
            });
          default:
            throw new ApiError('not_found', `no route ${url.pathname}`, 404);
        }
      })();
      return new Response(JSON.stringify(result), { status: 200, headers: { 'Content-Type': 'application/json' } });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return new Response(JSON.stringify({ code: err.code, message: err.message }), { status: err.status || 500 });
    }
  };

  /** accept completes a socket's handshake and connects it to the server as the user of its token. */
  const accept = (socket: FakeSocket): (() => void) => {
    const bearer = socket.protocols.find((p) => p.startsWith('bearer.'));
    const user = bearer?.slice('bearer.'.length) ?? '';
    socket.accept();
    const disconnect = server.connect(user, (event: ChatEvent) => {
      if (socket.readyState === 1) socket.receive(event);
    });
    const close = socket.close.bind(socket);
    socket.close = (code?: number) => {
      disconnect();
      close(code);
    };
    return disconnect;
  };

  return { fetch, accept, state };
}
