import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useSession, useSessionUpdate } from '../auth/session';
import { ErrorText, Field, fieldError } from '../components/ui';
import { timeZones } from '../lib/time';

/** The reader's name, email and time zone (also where emails go, and in which zone). */
export function Profile() {
  const s = useSession();
  const update = useSessionUpdate();
  const [name, setName] = useState(s.name);
  const [email, setEmail] = useState(s.email);
  const [timeZone, setTimeZone] = useState(s.timeZone);
  const save = useMutation({
    mutationFn: async () => {
      if (s.role !== 'admin') {
        await ok(
          api.PUT('/v1/recipients/{recipient.user_id}', {
            params: { path: { 'recipient.user_id': s.subject } },
            body: { userId: s.subject, email, displayName: name, timeZone },
          }),
        );
      }
      update({ ...s, name, email, timeZone });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <section>
      <h1>Your profile</h1>
      <p>
        Signed in as <strong>{s.subject}</strong> ({s.role}).
      </p>
      <form onSubmit={submit}>
        <Field label="Name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Email" error={fieldError(save.error, 'Email', 'recipient.email', 'email')}>
          {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Time zone" hint="Every time in the console, and in your emails, is shown in it." error={fieldError(save.error, 'Time zone', 'recipient.time_zone')}>
          {(p) => (
            <select {...p} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {timeZones().map((z) => (
                <option key={z}>{z}</option>
              ))}
            </select>
          )}
        </Field>
        <ErrorText error={save.error} />
        {save.isSuccess && <p role="status">Saved.</p>}
        <button type="submit" className="primary" disabled={save.isPending}>
          Save
        </button>
      </form>
    </section>
  );
}
