import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { DialogAction } from '../lib/useAction';

interface DialogProps {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
}

/**
 * Dialog is a modal built on the native <dialog>: showModal() gives the focus trap, the inert
 * background and Escape. Mount it to open it, unmount it to close it; focus goes back where it was.
 */
export function Dialog({ title, description, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') {
        try {
          dialog.showModal();
        } catch {
          dialog.setAttribute('open', '');
        }
      } else dialog.setAttribute('open', '');
    }
    const first =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>('input:not([disabled]), textarea:not([disabled]), select, button');
    first?.focus();
    return () => {
      if (dialog.open && typeof dialog.close === 'function') dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCloseRef.current();
        }
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> element itself.
        if (e.target === ref.current) onCloseRef.current();
      }}
    >
      <div className="dialog-body">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        {description && (
          <div id={descId} className="dialog-description">
            {description}
          </div>
        )}
        {children}
      </div>
    </dialog>
  );
}

interface DialogFooterProps {
  action: DialogAction;
  onCancel: () => void;
  label: string;
  busyLabel: string;
  tone: 'primary' | 'danger';
  /** onConfirm runs the action on click; without it the button submits the dialog's form. */
  onConfirm?: () => void;
}

/** DialogFooter shows a dialog's error and its Cancel and action buttons. */
export function DialogFooter({ action, onCancel, label, busyLabel, tone, onConfirm }: DialogFooterProps) {
  return (
    <>
      {action.error && (
        <p className="form-error" role="alert">
          {action.error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} data-autofocus={onConfirm ? true : undefined}>
          Cancel
        </button>
        <button
          type={onConfirm ? 'button' : 'submit'}
          className={`btn btn-${tone}`}
          onClick={onConfirm}
          disabled={action.busy}
        >
          {action.busy ? busyLabel : label}
        </button>
      </div>
    </>
  );
}
