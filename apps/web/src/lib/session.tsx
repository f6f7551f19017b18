import type { Permission, SessionInfo } from '@drydock/contract';
import { createContext, useContext } from 'react';

const SessionContext = createContext<SessionInfo | null>(null);

/** Provides the signed-in session to the console (the auth gate; tests and embedding too). */
export const SessionProvider = SessionContext.Provider;

/** The signed-in user and what they may do. */
export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside AuthGate');
  return session;
}

/** Whether the signed-in user has a permission (the contract's, so a typo does not compile). */
export const useCan = (permission: Permission) => useSession().permissions.includes(permission);
