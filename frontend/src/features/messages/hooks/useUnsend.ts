import { useCallback, useState } from 'react';
import { useChatAPI } from '../../../api/ChatAPIContext';
import { errorMessage, type Message } from '../../../api/chat-api';

/** useUnsend unsends my messages in the conversation with peer, merging each erased message back into the view. */
export function useUnsend(peer: string, merge: (messages: Message[]) => void): { unsend: (id: string) => void; unsendError?: string } {
  const api = useChatAPI();
  const [unsendError, setUnsendError] = useState<string>();
  const unsend = useCallback(
    (id: string) => {
      setUnsendError(undefined);
      api.deleteMessage({ recipientNamespace: peer, id }).then(
        (erased) => merge([erased]),
        (err: unknown) => setUnsendError(errorMessage(err)),
      );
    },
    [api, peer, merge],
  );
  return unsendError === undefined ? { unsend } : { unsend, unsendError };
}
