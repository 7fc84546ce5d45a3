import type { Contact } from '../../../api/chat-api';
import { useDialogAction } from '../../../lib/useAction';
import { displayName } from '../../../lib/people';
import { Dialog, DialogFooter } from '../../../components/Dialog';

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
      description={
        <>
          <p>
            You won't get messages from {name}, and you can't message them, until you unblock them. Nothing of the
            conversation is deleted.
          </p>
          <p>
            {name} isn't told now. If they write to you, their message is refused and they see that you don't accept
            their messages.
          </p>
        </>
      }
      onClose={onClose}
    >
      <DialogFooter action={action} onCancel={onClose} label="Block" busyLabel="Blocking…" tone="danger" onConfirm={confirm} />
    </Dialog>
  );
}
