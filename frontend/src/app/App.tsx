import { lazy, Suspense, useEffect, useState } from 'react';
import { Splash } from './Landing';
import { loadBoot, type Boot } from './config';

const LiveApp = lazy(() => import('./LiveApp'));
const DemoApp = lazy(() => import('./DemoApp'));
const UpdatePrompt = lazy(() => import('./UpdatePrompt'));
const LiveFeedPage = lazy(() => import('../features/channels/components/LiveFeedPage'));

/** liveChannel is the channel of an anonymous live page, /live/<channel>; undefined on any other path. */
export function liveChannel(pathname: string = window.location.pathname): string | undefined {
  return /^\/live\/([a-z0-9-]{3,40})\/?$/.exec(pathname)?.[1];
}

/** App is the anonymous live page of a channel (/live/<channel>, no sign-in) or the chat app. */
export function App() {
  const [live] = useState(() => liveChannel());
  return live ? (
    <Suspense fallback={<Splash />}>
      <LiveFeedPage channel={live} />
    </Suspense>
  ) : (
    <ChatApp />
  );
}

/** ChatApp reads /config.json and starts either the live app or the offline demo. */
function ChatApp() {
  const [boot, setBoot] = useState<Boot>();

  useEffect(() => {
    void loadBoot().then(setBoot);
  }, []);

  let content;
  if (!boot) content = <Splash />;
  else if (boot.mode === 'live') content = <LiveApp config={boot.config} />;
  else if (boot.mode === 'demo') content = <DemoApp noConfig={boot.reason === 'no-config'} />;
  else
    content = (
      <main className="landing">
        <div className="landing-card" role="alert">
          <h1 className="landing-title">Parley is unavailable</h1>
          <p className="landing-lead">The app could not load its configuration ({boot.message}). Please try again later.</p>
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </main>
    );

  return (
    <>
      <Suspense fallback={<Splash />}>{content}</Suspense>
      {import.meta.env.PROD && (
        <Suspense fallback={null}>
          <UpdatePrompt />
        </Suspense>
      )}
    </>
  );
}
