import { setToken, token, whoIs, type Session } from './api.js';

/**
 * Who is signed in. A token is kept only once the gateway has said who it is (`GET /session`), so
 * the page never says "signed in" for a token nobody issued. Both live in sessionStorage, with the tab.
 */
const SESSION_KEY = 'verifier.session';

export function currentSession(): Session | undefined {
  if (!token()) return undefined;
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the token with the gateway; keeps it only if accepted. Throws the gateway's refusal. */
export async function signIn(candidate: string): Promise<Session> {
  const session = await whoIs(candidate);
  setToken(candidate);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function signOut(): void {
  setToken(undefined);
  sessionStorage.removeItem(SESSION_KEY);
}

/** A token kept by an older page, which never asked the gateway about it, is dropped: sign in again. */
export function forgetUncheckedToken(): void {
  if (token() && !sessionStorage.getItem(SESSION_KEY)) setToken(undefined);
}
