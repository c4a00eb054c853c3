/** A screening outcome as KYC stores it on a profile and a case. */
export type ScreeningOutcome = 'CLEAR' | 'POSSIBLE_MATCH' | 'UNAVAILABLE';

/** One possible match, as stored. */
export interface StoredMatch {
  uid: string;
  listedName: string;
  matchedName: string;
  score: number;
  programs: string[];
  reasons: string[];
}

/** A screening as stored: against which list, when, with what result. */
export interface StoredScreening {
  outcome: ScreeningOutcome;
  listVersion: string | null;
  matches: StoredMatch[];
  screenedAt: string;
}
