import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { useSession } from '../../auth/session';
import { Field, Loaded } from '../../components/ui';
import { formatDateTime } from '../../lib/time';

/** The development mailbox: every email the stack sent, newest first. */
export function Mailbox() {
  const s = useSession();
  const [to, setTo] = useState('');
  const q = useQuery({
    queryKey: ['mailbox', to],
    queryFn: () => ok(api.GET('/v1/devmailbox/messages', { params: { query: { to: to || undefined, pageSize: 100 } } })),
    refetchInterval: 5_000,
  });
  return (
    <section>
      <h1>Development mailbox</h1>
      <Field label="Only mail to" hint="An email address; empty for all.">
        {(p) => <input {...p} type="search" value={to} onChange={(e) => setTo(e.target.value)} />}
      </Field>
      <Loaded q={q}>
        {(d) =>
          d.messages?.length ? (
            <ul className="cards">
              {d.messages.map((m) => (
                <li key={m.id} className="card">
                  <details>
                    <summary>
                      <strong>{m.subject}</strong> → {m.to} · {formatDateTime(m.receiveTime, s.timeZone)}
                    </summary>
                    <pre className="mail">{m.textBody}</pre>
                    {m.attachmentNames?.length ? <p>Attachments: {m.attachmentNames.join(', ')}</p> : null}
                  </details>
                </li>
              ))}
            </ul>
          ) : (
            <p>No mail (the mailbox is empty when the stack sends over SMTP).</p>
          )
        }
      </Loaded>
    </section>
  );
}
