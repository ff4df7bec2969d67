// Sign-in, in one place. With the identity provider configured (the console
// server says so in /config.json) the person signs in there (oidc.ts); in
// development the browser may instead ask the console server for a token for
// any user and role; with neither, the person pastes a token. The rest of the
// app sees only the Session and currentToken().
import { createContext, useContext } from 'react';
import { ApiError } from '../api/errors';
import type { OIDCConfig } from './oidc';

export type Role = 'mentee' | 'mentor' | 'admin';

export interface Session {
  token: string;
  subject: string;
  role: Role;
  /** Shown to the other side and used when booking. */
  name: string;
  email: string;
  /** The reader's IANA time zone: every time is shown in it. */
  timeZone: string;
  /** When the token expires (Unix seconds), if not in the token itself. */
  expiresAt?: number;
}

const storageKey = 'bookwell.session';
let listeners: Array<() => void> = [];

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || tokenExpired(s.token, s.expiresAt)) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(storageKey, JSON.stringify(s));
  else localStorage.removeItem(storageKey);
  for (const l of listeners) l();
}

/** Calls f whenever the session changes (sign-in, sign-out, expiry). */
export function onSessionChange(f: () => void): () => void {
  listeners.push(f);
  return () => {
    listeners = listeners.filter((l) => l !== f);
  };
}

export function currentToken(): string | null {
  return loadSession()?.token ?? null;
}

/** The API said the token is no longer good: sign out. */
export function expired(): void {
  if (localStorage.getItem(storageKey)) saveSession(null);
}

/** What the console server allows. */
export interface ConsoleConfig {
  devSignIn: boolean;
  /** The identity provider's sign-in, when configured. */
  oidc?: OIDCConfig;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/config.json');
  if (!res.ok) return { devSignIn: false };
  return (await res.json()) as ConsoleConfig;
}

/** Development sign-in: a token for subject and role, minted by the console server. */
export async function devToken(subject: string, role: Role): Promise<string> {
  const res = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ subject, role }),
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body);
  return (body as { token: string }).token;
}

/** The subject and role a token claims (the API verifies it on every call). */
export function claims(token: string): { subject: string; role: Role; exp?: number } | null {
  try {
    const part = token.split('.')[1];
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const c = JSON.parse(json) as { sub?: string; role?: string; exp?: number };
    if (!c.sub || (c.role !== 'mentee' && c.role !== 'mentor' && c.role !== 'admin')) return null;
    return { subject: c.sub, role: c.role, exp: c.exp };
  } catch {
    return null;
  }
}

/** A token is spent at its exp (or expiresAt); a provider's token may name its role in any claim. */
function tokenExpired(token: string, expiresAt?: number): boolean {
  let exp = expiresAt;
  if (exp === undefined) {
    try {
      exp = (JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number }).exp;
    } catch {
      return true;
    }
  }
  return exp !== undefined && exp * 1000 <= Date.now();
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export const SessionContext = createContext<{ session: Session; update: (s: Session | null) => void } | null>(null);

/** The signed-in person; only inside the signed-in part of the app. */
export function useSession(): Session {
  const c = useContext(SessionContext);
  if (!c) throw new Error('useSession outside a signed-in page');
  return c.session;
}

export function useSessionUpdate(): (s: Session | null) => void {
  const c = useContext(SessionContext);
  if (!c) throw new Error('useSessionUpdate outside a signed-in page');
  return c.update;
}
