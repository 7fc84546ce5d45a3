import { lazy, Suspense } from 'react';
import type { AddContactInput, Contact } from '../../../api/chat-api';

const ReportDialog = lazy(() => import('./ReportDialog'));
const BlockDialog = lazy(() => import('./BlockDialog'));
const AddContactDialog = lazy(() => import('../../contacts/components/AddContactDialog'));

/** ContactDialogName names the dialogs that act on one contact or request. */
export type ContactDialogName = 'report' | 'block' | 'accept';

interface ContactDialogsProps {
  dialog: ContactDialogName | null;
  contact: Contact;
  onBlock: (email: string) => Promise<Contact>;
  onReport: (email: string, report: string) => Promise<Contact>;
  onAddContact: (input: AddContactInput) => Promise<Contact>;
  onClose: () => void;
  /** Called with a confirmation to show once an action succeeded. */
  onDone?: (text: string) => void;
  /** Called with the contact once a request was added to the contacts. */
  onAdded?: (contact: Contact) => void;
}

/** ContactDialogs shows the block, report or add dialog for one contact (lazy chunks). */
export function ContactDialogs({ dialog, contact, onBlock, onReport, onAddContact, onClose, onDone, onAdded }: ContactDialogsProps) {
  return (
    <Suspense fallback={null}>
      {dialog === 'report' && (
        <ReportDialog
          contact={contact}
          onReport={onReport}
          onClose={onClose}
          onDone={(text) => {
            onClose();
            onDone?.(text);
          }}
        />
      )}
      {dialog === 'block' && <BlockDialog contact={contact} onBlock={onBlock} onClose={onClose} />}
      {dialog === 'accept' && (
        <AddContactDialog
          initial={{ email: contact.email, name: contact.email.split('@')[0] ?? '' }}
          onAdd={onAddContact}
          onAdded={(added) => {
            onClose();
            onAdded?.(added);
          }}
          onClose={onClose}
        />
      )}
    </Suspense>
  );
}
