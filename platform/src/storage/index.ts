export * from './object-store';
export * from './file-object-store';
