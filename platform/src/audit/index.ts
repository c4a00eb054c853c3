export * from './audit-chain';
export * from './audit-verifier';
export * from './staff-reason';
