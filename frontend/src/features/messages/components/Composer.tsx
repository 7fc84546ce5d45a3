import { forwardRef, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { LIMITS } from '../../../api/chat-api';
import { Icon } from '../../../components/Icon';

interface ComposerProps {
  recipientName: string;
  onSend: (text: string) => void;
  /** Called on every edit that leaves text in the box (the caller limits the rate). */
  onTyping?: () => void;
}

export interface ComposerHandle {
  focus: () => void;
}

/** Composer writes a message: Enter sends, Shift+Enter starts a new line. */
export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer(
  { recipientName, onSend, onTyping },
  ref,
) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => area.current?.focus() }), []);

  const length = [...text.trim()].length;
  const tooLong = length > LIMITS.message;
  const canSend = length > 0 && !tooLong;

  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const send = () => {
    if (!canSend) return;
    onSend(text.replace(/^\s*\n|\n\s*$/g, '').trimEnd());
    setText('');
    area.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const remaining = LIMITS.message - length;
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="composer-input" className="sr-only">
        Message {recipientName}
      </label>
      <textarea
        id="composer-input"
        ref={area}
        rows={1}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim()) onTyping?.();
        }}
        onKeyDown={onKeyDown}
        placeholder={`Message ${recipientName}`}
        aria-describedby="composer-hint"
        enterKeyHint="send"
      />
      <span id="composer-hint" className={remaining < 200 ? 'composer-count' : 'sr-only'} aria-live="polite">
        {remaining < 200 ? `${remaining} characters left` : 'Enter to send, Shift+Enter for a new line'}
      </span>
      <button type="submit" className="btn btn-primary btn-icon composer-send" disabled={!canSend} aria-label="Send">
        <Icon name="send" />
      </button>
    </form>
  );
});
