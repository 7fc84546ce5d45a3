import { useNotifications } from '../hooks/useNotifications';

/**
 * NotificationsControl turns notifications on and off for this browser and chooses previews. The browser asks
 * for its permission only after the click on "Notify me", never when the app loads.
 */
export function NotificationsControl() {
  const n = useNotifications();
  if (n.state === undefined || n.state === 'unsupported') return null;
  const on = n.state === 'on';
  return (
    <div className="notifications-control" role="group" aria-label="Notifications on this device">
      {n.state === 'denied' ? (
        <span className="notifications-note">Notifications are blocked in this browser’s settings.</span>
      ) : (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-pressed={on}
          disabled={n.busy}
          onClick={on ? n.turnOff : n.turnOn}
          title={on ? 'Stop notifying this device' : 'Be notified of messages on this device when Parley is not open'}
        >
          {on ? 'Notifications on' : 'Notify me'}
        </button>
      )}
      {on && (
        <label className="notifications-previews">
          <input type="checkbox" checked={n.previews} disabled={n.busy} onChange={(e) => n.setPreviews(e.target.checked)} />
          Show message text
        </label>
      )}
      {n.error && (
        <span className="notifications-note" role="alert">
          {n.error}
        </span>
      )}
    </div>
  );
}
