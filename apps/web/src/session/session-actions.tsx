import { createContext, useContext, type ReactNode } from 'react';

/** What any screen may do about the session. */
export interface SessionActions {
  /** Ends the session (`POST /auth/logout`) and goes to sign-in; rejects with a MeridianError when the BFF could not end it. */
  signOut(): Promise<void>;
  /** The person ended this browser's session some other way (e.g. revoked it in the sessions list): forget it and go to sign-in. */
  signedOut(): void;
  /** The session is over (an UNAUTHENTICATED answer, or `/auth/session` says so): to sign-in, and back here afterwards. */
  sessionExpired(): void;
}

const SessionActionsContext = createContext<SessionActions | null>(null);

export function SessionActionsProvider({ actions, children }: { actions: SessionActions; children: ReactNode }) {
  return <SessionActionsContext.Provider value={actions}>{children}</SessionActionsContext.Provider>;
}

/** The session actions of the app. */
export function useSessionActions(): SessionActions {
  const actions = useContext(SessionActionsContext);
  if (!actions) throw new Error('useSessionActions needs a <SessionActionsProvider> above it');
  return actions;
}
