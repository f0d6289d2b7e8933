/** Partners: the list, and one partner's releases, functions, callbacks (last delivery) and rate limits. */
import type { JSX } from 'preact';
import type { Partner } from '../api.js';
import { href, useApi } from '../hooks.js';
import { Badge, Json, LoadState, time } from '../ui.js';

/** `#/partners` (list) and `#/partners/<id>` (detail). */
export function PartnersPage(props: { path: string[] }): JSX.Element {
  const id = props.path[0];
  return id ? <PartnerDetail id={id} /> : <PartnerList />;
}

function PartnerList(): JSX.Element {
  const partners = useApi<Partner[]>('/partners');
  return (
    <section aria-labelledby="partners-title">
      <h1 id="partners-title">Partners</h1>
      <LoadState loaded={partners}>
        {(list) => (
          <table aria-label="Partners">
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Id</th>
                <th scope="col">Releases</th>
                <th scope="col">Callbacks</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <td>
                    <a href={href('partners', p.id)}>{p.name || p.id}</a>
                  </td>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{[...new Set(Object.values(p.releases))].join(', ')}</td>
                  <td>{p.callbacks.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadState>
    </section>
  );
}

const OUTCOME_TONE = { delivered: 'ok', retry: 'warn', dead: 'bad' } as const;

function PartnerDetail(props: { id: string }): JSX.Element {
  const partner = useApi<Partner>(`/partners/${encodeURIComponent(props.id)}`);
  return (
    <LoadState loaded={partner}>
      {(p) => (
        <section aria-labelledby="partner-title">
          <p>
            <a href={href('partners')}>← Partners</a>
          </p>
          <h1 id="partner-title">{p.name || p.id}</h1>
          <p>
            <a href={`${href('mappings')}?partner=${encodeURIComponent(p.id)}`}>Mappings of {p.id}</a> ·{' '}
            <a href={`${href('activity')}?partner=${encodeURIComponent(p.id)}`}>Activity</a>
          </p>
          <h2>Releases</h2>
          <table aria-label="Releases">
            <thead>
              <tr>
                <th scope="col">API</th>
                <th scope="col">Release</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(p.releases).map(([apiName, release]) => (
                <tr key={apiName}>
                  <td>{apiName}</td>
                  <td>{release}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Functions</h2>
          <table aria-label="Functions">
            <thead>
              <tr>
                <th scope="col">Business function</th>
                <th scope="col">Mode</th>
              </tr>
            </thead>
            <tbody>
              {p.functions.map((f) => (
                <tr key={f.function}>
                  <td>{f.function}</td>
                  <td>{f.mode}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Callbacks</h2>
          {p.callbacks.length === 0 ? (
            <p class="muted">No callbacks registered.</p>
          ) : (
            <table aria-label="Callbacks">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Last delivery</th>
                </tr>
              </thead>
              <tbody>
                {p.callbacks.map((c) => (
                  <tr key={c.url}>
                    <td>
                      <code>{c.url}</code>
                    </td>
                    <td>
                      {c.lastDelivery ? (
                        <>
                          <Badge tone={OUTCOME_TONE[c.lastDelivery.outcome]}>{c.lastDelivery.outcome}</Badge> {c.lastDelivery.status ?? ''}{' '}
                          {time(c.lastDelivery.at)}
                        </>
                      ) : (
                        <span class="muted">never</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Rate limits</h2>
          <Json value={p.rateLimits} label="Rate limits" />
        </section>
      )}
    </LoadState>
  );
}
