import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AppConfig } from './config';

/** createUserManager configures authorization code + PKCE against the configured authority. */
export function createUserManager(config: AppConfig, origin: string = window.location.origin): UserManager {
  const root = `${origin}/`;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientID,
    redirect_uri: root,
    post_logout_redirect_uri: root,
    response_type: 'code',
    scope: 'openid email profile',
    automaticSilentRenew: true,
    // Keep the session for this tab only: a reload keeps you signed in, closing the tab forgets the tokens.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    // Cognito's discovery document names no revocation endpoint; signing out revokes the refresh token there.
    ...(config.cognitoDomain ? { metadataSeed: { revocation_endpoint: `${config.cognitoDomain}/oauth2/revoke` } } : {}),
  });
}

/** stripAuthParams removes the code/state (or error) of a sign-in callback from the address bar. */
export function stripAuthParams(): void {
  const url = new URL(window.location.href);
  for (const key of ['code', 'state', 'session_state', 'iss', 'error', 'error_description', 'error_uri']) {
    url.searchParams.delete(key);
  }
  window.history.replaceState(window.history.state, document.title, url.pathname + url.search + url.hash);
}
