import { lazy, Suspense, useEffect, useState } from 'react';
import { Splash } from './components/Landing';
import { loadBoot, type Boot } from './config';

const LiveApp = lazy(() => import('./auth/LiveApp'));
const DemoApp = lazy(() => import('./DemoApp'));
const UpdatePrompt = lazy(() => import('./components/UpdatePrompt'));

/** App reads /config.json and starts either the live app or the offline demo. */
export function App() {
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
