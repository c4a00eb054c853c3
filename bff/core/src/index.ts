export * from './bff-config';
export * from './bff-context';
export * from './bff-plugin';
export * from './use-depth-limit';
export * from './format-bff-error';
export * from './create-bff-server';
