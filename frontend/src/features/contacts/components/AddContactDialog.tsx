import { useState, type FormEvent } from 'react';
import { LIMITS, type AddContactInput, type Contact } from '../../../api/chat-api';
import { useDialogAction } from '../../../lib/useAction';
import { isValidEmail } from '../../../lib/people';
import { Dialog, DialogFooter } from '../../../components/Dialog';

interface AddContactDialogProps {
  onAdd: (input: AddContactInput) => Promise<Contact>;
  onAdded: (contact: Contact) => void;
  onClose: () => void;
  initial?: Partial<AddContactInput>;
}

/** AddContactDialog asks for an email and a name and adds the contact. */
export default function AddContactDialog({ onAdd, onAdded, onClose, initial }: AddContactDialogProps) {
  const [email, setEmail] = useState(initial?.email ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const action = useDialogAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const cleanEmail = email.trim().toLowerCase();
    const cleanName = name.trim();
    if (!isValidEmail(cleanEmail)) return action.fail('Enter a valid email address.');
    if (!cleanName) return action.fail('Enter a name.');
    await action.run(async () => onAdded(await onAdd({ email: cleanEmail, name: cleanName })));
  };

  return (
    <Dialog title="Add a contact" description="They'll see your messages once you write to them." onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field-label">Email</span>
          <input
            id="add-contact-email"
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            maxLength={LIMITS.email}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={action.busy || Boolean(initial?.email)}
            data-autofocus={initial?.email ? undefined : true}
          />
        </label>
        <label className="field">
          <span className="field-label">Name</span>
          <input
            id="add-contact-name"
            name="name"
            type="text"
            autoComplete="off"
            required
            maxLength={LIMITS.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            disabled={action.busy}
            data-autofocus={initial?.email ? true : undefined}
          />
        </label>
        <DialogFooter action={action} onCancel={onClose} label="Add contact" busyLabel="Adding…" tone="primary" />
      </form>
    </Dialog>
  );
}
