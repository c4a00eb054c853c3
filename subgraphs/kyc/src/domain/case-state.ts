import { errors } from '@meridian/platform';

/** The states of a verification case. */
export type CaseState = 'DRAFT' | 'SUBMITTED' | 'PROCESSING' | 'APPROVED' | 'REJECTED' | 'NEEDS_REVIEW' | 'RESUBMISSION_REQUESTED';

/** Who moved a case. */
export type ActorType = 'CUSTOMER' | 'STAFF' | 'SYSTEM' | 'PROVIDER';

/**
 * The legal transitions. A customer fills in a DRAFT and submits it; screening
 * runs (SUBMITTED) and checks go to the provider (PROCESSING), whose answer
 * approves the case or sends it to review; an officer approves, rejects or asks
 * for a resubmission, which the customer submits again. APPROVED and REJECTED
 * are final.
 */
const TRANSITIONS: Record<CaseState, readonly CaseState[]> = {
  DRAFT: ['SUBMITTED'],
  SUBMITTED: ['PROCESSING', 'NEEDS_REVIEW'],
  PROCESSING: ['APPROVED', 'NEEDS_REVIEW', 'RESUBMISSION_REQUESTED'],
  NEEDS_REVIEW: ['APPROVED', 'REJECTED', 'RESUBMISSION_REQUESTED'],
  RESUBMISSION_REQUESTED: ['SUBMITTED'],
  APPROVED: [],
  REJECTED: [],
};

/** States in which the customer may change the profile and documents. */
export const EDITABLE_STATES: readonly CaseState[] = ['DRAFT', 'RESUBMISSION_REQUESTED'];

/** States after which nothing changes. */
export const FINAL_STATES: readonly CaseState[] = ['APPROVED', 'REJECTED'];

/** Whether a case may go from `from` to `to`. */
export const canTransition = (from: CaseState, to: CaseState): boolean => TRANSITIONS[from].includes(to);

/** Throws CONFLICT (`reason` `ILLEGAL_TRANSITION`) unless `from → to` is legal. */
export function assertTransition(from: CaseState, to: CaseState): void {
  if (!canTransition(from, to)) {
    throw errors.conflict(`A case in ${from} cannot move to ${to}.`, { reason: 'ILLEGAL_TRANSITION', state: from });
  }
}
