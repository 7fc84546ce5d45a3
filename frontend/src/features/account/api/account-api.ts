/** The account part of the ChatAPI port (src/api/chat-api.ts): what a person does with their whole account. */

/** AccountAPI deletes the signed-in account. Every method rejects with an ApiError. */
export interface AccountAPI {
  /**
   * deleteAccount deletes the signed-in account for good, once `confirm` is its own email (else `invalid`): its
   * contacts, requests and conversations are erased, its other members see it end, and this session stops working.
   */
  deleteAccount(confirm: string): Promise<void>;

  /**
   * exportAccount writes everything the service holds about the signed-in person as one JSON document
   * (README.md, "Your data: export") and answers where to download it, with no token, until `expires`.
   */
  exportAccount(): Promise<ExportLink>;
}

/** ExportLink is where an export can be downloaded. */
export interface ExportLink {
  url: string;
  /** RFC 3339, UTC: the link stops working then. */
  expires: string;
}
