export * from './notification';
export * from './mask-recipient';
export * from './dev-mailbox';
export * from './webhook-notifier';
export * from './open-notifier';
