import { screen, waitFor, within, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { RestChatAPI } from '../api/rest-chat-api';
import { FakeSocket } from '../test/fake-socket';
import LiveApp from './LiveApp';

// react-oidc-context and the user manager are replaced by controllable fakes: these tests cover
// what the app does with the sign-in state, not the OIDC library.
const auth = vi.hoisted(() => ({
  state: {} as Record<string, unknown>,
  listeners: {} as Record<string, Array<() => void>>,
  manager: {} as {
    signinRedirect?: Mock<() => Promise<void>>;
    signoutRedirect?: Mock<() => Promise<void>>;
    revokeTokens?: Mock<(types: string[]) => Promise<void>>;
  },
}));

vi.mock('react-oidc-context', () => ({
  AuthProvider: ({ children }: { children: ReactNode }) => children,
  useAuth: () => auth.state,
}));

vi.mock('./user-manager', () => {
  const on = (name: string) => (cb: () => void) => {
    (auth.listeners[name] ??= []).push(cb);
  };
  const off = (name: string) => (cb: () => void) => {
    auth.listeners[name] = (auth.listeners[name] ?? []).filter((c) => c !== cb);
  };
  return {
    stripAuthParams: vi.fn(),
    createUserManager: () => ({
      signinRedirect: () => auth.manager.signinRedirect!(),
      signoutRedirect: () => auth.manager.signoutRedirect!(),
      revokeTokens: (types: string[]) => auth.manager.revokeTokens!(types),
      events: {
        addAccessTokenExpired: on('expired'),
        removeAccessTokenExpired: off('expired'),
        addSilentRenewError: on('renewError'),
        removeSilentRenewError: off('renewError'),
        addUserLoaded: on('loaded'),
        removeUserLoaded: off('loaded'),
      },
    }),
  };
});

const config = { apiURL: 'http://api.test/', authority: 'http://idp.test', clientID: 'parley-local' };
const signedIn = () => ({
  isLoading: false,
  isAuthenticated: true,
  activeNavigator: undefined,
  error: undefined,
  user: { id_token: 'ID.TOKEN', access_token: 'ACCESS', expired: false, profile: { email: 'Alice@Example.com' } },
  removeUser: vi.fn(async () => {}),
});
// A redirect that works never settles: the page goes away.
const navigating = () => new Promise<void>(() => {});

describe('LiveApp', () => {
  let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;

  beforeEach(() => {
    auth.listeners = {};
    auth.manager = { signinRedirect: vi.fn(navigating), signoutRedirect: vi.fn(navigating), revokeTokens: vi.fn(async () => {}) };
    fetchMock = vi.fn<typeof fetch>(async () => new Response('[]', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('offers to sign in when signed out', async () => {
    const user = userEvent.setup();
    auth.state = { ...signedIn(), isAuthenticated: false, user: undefined };
    render(<LiveApp config={config} />);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(auth.manager.signinRedirect).toHaveBeenCalledOnce();
  });

  it('shows why sign-in could not start and lets you try again', async () => {
    const user = userEvent.setup();
    auth.state = { ...signedIn(), isAuthenticated: false, user: undefined };
    auth.manager.signinRedirect!.mockRejectedValueOnce(new Error('Failed to fetch'));
    render(<LiveApp config={config} />);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Failed to fetch');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(auth.manager.signinRedirect).toHaveBeenCalledTimes(2);
  });

  it('forgets the tokens and goes home when the provider has no sign-out endpoint', async () => {
    const user = userEvent.setup();
    auth.state = signedIn();
    auth.manager.signoutRedirect!.mockRejectedValueOnce(new Error('No end session endpoint'));
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    render(<LiveApp config={config} />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('/'));
    expect(auth.state.removeUser).toHaveBeenCalled();
  });

  it('asks to sign in again when the stored session has expired', () => {
    auth.state = { ...signedIn(), isAuthenticated: false };
    render(<LiveApp config={config} />);
    expect(screen.getByText('Your session has expired. Please sign in again.')).toBeInTheDocument();
  });

  it('calls the API with the ID token, not the access token', async () => {
    auth.state = signedIn();
    render(<LiveApp config={config} />);
    expect(await screen.findByText('No conversations yet')).toBeInTheDocument();
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('http://api.test/get-contacts');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer ID.TOKEN');
    expect(screen.getByText('alice@example.com')).toBeInTheDocument();
  });

  it('shows a sign-in-again banner when the API refuses the token', async () => {
    const user = userEvent.setup();
    auth.state = signedIn();
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ code: 'unauthorized', message: 'expired' }), { status: 401 }));
    render(<LiveApp config={config} />);
    const banner = (await screen.findByText(/Your session has expired/)).closest('.session-banner') as HTMLElement;
    await user.click(within(banner).getByRole('button', { name: 'Sign in again' }));
    expect(auth.manager.signinRedirect).toHaveBeenCalledOnce();
  });

  it('shows the banner when silent renew fails, and hides it when a new token arrives', async () => {
    auth.state = signedIn();
    render(<LiveApp config={config} />);
    await screen.findByText('No conversations yet');
    auth.listeners.renewError?.forEach((cb) => cb());
    expect(await screen.findByRole('button', { name: 'Sign in again' })).toBeInTheDocument();
    auth.listeners.loaded?.forEach((cb) => cb());
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Sign in again' })).toBeNull());
  });

  it('replaces the realtime connection when the token is renewed', async () => {
    auth.state = signedIn();
    vi.stubGlobal('WebSocket', FakeSocket);
    const renew = vi.spyOn(RestChatAPI.prototype, 'renewConnection');
    render(<LiveApp config={{ ...config, wsURL: 'ws://api.test/ws' }} />);
    await screen.findByText('No conversations yet');
    expect(renew).not.toHaveBeenCalled();
    auth.listeners.loaded?.forEach((cb) => (cb as (u: unknown) => void)({ id_token: 'NEW.TOKEN' }));
    expect(renew).toHaveBeenCalledOnce();
  });

  it('signs out through Cognito when a Cognito domain is configured', async () => {
    const user = userEvent.setup();
    auth.state = signedIn();
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, origin: 'https://chat.example.com', assign });
    render(<LiveApp config={{ ...config, cognitoDomain: 'https://d.auth.eu-west-1.amazoncognito.com' }} />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() =>
      expect(assign).toHaveBeenCalledWith(
        'https://d.auth.eu-west-1.amazoncognito.com/logout?client_id=parley-local&logout_uri=https%3A%2F%2Fchat.example.com%2F',
      ),
    );
    expect(auth.state.removeUser).toHaveBeenCalled();
    expect(auth.manager.signoutRedirect).not.toHaveBeenCalled();
    expect(auth.manager.revokeTokens).toHaveBeenCalledWith(['refresh_token']);
  });

  it('signs out even when the refresh token cannot be revoked', async () => {
    const user = userEvent.setup();
    auth.state = signedIn();
    auth.manager.revokeTokens!.mockRejectedValueOnce(new Error('no revocation endpoint'));
    render(<LiveApp config={config} />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(auth.manager.signoutRedirect).toHaveBeenCalledOnce());
  });

  it('signs out through the provider otherwise, leaving no unsent message behind', async () => {
    const user = userEvent.setup();
    auth.state = signedIn();
    localStorage.setItem('parley.outbox.v1.alice@example.com', '[]');
    localStorage.setItem('parley.outbox.v1.bob@example.com', '[]');
    render(<LiveApp config={config} />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(auth.manager.signoutRedirect).toHaveBeenCalledOnce();
    expect(localStorage.getItem('parley.outbox.v1.alice@example.com')).toBeNull();
    expect(localStorage.getItem('parley.outbox.v1.bob@example.com')).toBe('[]');
  });
});
