/** Sanctions screening: OFAC SDN list parsing, name matching and the screener. */
export {
  loadOfacSdnDirectory,
  parseOfacSdn,
  type OfacSdnFiles,
  type SanctionsEntry,
  type SanctionsList,
} from './ofac-sdn';
export type { DateRange } from './ofac-remarks';
export { nameSimilarity, normaliseName } from './name-matching';
export {
  createScreener,
  type Screener,
  type ScreenerOptions,
  type ScreeningMatch,
  type ScreeningReason,
  type ScreeningResult,
  type ScreeningSubject,
} from './screener';
