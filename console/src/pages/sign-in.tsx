/** Sign in: username and password (local users file), and the IdP button when OAuth 2.0 sign-in is configured. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, type SignInOptions } from '../api.js';

/** The sign-in page; calls `onSignedIn` once the session cookie is set. */
export function SignIn(props: { options: SignInOptions; onSignedIn: () => void; error?: string }): JSX.Element {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(props.error);
  const [busy, setBusy] = useState(false);

  const submit = (e: Event): void => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api('/session', { method: 'POST', body: { username, password } }).then(
      () => props.onSignedIn(),
      (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setBusy(false);
      },
    );
  };

  return (
    <main class="sign-in">
      <h1>sonata-gateway console</h1>
      {props.options.local && (
        <form onSubmit={submit} aria-label="Sign in">
          <label>
            Username
            <input name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {props.options.oauth2 && (
        <p>
          <a class="button" href="/console/auth/oauth2" role="button">
            Sign in with your IdP
          </a>
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </main>
  );
}
