import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { browserTimeZone, claims, devToken, loadConfig, saveSession, type ConsoleConfig, type Role, type Session } from '../auth/session';
import { finishSignIn, startSignIn } from '../auth/oidc';
import { ErrorText, Field, fieldError } from '../components/ui';
import { api, ok } from '../api/client';
import { timeZones } from '../lib/time';

function TimeZoneField({ value, onChange }: { value: string; onChange: (z: string) => void }) {
  return (
    <Field label="Your time zone" hint="Every time is shown in it.">
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {timeZones().map((z) => (
            <option key={z}>{z}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Starts a session: emails reach the person at this address, with times in this zone. */
async function begin(session: Session): Promise<void> {
  saveSession(session);
  if (session.role !== 'admin') {
    await ok(
      api.PUT('/v1/recipients/{recipient.user_id}', {
        params: { path: { 'recipient.user_id': session.subject } },
        body: { userId: session.subject, email: session.email, displayName: session.name, timeZone: session.timeZone },
      }),
    ).catch(() => undefined);
  }
}

/** Back from the identity provider (/auth/callback): the code becomes a session. */
export function SignInCallback() {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const once = useRef(false);
  useEffect(() => {
    if (once.current) return; // the code is single use (React runs effects twice in development)
    once.current = true;
    (async () => {
      const config = await loadConfig();
      if (!config.oidc) throw new Error('This console does not sign in with an identity provider.');
      const r = await finishSignIn(config.oidc);
      navigate(r.state.returnTo.startsWith('/') && !r.state.returnTo.startsWith('//') ? r.state.returnTo : '/', { replace: true });
      await begin({
        token: r.token,
        subject: r.subject,
        role: r.role,
        name: r.name || r.subject,
        email: r.email || `${r.subject}@example.com`,
        timeZone: r.state.timeZone || browserTimeZone(),
        expiresAt: r.expiresAt,
      });
    })().catch(setError);
  }, [navigate]);
  return (
    <main id="main" className="signin">
      <h1>{error ? 'Could not sign you in' : 'Signing you in…'}</h1>
      {error ? (
        <>
          <ErrorText error={error} />
          <p>
            <a href="/">Back to sign-in</a>
          </p>
        </>
      ) : (
        <p aria-busy="true">Checking your account with the identity provider…</p>
      )}
    </main>
  );
}

const examples: Array<[string, Role, string]> = [
  ['mentor-1', 'mentor', 'Grace Hopper'],
  ['mentee-1', 'mentee', 'Ada Lovelace'],
  ['admin-1', 'admin', 'Operator'],
];

/** Sign-in: the identity provider's; in development also any user and role. */
export function SignIn() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState<Role>('mentee');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [timeZone, setTimeZone] = useState(browserTimeZone());
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadConfig().then(setConfig, () => setConfig({ devSignIn: false }));
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      let tok = token.trim();
      let sub = subject.trim();
      let r = role;
      if (config?.devSignIn) {
        tok = await devToken(sub, r);
      } else {
        const c = claims(tok);
        if (!c) throw new Error('That is not a bookwell token: it names no user and role.');
        sub = c.subject;
        r = c.role;
      }
      await begin({ token: tok, subject: sub, role: r, name: name.trim() || sub, email: email.trim() || `${sub}@example.com`, timeZone });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function provider() {
    if (!config?.oidc) return;
    setError(null);
    setBusy(true);
    try {
      const here = window.location.pathname + window.location.search;
      await startSignIn(config.oidc, { returnTo: here, timeZone });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (!config) return <p aria-busy="true">Loading…</p>;
  if (config.oidc && !config.devSignIn) {
    return (
      <main id="main" className="signin">
        <h1>Sign in to bookwell</h1>
        <p>You sign in with your marketplace account.</p>
        <TimeZoneField value={timeZone} onChange={setTimeZone} />
        <ErrorText error={error} />
        <button type="button" className="primary" onClick={provider} disabled={busy}>
          Sign in with your account
        </button>
      </main>
    );
  }
  return (
    <main id="main" className="signin">
      <h1>Sign in to bookwell</h1>
      {config.oidc && (
        <p>
          <button type="button" onClick={provider} disabled={busy}>
            Sign in with your account
          </button>{' '}
          (the identity provider), or as anyone below (development mode).
        </p>
      )}
      <form onSubmit={submit} noValidate>
        {config.devSignIn ? (
          <>
            <p className="note">
              Development mode: sign in as anyone. Try{' '}
              {examples.map(([s, r, n], i) => (
                <span key={s}>
                  {i > 0 && ', '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setSubject(s);
                      setRole(r);
                      setName(n);
                    }}
                  >
                    {s}
                  </button>
                </span>
              ))}
              .
            </p>
            <Field label="User id" error={fieldError(error, 'User id', 'subject')}>
              {(p) => <input {...p} value={subject} onChange={(e) => setSubject(e.target.value)} autoComplete="username" required />}
            </Field>
            <fieldset>
              <legend>Role</legend>
              {(['mentee', 'mentor', 'admin'] as Role[]).map((r) => (
                <label key={r} className="inline">
                  <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} /> {r}
                </label>
              ))}
            </fieldset>
          </>
        ) : (
          <Field label="Token from your identity provider" hint="Paste the bearer token (a JWT).">
            {(p) => <textarea {...p} rows={4} value={token} onChange={(e) => setToken(e.target.value)} required />}
          </Field>
        )}
        <Field label="Your name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />}</Field>
        <Field label="Email">{(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />}</Field>
        <TimeZoneField value={timeZone} onChange={setTimeZone} />
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
