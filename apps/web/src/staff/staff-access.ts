import type { Role } from '@meridian/client/web';
import type { RouterContext } from '../routes/root-route';
import { ensureMe } from '../session/session-query';

/** A staff screen opened by someone without any of its roles. */
export class NotAllowedError extends Error {
  constructor(readonly roles: readonly Role[]) {
    super(`This page is for ${roles.join(', ')} staff only.`);
    this.name = 'NotAllowedError';
  }
}

/**
 * A route's `beforeLoad` that lets only users holding one of `roles` in; anyone
 * else gets {@link NotAllowedError}, which the route shows as a "not allowed"
 * page. This only spares them a screen of refusals: the API checks the scopes
 * behind each role on every call anyway.
 */
export function requireRoles(roles: readonly Role[]) {
  return async ({ context }: { context: RouterContext }): Promise<void> => {
    const { me } = await ensureMe(context);
    if (!me.roles.some((role) => roles.includes(role))) throw new NotAllowedError(roles);
  };
}
