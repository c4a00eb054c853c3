export * from './notification';
export * from './mask-recipient';
export * from './dev-mailbox';
export * from './webhook-notifier';
export * from './open-notifier';
export * from './dev-mailbox-route';
export * from './background-sender';
