import { useState } from 'react';
import { errorMessage, type Contact } from '../api/chat-api';
import { displayName } from '../lib/people';
import { Dialog } from './Dialog';

interface BlockDialogProps {
  contact: Contact;
  onBlock: (email: string) => Promise<Contact>;
  onClose: () => void;
}

/** BlockDialog confirms blocking a contact. */
export default function BlockDialog({ contact, onBlock, onClose }: BlockDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const name = displayName(contact);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onBlock(contact.email);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Block ${name}?`}
      description={`Neither of you will be able to send messages in this conversation until you unblock ${name}. They are not notified.`}
      onClose={onClose}
    >
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={confirm} disabled={busy}>
          {busy ? 'Blocking…' : 'Block'}
        </button>
      </div>
    </Dialog>
  );
}
