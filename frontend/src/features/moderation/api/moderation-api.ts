import type { Contact } from '../../contacts/api/contacts-api';

/** ModerationAPI is the block and report part of the ChatAPI port. Every method rejects with an ApiError. */
export interface ModerationAPI {
  blockContact(email: string): Promise<Contact>;
  unblockContact(email: string): Promise<Contact>;
  reportContact(email: string, report: string): Promise<Contact>;
}
