import { useRegisterSW } from 'virtual:pwa-register/react';

const HOUR = 60 * 60 * 1000;

/** UpdatePrompt registers the service worker and offers a reload when a new version is waiting. */
export default function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      setInterval(() => {
        if (!document.hidden && navigator.onLine) void registration.update();
      }, HOUR);
    },
  });

  if (!needRefresh) return null;
  return (
    <div className="toast" role="status" aria-live="polite">
      <span>A new version is available.</span>
      <button type="button" className="btn btn-primary btn-small" onClick={() => void updateServiceWorker(true)}>
        Reload
      </button>
      <button type="button" className="btn btn-ghost btn-small" onClick={() => setNeedRefresh(false)}>
        Later
      </button>
    </div>
  );
}
