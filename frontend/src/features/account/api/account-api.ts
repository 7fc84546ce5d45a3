/** The account part of the ChatAPI port (src/api/chat-api.ts): what a person does with their whole account. */

/** AccountAPI deletes the signed-in account. Every method rejects with an ApiError. */
export interface AccountAPI {
  /**
   * deleteAccount deletes the signed-in account for good, once `confirm` is its own email (else `invalid`): its
   * contacts, requests and conversations are erased, its other members see it end, and this session stops working.
   */
  deleteAccount(confirm: string): Promise<void>;
}
