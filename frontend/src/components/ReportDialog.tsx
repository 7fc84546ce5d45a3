import { useState, type FormEvent } from 'react';
import { errorMessage, LIMITS, type Contact } from '../api/chat-api';
import { displayName } from '../lib/people';
import { Dialog } from './Dialog';

interface ReportDialogProps {
  contact: Contact;
  onReport: (email: string, report: string) => Promise<Contact>;
  onClose: () => void;
  onDone: (message: string) => void;
}

/** ReportDialog asks for a reason and reports the contact to the moderators. */
export default function ReportDialog({ contact, onReport, onClose, onDone }: ReportDialogProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const name = displayName(contact);
  const length = [...reason.trim()].length;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (length === 0) return setError('Tell us what happened.');
    if (length > LIMITS.report) return setError(`Keep it under ${LIMITS.report} characters.`);
    setBusy(true);
    setError(undefined);
    try {
      await onReport(contact.email, reason.trim());
      onDone(`Thanks. Your report about ${name} was sent to the moderators.`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
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
            disabled={busy}
            aria-describedby="report-count"
          />
          <span className="field-hint" id="report-count">
            {length}/{LIMITS.report} characters
          </span>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? 'Sending…' : 'Send report'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
