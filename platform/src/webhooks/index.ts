export * from './standard-webhooks';
export * from './webhook-sender';
