import { useState } from 'react';
import { ChatAPIProvider } from '../api/ChatAPIContext';
import { createDemoAPI, DEMO_USER } from '../api/demo';
import { ChatShell } from './ChatShell';

/** DemoApp runs Parley offline on the in-memory adapter. */
export default function DemoApp({ noConfig = false }: { noConfig?: boolean }) {
  const [api] = useState(createDemoAPI);
  const banner = noConfig ? (
    <div className="session-banner session-banner-info" role="status">
      <span>No /config.json found: running the offline demo on in-memory data.</span>
    </div>
  ) : undefined;
  return (
    <ChatAPIProvider api={api}>
      <ChatShell
        me={DEMO_USER}
        badge="Demo"
        banner={banner}
        onSignOut={() => {
          window.location.assign('/');
        }}
      />
    </ChatAPIProvider>
  );
}
