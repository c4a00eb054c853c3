/**
 * A call to another service whose outcome the caller cannot know: it may or
 * may not have been applied. Only idempotent calls are retried after it, with
 * the same ids. Left unhandled, it reaches the client as SERVICE_UNAVAILABLE.
 */
export class ServiceCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceCallError';
  }
}
