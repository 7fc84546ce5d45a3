import { useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { useDialogAction } from '../../../lib/useAction';
import { Dialog, DialogFooter } from '../../../components/Dialog';

interface DeleteAccountDialogProps {
  me: string;
  onClose: () => void;
  /** Called once the account is deleted: the session is over. */
  onDeleted: () => void;
}

/** DeleteAccountDialog says what deleting the account does and asks for the person's email before it deletes. */
export default function DeleteAccountDialog({ me, onClose, onDeleted }: DeleteAccountDialogProps) {
  const api = useChatAPI();
  const action = useDialogAction();
  const [confirm, setConfirm] = useState('');

  const submit = () =>
    action.run(async () => {
      await api.deleteAccount(confirm);
      onDeleted();
    });

  return (
    <Dialog
      title="Delete your account?"
      description={
        <>
          <p>
            Your contacts, requests and every conversation you are in are erased for good, for both sides: the people
            you talked with see “account deleted” and keep no message of yours. Your channels’ posts go too. This
            cannot be undone.
          </p>
          <p>
            Reports other people filed about you are kept for moderators for 90 days. Copies someone made, and the
            service’s backups (35 days), are beyond what deleting reaches.
          </p>
        </>
      }
      onClose={onClose}
    >
      <label className="field">
        <span className="field-label">Type your email, {me}, to confirm</span>
        <input
          className="input"
          type="email"
          autoComplete="off"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          aria-label="Your email, to confirm"
        />
      </label>
      <DialogFooter
        action={action}
        onCancel={onClose}
        label="Delete my account"
        busyLabel="Deleting…"
        tone="danger"
        onConfirm={submit}
      />
    </Dialog>
  );
}
