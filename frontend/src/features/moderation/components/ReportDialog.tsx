import { useState, type FormEvent } from 'react';
import { LIMITS, type Contact } from '../../../api/chat-api';
import { useDialogAction } from '../../../lib/useAction';
import { displayName } from '../../../lib/people';
import { Dialog, DialogFooter } from '../../../components/Dialog';

interface ReportDialogProps {
  contact: Contact;
  onReport: (email: string, report: string) => Promise<Contact>;
  onClose: () => void;
  onDone: (message: string) => void;
}

/** ReportDialog asks for a reason and reports the contact to the moderators. */
export default function ReportDialog({ contact, onReport, onClose, onDone }: ReportDialogProps) {
  const [reason, setReason] = useState('');
  const action = useDialogAction();
  const name = displayName(contact);
  const length = [...reason.trim()].length;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (length === 0) return action.fail('Tell us what happened.');
    if (length > LIMITS.report) return action.fail(`Keep it under ${LIMITS.report} characters.`);
    await action.run(async () => {
      await onReport(contact.email, reason.trim());
      onDone(`Thanks. Your report about ${name} was sent to the moderators.`);
    });
  };

  return (
    <Dialog
      title={`Report ${name}`}
      description="Your report and the latest messages of this conversation go to the moderators. They are not told who reported them."
      onClose={onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label className="field-label" htmlFor="report-reason">
            What happened?
          </label>
          <textarea
            id="report-reason"
            name="report"
            rows={4}
            required
            maxLength={LIMITS.report}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            disabled={action.busy}
            aria-describedby="report-count"
          />
          <span className="field-hint" id="report-count">
            {length}/{LIMITS.report} characters
          </span>
        </div>
        <DialogFooter action={action} onCancel={onClose} label="Send report" busyLabel="Sending…" tone="danger" />
      </form>
    </Dialog>
  );
}
