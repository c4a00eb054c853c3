import { createContext, useContext, type ReactNode } from 'react';
import type { MeridianApi } from './meridian-api';

const ApiContext = createContext<MeridianApi | null>(null);

/** Makes the dashboard's API available to every screen below. */
export function ApiProvider({ api, children }: { api: MeridianApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The API of the nearest {@link ApiProvider}. */
export function useApi(): MeridianApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi needs an <ApiProvider> above it');
  return api;
}
