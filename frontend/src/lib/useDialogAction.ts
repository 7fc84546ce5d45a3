import { useCallback, useState } from 'react';
import { errorMessage } from './api-error';

/** DialogAction is the state of a dialog's one action: running, or failed with a message. */
export interface DialogAction {
  busy: boolean;
  error?: string;
  /** fail shows a message without running anything, e.g. for invalid input. */
  fail: (message: string) => void;
  /** run runs action; a rejection shows its message and lets the person try again. */
  run: (action: () => Promise<void>) => Promise<void>;
}

/** useDialogAction tracks a dialog's action so every dialog reports progress and failure alike. */
export function useDialogAction(): DialogAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }, []);
  return { busy, error, fail: setError, run };
}
