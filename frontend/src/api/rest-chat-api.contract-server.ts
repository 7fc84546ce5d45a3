import { inject } from 'vitest';
import { chatAPIContract } from './contract/chat-api.contract';
import { RestChatAPI } from './rest-chat-api';
import type { Connectivity, WebSocketLike } from '../features/realtime/api/realtime-socket';

// The ChatAPI contract against the REST adapter (and its WebSocket client) talking to the real local server,
// signing people in through its development sign-in. Run by scripts/test-contract.sh (vitest.contract.config.ts).

declare module 'vitest' {
  export interface ProvidedContext {
    parleyBaseURL: string;
  }
}

interface SPAConfig {
  apiURL: string;
  wsURL: string;
  authority: string;
  clientID: string;
}

const base = inject('parleyBaseURL').replace(/\/+$/, '');

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const config = await json<SPAConfig>(await fetch(`${base}/config.json`), 'config.json');
const discovery = await json<{ authorization_endpoint: string; token_endpoint: string }>(
  await fetch(`${config.authority.replace(/\/+$/, '')}/.well-known/openid-configuration`),
  'OIDC discovery',
);

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** signInToken goes through the development sign-in as a browser does (code flow with PKCE) and returns the ID token. */
async function signInToken(email: string): Promise<string> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(48)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const redirectURI = `${base}/`;
  const form = new URLSearchParams({
    client_id: config.clientID,
    redirect_uri: redirectURI,
    response_type: 'code',
    scope: 'openid email',
    state: 'contract',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    email,
  });
  const authorized = await fetch(discovery.authorization_endpoint, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(authorized.headers.get('Location') ?? base).searchParams.get('code');
  if (!code) throw new Error(`sign-in as ${email}: ${authorized.status} ${await authorized.text()}`);
  const tokens = await json<{ id_token: string }>(
    await fetch(discovery.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectURI, client_id: config.clientID, code_verifier: verifier }),
    }),
    `token for ${email}`,
  );
  return tokens.id_token;
}

/** A device that stays online: the suite tests the server, not the network. */
const online: Connectivity = { online: () => true, on: () => () => {} };

chatAPIContract('REST adapter on the local server', () => {
  const opened: RestChatAPI[] = [];
  return {
    async signIn(email) {
      const token = await signInToken(email);
      const api = new RestChatAPI({
        apiURL: config.apiURL,
        wsURL: config.wsURL,
        me: email,
        getToken: () => token,
        socket: {
          connectivity: online,
          createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
        },
      });
      opened.push(api);
      return api;
    },
    close() {
      for (const api of opened.splice(0)) api.close();
    },
  };
});
