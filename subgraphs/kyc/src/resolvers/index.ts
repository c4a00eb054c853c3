import { DateTimeScalar, errors, requireRecentMfa, requireUser, type SubgraphContext } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CaseStore } from '../data/case-store';
import { formatPence } from '../domain/tier';
import type { CaseRecord } from '../domain/verification-case';
import type { CaseProcessor } from '../services/case-processor';
import type { PhoneVerification } from '../services/phone-verification';
import { isKycReviewer, type ReviewService } from '../services/review-service';
import type { VerificationService } from '../services/verification-service';
import { loadersFor } from './loaders';

/** Services the resolvers call. */
export interface KycServices {
  db: DataSource;
  cases: CaseStore;
  verification: VerificationService;
  phone: PhoneVerification;
  processor: CaseProcessor;
  review: ReviewService;
  /** How recent a second factor must be to reveal personal data unmasked, in seconds. */
  stepUpMaxAgeSeconds: number;
}

/** Thin resolvers: arguments in, one service or loader call, result out. */
export function createResolvers(services: KycServices): Resolvers {
  const loaders = (ctx: SubgraphContext) => loadersFor(ctx, services.db, services.cases);
  return {
    DateTime: DateTimeScalar,
    Query: {
      kycReviewQueue: (_parent, { first, after, reason }, ctx) => services.review.queue(requireUser(ctx), first ?? 20, after, { reason, requestId: ctx.requestId }),
      kycCase: (_parent, { id, reason }, ctx) => services.review.caseFor(requireUser(ctx), id, { reason, requestId: ctx.requestId }),
    },
    Mutation: {
      startVerification: (_parent, { input }, ctx) => services.verification.start(requireUser(ctx), input?.targetTier ?? 'TIER_1'),
      updateKycProfile: (_parent, { input }, ctx) => services.verification.updateProfile(requireUser(ctx), input),
      requestPhoneCode: (_parent, { phone }, ctx) => services.phone.request(requireUser(ctx), phone),
      verifyPhoneCode: (_parent, { code }, ctx) => services.phone.verify(requireUser(ctx), code),
      uploadKycDocument: (_parent, { input }, ctx) => services.verification.attachDocument(requireUser(ctx), input),
      submitVerification: (_parent, { caseId }, ctx) => services.processor.submit(requireUser(ctx), caseId),
      decideKycCase: (_parent, { input }, ctx) => services.review.decide(requireUser(ctx), input, ctx.requestId),
    },
    User: {
      kyc: (user, _args, ctx) => {
        if (requireUser(ctx).userId !== user.id) throw errors.forbidden('Only the customer sees their verification; staff use kycCase.');
        return services.verification.overview(user.id);
      },
    },
    KycLimits: {
      singlePayment: (limits) => formatPence(limits.singlePayment),
      daily: (limits) => formatPence(limits.daily),
      monthly: (limits) => formatPence(limits.monthly),
    },
    KycCase: {
      // A reference carries no reason: staff reach a case through kycCase or the queue, which ask for one.
      __resolveReference: (reference, ctx) => services.review.caseFor(requireUser(ctx), reference.id, { requestId: ctx.requestId }),
      documents: (kycCase, _args, ctx) => loaders(ctx).documents.load(kycCase.id),
      history: async (kycCase, _args, ctx) => {
        const events = await loaders(ctx).history.load(kycCase.id);
        const staff = isKycReviewer(requireUser(ctx));
        return events.map((event) => (staff ? event : { ...event, actorId: null }));
      },
      // The staff-only fields: `@requiresScopes(kyc:review)` on the schema refuses anyone else before these run.
      reviewReasons: (kycCase) => kycCase.reviewReasons,
      checks: (kycCase) => kycCase.checkResult?.reports ?? [],
      screening: (kycCase) => kycCase.screening,
      pendingDecision: (kycCase) => kycCase.pendingDecision,
      // Unmasked personal data is shown only with a second factor from the last few minutes.
      subject: (kycCase: CaseRecord, { reveal, reason }, ctx) =>
        services.review.subject(
          reveal ? requireRecentMfa(ctx, { maxAgeSeconds: services.stepUpMaxAgeSeconds, action: 'revealKycSubject' }) : requireUser(ctx),
          kycCase,
          reveal ?? false,
          { reason, requestId: ctx.requestId },
        ),
    },
    KycCaseConnection: {
      edges: (page) => page.cases,
      pageInfo: (page) => ({
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.cases[0]?.cursor ?? null,
        endCursor: page.cases.at(-1)?.cursor ?? null,
      }),
    },
    KycScreening: {
      screenedAt: (screening) => new Date(screening.screenedAt),
      matches: (screening) => screening.matches,
    },
    KycScreeningMatch: {
      listEntryId: (match) => match.uid,
    },
    KycPendingDecision: {
      at: (pending) => new Date(pending.at),
    },
  };
}
