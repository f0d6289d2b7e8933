/** Entry point: the app shell (session, left navigation, page by hash route). */
import { render, type JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, SIGNED_OUT_EVENT, type ConsoleUser, type SessionInfo, type SignInOptions } from './api.js';
import { href, useRoute } from './hooks.js';
import { UserContext } from './session.js';
import { SignIn } from './pages/sign-in.js';
import { PartnersPage } from './pages/partners.js';
import { MappingsPage } from './pages/mappings.js';
import { PlaygroundPage } from './pages/playground.js';
import { ActivityPage } from './pages/activity.js';
import { NotificationsPage } from './pages/notifications.js';
import { ConformancePage } from './pages/conformance.js';
import { ApiReferencePage } from './pages/api-reference.js';
import './styles.css';

const PAGES: { key: string; label: string; page: (p: { path: string[]; params: URLSearchParams }) => JSX.Element }[] = [
  { key: 'partners', label: 'Partners', page: PartnersPage },
  { key: 'mappings', label: 'Mappings', page: MappingsPage },
  { key: 'playground', label: 'Playground', page: PlaygroundPage },
  { key: 'activity', label: 'Activity', page: ActivityPage },
  { key: 'notifications', label: 'Notifications', page: NotificationsPage },
  { key: 'conformance', label: 'Conformance', page: ConformancePage },
  { key: 'api', label: 'API reference', page: ApiReferencePage },
];

type SessionState =
  { state: 'loading' } | { state: 'signed-out'; signIn: SignInOptions; error?: string } | { state: 'signed-in'; user: ConsoleUser };

function App(): JSX.Element {
  const [session, setSession] = useState<SessionState>({ state: 'loading' });
  const route = useRoute();

  const load = useCallback(() => {
    api<SessionInfo>('/session').then(
      (s) => setSession({ state: 'signed-in', user: s.user }),
      (e: unknown) => {
        const body = e instanceof ApiError ? (e.body as { signIn?: SignInOptions } | undefined) : undefined;
        const signIn = body?.signIn ?? { local: true, oauth2: false };
        setSession({
          state: 'signed-out',
          signIn,
          error: e instanceof ApiError && e.status === 401 ? undefined : String(e),
        });
      },
    );
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    window.addEventListener(SIGNED_OUT_EVENT, load);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, load);
  }, [load]);

  if (session.state === 'loading') return <p class="muted">Loading…</p>;
  if (session.state === 'signed-out') return <SignIn options={session.signIn} onSignedIn={load} error={session.error} />;

  const signOut = (): void => {
    void api('/session', { method: 'DELETE' }).finally(load);
  };
  const key = route.path[0] ?? 'partners';
  const current = PAGES.find((p) => p.key === key) ?? PAGES[0]!;
  const Page = current.page;
  return (
    <UserContext.Provider value={session.user}>
      <div class="shell">
        <nav aria-label="Console">
          <div class="brand">sonata-gateway</div>
          <ul>
            {PAGES.map((p) => (
              <li key={p.key}>
                <a href={href(p.key)} aria-current={p.key === current.key ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
          <div class="who" aria-label="Signed in user">
            <span class="user-name">{session.user.name}</span> <span class={`role role-${session.user.role}`}>{session.user.role}</span>
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          </div>
        </nav>
        <main>
          <Page path={route.path.slice(1)} params={route.params} />
        </main>
      </div>
    </UserContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
