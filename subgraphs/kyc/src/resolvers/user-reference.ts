/** A user as KYC knows them: only the id; identity resolves everything else. */
export interface UserReference {
  id: string;
}
