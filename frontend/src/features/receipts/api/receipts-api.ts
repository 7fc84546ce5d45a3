/** The receipts part of the ChatAPI port (src/api/chat-api.ts): watermarks and ticks. */

/** Tick is how far one of my stored messages got: stored, on a device of the other member, displayed to them. */
export type Tick = 'sent' | 'delivered' | 'read';

/** AckInput moves the caller's receipt watermarks in the conversation with recipientNamespace. */
export interface AckInput {
  recipientNamespace: string;
  /** The newest message id the caller has (delivered) or has displayed (read). */
  upTo: string;
  /** Also move the read watermark (read implies delivered). */
  read?: boolean;
}

/** Watermarks are one member's receipts in a conversation: message ids, empty when nothing yet. */
export interface Watermarks {
  delivered: string;
  read: string;
}

/** ReceiptsAPI moves the caller's receipts. It rejects with an ApiError. */
export interface ReceiptsAPI {
  /** Moves the caller's watermarks forward (never back) and returns them. */
  ack(input: AckInput): Promise<Watermarks>;
}
