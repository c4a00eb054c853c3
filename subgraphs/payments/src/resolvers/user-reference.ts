/** A user as payments knows them: only the id; identity resolves everything else. */
export interface UserReference {
  id: string;
}
