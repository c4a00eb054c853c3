/** The clients that have their own BFF and operation set. */
export type Client = 'web' | 'mobile';

export * from './trusted-documents';
