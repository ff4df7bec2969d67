// Sign-in with the marketplace's identity provider: OpenID Connect's
// authorization code flow with PKCE, run in the browser by oidc-client-ts (a
// public client: no secret). The console server hands over the provider's
// settings and discovery document in /config.json, and tells who a token
// names (/auth/session) with the same checks the API makes, so this module
// never maps the provider's claims to a role itself.
import { UserManager, WebStorageStateStore, type OidcMetadata } from 'oidc-client-ts';
import { ApiError } from '../api/errors';
import type { Role } from './session';

export interface OIDCConfig {
  authority: string;
  clientId: string;
  scopes: string;
  /** Sent as the authorization request's audience (Auth0 and the like). */
  audience?: string;
  metadata?: Partial<OidcMetadata>;
}

/** Where the provider sends the browser back with the code. */
export const callbackPath = '/auth/callback';

function manager(c: OIDCConfig): UserManager {
  // The code verifier and state live in sessionStorage, for this tab only.
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  return new UserManager({
    authority: c.authority,
    client_id: c.clientId,
    redirect_uri: window.location.origin + callbackPath,
    response_type: 'code',
    scope: c.scopes,
    metadata: c.metadata,
    extraQueryParams: c.audience ? { audience: c.audience } : undefined,
    loadUserInfo: false,
    automaticSilentRenew: false,
    monitorSession: false,
    stateStore: store,
    userStore: store,
  });
}

/** What the sign-in page chose, carried through the provider and back. */
export interface SignInState {
  returnTo: string;
  timeZone: string;
}

/** Leaves for the provider's sign-in page. */
export async function startSignIn(c: OIDCConfig, state: SignInState): Promise<void> {
  await manager(c).signinRedirect({ state });
}

export interface ProviderSignIn {
  token: string;
  subject: string;
  role: Role;
  name?: string;
  email?: string;
  /** Unix seconds. */
  expiresAt?: number;
  state: SignInState;
}

/** Back from the provider: trades the code for tokens and asks who they name. */
export async function finishSignIn(c: OIDCConfig): Promise<ProviderSignIn> {
  const user = await manager(c).signinRedirectCallback();
  const res = await fetch('/auth/session', { headers: { Authorization: `Bearer ${user.access_token}` } });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body);
  const who = body as { subject: string; role: Role };
  const state = (user.state ?? {}) as Partial<SignInState>;
  return {
    token: user.access_token,
    subject: who.subject,
    role: who.role,
    name: user.profile.name,
    email: user.profile.email,
    expiresAt: user.expires_at,
    state: { returnTo: state.returnTo ?? '/', timeZone: state.timeZone ?? '' },
  };
}
