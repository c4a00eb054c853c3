import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler' | 'preSerialization' | 'onSend' | 'onResponse';

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Adds a hook to one route from an `onRoute` hook, so it runs on the route as
 * registered, whatever spelling of its URL a request used. `first` puts it
 * before the route's other hooks of that kind.
 */
export function addRouteHook(route: RouteOptions, name: HookName, hook: unknown, options: { first?: boolean } = {}): void {
  const existing = asArray(route[name] as unknown);
  (route as unknown as Record<HookName, unknown[]>)[name] = options.first ? [hook, ...existing] : [...existing, hook];
}
