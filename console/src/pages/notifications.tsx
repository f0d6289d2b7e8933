/** Notifications: the delivery backlog and the dead letters, with Replay and Discard for editors. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, type DeadLetter, type NotificationsInfo } from '../api.js';
import { useApi } from '../hooks.js';
import { useIsEditor } from '../session.js';
import { Json, LoadState, time } from '../ui.js';

/** `#/notifications`. */
export function NotificationsPage(): JSX.Element {
  const info = useApi<NotificationsInfo>('/notifications');
  const isEditor = useIsEditor();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();

  const act = (d: DeadLetter, action: 'replay' | 'discard'): void => {
    const path = `/notifications/dead-letters/${encodeURIComponent(d.id)}${action === 'replay' ? '/replay' : ''}`;
    api(path, { method: action === 'replay' ? 'POST' : 'DELETE' }).then(
      () => {
        setMessage({
          ok: true,
          text: action === 'replay' ? `Replayed ${d.id}: queued for delivery again` : `Discarded ${d.id}`,
        });
        info.reload();
      },
      (e: unknown) => setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) }),
    );
  };

  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <button type="button" class="secondary" onClick={info.reload}>
        Refresh
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} class={message.ok ? 'ok' : 'error'}>
          {message.text}
        </p>
      )}
      <LoadState loaded={info}>
        {(n) => (
          <>
            <p aria-label="Backlog" class="panel">
              <strong>Backlog:</strong> {n.backlog.depth} queued
              {n.backlog.oldestQueuedAt !== undefined && `, oldest since ${time(n.backlog.oldestQueuedAt)}`}
            </p>
            <h2>Dead letters</h2>
            {n.deadLetters.length === 0 ? (
              <p class="muted">No dead letters.</p>
            ) : (
              <table aria-label="Dead letters">
                <thead>
                  <tr>
                    <th scope="col">Failed at</th>
                    <th scope="col">Partner</th>
                    <th scope="col">Event</th>
                    <th scope="col">Listener</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last error</th>
                    {isEditor && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {n.deadLetters.map((d) => (
                    <tr key={d.id}>
                      <td>{time(d.failedAt)}</td>
                      <td>{d.partnerId}</td>
                      <td>
                        {d.eventType}
                        <div class="muted small">{d.eventId}</div>
                        {d.body !== undefined && (
                          <details>
                            <summary>Body</summary>
                            <Json value={d.body} />
                          </details>
                        )}
                      </td>
                      <td>
                        <code>{d.url}</code>
                      </td>
                      <td>{d.attempts}</td>
                      <td>{d.lastError}</td>
                      {isEditor && (
                        <td>
                          <button type="button" onClick={() => act(d, 'replay')} aria-label={`Replay ${d.id}`}>
                            Replay
                          </button>{' '}
                          <button type="button" class="danger" onClick={() => act(d, 'discard')} aria-label={`Discard ${d.id}`}>
                            Discard
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </LoadState>
    </section>
  );
}
