import { Logo } from '../components/Logo';

interface LandingProps {
  onSignIn: () => void;
  busy?: boolean;
  error?: string;
  expired?: boolean;
}

/** Landing introduces Parley and offers the sign-in. */
export function Landing({ onSignIn, busy = false, error, expired = false }: LandingProps) {
  return (
    <main className="landing">
      <div className="landing-card">
        <Logo size={56} />
        <h1 className="landing-title">Parley</h1>
        <p className="landing-lead">Private one-to-one conversations for your team. Add a colleague by email and start talking.</p>
        {expired && (
          <p className="notice notice-info" role="status">
            Your session has expired. Please sign in again.
          </p>
        )}
        {error && (
          <p className="notice notice-error" role="alert">
            Sign-in failed: {error}
          </p>
        )}
        <button type="button" className="btn btn-primary btn-large" onClick={onSignIn} disabled={busy}>
          {busy ? 'Redirecting…' : 'Sign in'}
        </button>
        <ul className="landing-points">
          <li>Only the two of you can read a conversation.</li>
          <li>Block anyone, at any time: blocked messages are never delivered.</li>
          <li>Installable: add Parley to your home screen.</li>
        </ul>
        <p className="landing-demo">
          Just looking? <a href="/?demo">Try the offline demo</a>.
        </p>
      </div>
    </main>
  );
}

/** Splash is shown while the app starts or completes a sign-in. */
export function Splash({ text = 'Loading…' }: { text?: string }) {
  return (
    <main className="landing" aria-busy="true">
      <div className="splash" role="status">
        <Logo size={48} />
        <span className="spinner" aria-hidden="true" />
        <span>{text}</span>
      </div>
    </main>
  );
}
