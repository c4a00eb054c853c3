// Browser entry of the development GraphiQL, bundled by esbuild from the installed packages (no CDN).
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';

// Same origin, with cookies: the web BFF's session cookie rides along, as it does for the dashboard.
const fetcher: GraphiQLProps['fetcher'] = async (params, options) => {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options?.headers },
    body: JSON.stringify(params),
  });
  return response.json();
};

interface SignedIn {
  user: { id: string; email?: string; displayName?: string };
  session: { id: string; expiresAt: string };
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Signs in through the BFF's /auth routes: the session cookie is HttpOnly, so the page never sees a token. */
function SessionBar() {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    fetch('/auth/session', { credentials: 'include' })
      .then(async (res) => (res.ok ? setSignedIn((await res.json()) as SignedIn) : undefined))
      .catch(() => undefined);
  }, []);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    setError('');
    let res = await postJson('/auth/login', { email, password });
    let body = await res.json();
    const challenge = body.errors?.[0]?.extensions;
    if (challenge?.code === 'MFA_REQUIRED') {
      // A second factor: the authenticator app's code when there is one, else a code by email (in development, on identity's /dev/mailbox).
      const method = (challenge.methods as string[]).includes('TOTP') ? 'TOTP' : 'EMAIL';
      if (method === 'EMAIL') {
        await postJson('/graphql', { query: 'mutation ($t: String!) { sendSignInCode(mfaToken: $t, channel: EMAIL) { sentTo } }', variables: { t: challenge.mfaToken } });
      }
      const code = window.prompt(method === 'TOTP' ? 'The code in your authenticator app' : 'The code sent to your email address');
      if (!code) return;
      res = await postJson('/auth/mfa', { mfaToken: challenge.mfaToken, method, code });
      body = await res.json();
    }
    if (!res.ok) {
      setError(`${body.errors?.[0]?.extensions?.code ?? res.status}: ${body.errors?.[0]?.message ?? 'sign-in failed'}`);
      return;
    }
    setPassword('');
    setSignedIn(body as SignedIn);
  }

  async function signOut() {
    await postJson('/auth/logout', {});
    setSignedIn(null);
  }

  return (
    <div className="meridian-session" data-testid="session-bar">
      <strong>Meridian web BFF</strong>
      {signedIn ? (
        <>
          <span data-testid="signed-in-as">Signed in as {signedIn.user.email ?? signedIn.user.id}</span>
          <button type="button" onClick={signOut}>Sign out</button>
        </>
      ) : (
        <form onSubmit={signIn}>
          <input name="email" type="email" autoComplete="username" placeholder="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <input name="password" type="password" autoComplete="current-password" placeholder="password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <button type="submit">Sign in</button>
          {error ? <span role="alert">{error}</span> : null}
        </form>
      )}
    </div>
  );
}

function App() {
  return (
    <div className="meridian-layout">
      <SessionBar />
      <div className="meridian-graphiql">
        <GraphiQL fetcher={fetcher} />
      </div>
    </div>
  );
}

const container = document.getElementById('graphiql');
if (container) createRoot(container).render(<App />);
