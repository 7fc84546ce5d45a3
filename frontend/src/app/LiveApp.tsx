import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { AuthProvider, useAuth } from 'react-oidc-context';
import type { UserManager } from 'oidc-client-ts';
import { APIProvider, ChatAPIProvider } from '../api/ChatAPIContext';
import { RestChatAPI } from '../api/rest-chat-api';
import { forgetThisDevice } from '../features/notifications/push-device';
import { ChatShell } from './ChatShell';
import { Landing, Splash } from './Landing';
import { cognitoLogoutURL, type AppConfig } from './config';
import { outboxKey } from '../features/messages/outbox';
import { createUserManager, stripAuthParams } from './user-manager';

const ChannelStudio = lazy(() => import('../features/channels/components/ChannelStudio'));

/** LiveApp is the real app: OIDC sign-in (code + PKCE), then the chat over the REST API. */
export default function LiveApp({ config }: { config: AppConfig }) {
  const [userManager] = useState(() => createUserManager(config));
  return (
    <AuthProvider
      userManager={userManager}
      onSigninCallback={stripAuthParams}
      matchSignoutCallback={() => {
        // A sign-in error comes back as ?error=...&state=...: that is not a sign-out.
        const params = new URLSearchParams(window.location.search);
        return params.has('state') && !params.has('code') && !params.has('error');
      }}
      onSignoutCallback={stripAuthParams}
    >
      <SignedIn config={config} userManager={userManager} />
    </AuthProvider>
  );
}

function SignedIn({ config, userManager }: { config: AppConfig; userManager: UserManager }) {
  const auth = useAuth();
  const [sessionExpired, setSessionExpired] = useState(false);
  const [redirecting, setRedirecting] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signInError, setSignInError] = useState<string>();
  const tokenRef = useRef<string | undefined>(undefined);
  tokenRef.current = auth.user?.id_token;
  const email = typeof auth.user?.profile.email === 'string' ? auth.user.profile.email.toLowerCase() : undefined;

  const api = useMemo(
    () =>
      new RestChatAPI({
        apiURL: config.apiURL,
        getToken: () => tokenRef.current,
        onUnauthorized: () => setSessionExpired(true),
        ...(email ? { me: email } : {}),
        ...(config.wsURL ? { wsURL: config.wsURL } : {}),
      }),
    [config.apiURL, config.wsURL, email],
  );
  useEffect(() => () => api.close(), [api]);

  useEffect(() => {
    const expired = () => setSessionExpired(true);
    const renewed = (user?: { id_token?: string }) => {
      setSessionExpired(false);
      // The socket was opened with the old token: replace it with one made with the new token.
      if (user?.id_token) tokenRef.current = user.id_token;
      api.renewConnection();
    };
    userManager.events.addAccessTokenExpired(expired);
    userManager.events.addSilentRenewError(expired);
    userManager.events.addUserLoaded(renewed);
    return () => {
      userManager.events.removeAccessTokenExpired(expired);
      userManager.events.removeSilentRenewError(expired);
      userManager.events.removeUserLoaded(renewed);
    };
  }, [userManager, api]);

  // The UserManager, not auth.signinRedirect/signoutRedirect: react-oidc-context's wrappers swallow a failure
  // (they resolve with null), so the button would stay "Redirecting…" and the fallbacks below would never run.
  const signIn = () => {
    setRedirecting(true);
    setSignInError(undefined);
    userManager.signinRedirect().catch((err: unknown) => {
      setRedirecting(false);
      setSignInError(err instanceof Error ? err.message : 'Could not reach the sign-in page.');
    });
  };

  const signOut = async () => {
    setSigningOut(true);
    // This device stops being notified for someone who signed out of it.
    await forgetThisDevice(api.notifications);
    api.close();
    // Unsent messages are this person's words: they do not stay on a computer they signed out of.
    try {
      localStorage.removeItem(outboxKey(email));
    } catch {
      // Storage disabled: nothing was kept there either.
    }
    // The refresh token could renew this session anywhere it was copied to: revoke it, not only forget it.
    await userManager.revokeTokens(['refresh_token']).catch(() => {
      // No revocation endpoint (the development sign-in) or no network: the sign-out below still ends this tab's session.
    });
    const logout = cognitoLogoutURL(config);
    if (!logout) {
      try {
        await userManager.signoutRedirect();
        return;
      } catch {
        // No end_session_endpoint: forgetting the tokens is all we can do.
      }
    }
    await auth.removeUser();
    window.location.assign(logout ?? '/');
  };

  if (signingOut) return <Splash text="Signing you out…" />;
  if (auth.isLoading || auth.activeNavigator) return <Splash text="Signing you in…" />;

  if (!auth.user) {
    return <Landing onSignIn={signIn} busy={redirecting} error={signInError ?? auth.error?.message} />;
  }
  if (!auth.isAuthenticated) {
    // A stored session that expired while the app was closed.
    return <Landing onSignIn={signIn} busy={redirecting} expired error={signInError} />;
  }

  const banner = sessionExpired ? (
    <div className="session-banner" role="alert">
      <span>
        Your session has expired. {signInError ? `Sign-in failed: ${signInError}` : 'Sign in again to keep chatting.'}
      </span>
      <button type="button" className="btn btn-primary btn-small" onClick={signIn} disabled={redirecting}>
        Sign in again
      </button>
    </div>
  ) : undefined;

  // Tests replace window.location with an object that may have no pathname.
  if (email && window.location.pathname?.startsWith('/channels')) {
    return (
      <Suspense fallback={<Splash />}>
        {banner}
        <APIProvider api={api}>
          <ChannelStudio me={email} />
        </APIProvider>
      </Suspense>
    );
  }

  return (
    <ChatAPIProvider api={api}>
      <ChatShell {...(email ? { me: email } : {})} onSignOut={() => void signOut()} banner={banner} />
    </ChatAPIProvider>
  );
}
