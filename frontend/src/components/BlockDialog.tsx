import type { Contact } from '../api/chat-api';
import { useDialogAction } from '../hooks/useDialogAction';
import { displayName } from '../lib/people';
import { Dialog, DialogFooter } from './Dialog';

interface BlockDialogProps {
  contact: Contact;
  onBlock: (email: string) => Promise<Contact>;
  onClose: () => void;
}

/** BlockDialog confirms blocking a contact. */
export default function BlockDialog({ contact, onBlock, onClose }: BlockDialogProps) {
  const action = useDialogAction();
  const name = displayName(contact);

  const confirm = () =>
    action.run(async () => {
      await onBlock(contact.email);
      onClose();
    });

  return (
    <Dialog
      title={`Block ${name}?`}
      description={`Neither of you will be able to send messages in this conversation until you unblock ${name}. They are not notified.`}
      onClose={onClose}
    >
      <DialogFooter action={action} onCancel={onClose} label="Block" busyLabel="Blocking…" tone="danger" onConfirm={confirm} />
    </Dialog>
  );
}
