import { useState } from 'react';
import type { Watermarks } from '../../../api/chat-api';
import { useChatEvents } from '../../realtime/hooks/useChatEvents';

const none: Watermarks = { delivered: '', read: '' };

/**
 * useTheirWatermarks returns the other member's receipts in the conversation with peer, from pushed `receipt`
 * frames: each watermark only moves forward, and a new peer starts from none.
 */
export function useTheirWatermarks(peer: string): Watermarks {
  const [theirs, setTheirs] = useState<{ peer: string; marks: Watermarks }>({ peer, marks: none });
  useChatEvents((event) => {
    if (event.type !== 'receipt' || event.with !== peer) return;
    setTheirs((cur) => {
      const marks = cur.peer === peer ? cur.marks : none;
      return {
        peer,
        marks: {
          delivered: event.delivered > marks.delivered ? event.delivered : marks.delivered,
          read: event.read > marks.read ? event.read : marks.read,
        },
      };
    });
  });
  return theirs.peer === peer ? theirs.marks : none;
}
