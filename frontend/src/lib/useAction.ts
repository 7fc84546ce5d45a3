import { useCallback, useState } from 'react';
import { errorMessage } from './api-error';

/** Action is the state of a form's or a dialog's one action: running, or failed with a message. */
export interface Action {
  busy: boolean;
  error?: string;
  /** fail shows a message without running anything, e.g. for invalid input. */
  fail: (message: string) => void;
  /** run runs action; a rejection shows its message and lets the person try again. */
  run: (action: () => Promise<void>) => Promise<void>;
}

/** DialogAction is the Action of a dialog. */
export type DialogAction = Action;

/**
 * useAction tracks an action so every form reports progress and failure alike. With staysBusy, a success leaves
 * it busy: a dialog closes on success, and its button must not come back for the moment before it does.
 */
export function useAction({ staysBusy = false }: { staysBusy?: boolean } = {}): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      setError(undefined);
      try {
        await action();
        if (!staysBusy) setBusy(false);
      } catch (err) {
        setError(errorMessage(err));
        setBusy(false);
      }
    },
    [staysBusy],
  );
  return { busy, error, fail: setError, run };
}

/** useDialogAction tracks a dialog's action so every dialog reports progress and failure alike. */
export function useDialogAction(): DialogAction {
  return useAction({ staysBusy: true });
}
