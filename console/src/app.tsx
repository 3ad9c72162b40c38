import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, gql, onUnauthenticated, session, type Me } from './api.js';
import { forgetActiveValues } from './components.js';
import { href, useRoute, type Route } from './router.js';
import { AuditPage } from './pages/audit.js';
import { DocumentPage } from './pages/document.js';
import { DocumentsPage } from './pages/documents.js';
import { GapsPage } from './pages/gaps.js';
import { JobsPage } from './pages/jobs.js';
import { MappingsPage } from './pages/mappings.js';
import { OverviewPage } from './pages/overview.js';

const PAGES: Array<{ path: string; label: string }> = [
  { path: 'overview', label: 'Overview' },
  { path: 'documents', label: 'Documents' },
  { path: 'gaps', label: 'Mapping gaps' },
  { path: 'mappings', label: 'Mappings' },
  { path: 'jobs', label: 'Jobs' },
  { path: 'audit', label: 'Audit report' },
];

type Auth = { state: 'checking' } | { state: 'signed-out'; error: string | null } | { state: 'signed-in'; me: Me };

const ME = '{ me { name role sandbox } }';
const ME_KEY = 'ml-connector.console.me';

/** Who signed in, remembered for this tab so a reload shows the page at once; checked again in the background. */
const rememberedMe = {
  get(): Me | null {
    try {
      return JSON.parse(sessionStorage.getItem(ME_KEY) ?? 'null') as Me | null;
    } catch {
      return null;
    }
  },
  set(me: Me | null): void {
    try {
      if (me) sessionStorage.setItem(ME_KEY, JSON.stringify(me));
      else sessionStorage.removeItem(ME_KEY);
    } catch {
      /* no storage: nothing remembered */
    }
  },
};

export function App() {
  const [auth, setAuth] = useState<Auth>(() => {
    const me = rememberedMe.get();
    return me ? { state: 'signed-in', me } : { state: 'checking' };
  });
  const [choosingToken, setChoosingToken] = useState(false);

  const check = async (): Promise<void> => {
    try {
      const { me } = await gql<{ me: Me }>(ME);
      const known = rememberedMe.get();
      rememberedMe.set(me);
      if (!known || known.name !== me.name || known.role !== me.role || known.sandbox !== me.sandbox) setAuth({ state: 'signed-in', me });
    } catch (error) {
      const e = error as ApiError;
      rememberedMe.set(null);
      if (e.code === 'UNAUTHENTICATED' && session.token()) session.clear();
      setAuth({ state: 'signed-out', error: e.code === 'UNAUTHENTICATED' ? null : e.message });
    }
  };

  useEffect(() => {
    void check();
    return onUnauthenticated(() => {
      session.clear();
      rememberedMe.set(null);
      setAuth({ state: 'signed-out', error: 'The service no longer accepts that token: sign in again.' });
    });
  }, []);

  if (auth.state === 'checking') return <p class="boot">Connecting to the service…</p>;
  if (auth.state === 'signed-out' || choosingToken) {
    return (
      <SignIn
        error={auth.state === 'signed-out' ? auth.error : null}
        onCancel={choosingToken ? () => setChoosingToken(false) : undefined}
        onSignedIn={(me) => {
          rememberedMe.set(me);
          forgetActiveValues();
          setChoosingToken(false);
          setAuth({ state: 'signed-in', me });
        }}
      />
    );
  }
  return (
    <Shell
      me={auth.me}
      onSignOut={() => {
        session.clear();
        rememberedMe.set(null);
        forgetActiveValues();
        setAuth({ state: 'checking' });
        void check();
      }}
      onSwitch={() => setChoosingToken(true)}
    />
  );
}

function SignIn(props: { error: string | null; onSignedIn(me: Me): void; onCancel?: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(props.error);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Sign in · ml-connector';
    document.body.dataset['ready'] = 'sign-in';
  }, []);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return setError('Enter an API token.');
    setBusy(true);
    session.set(value);
    try {
      const { me } = await gql<{ me: Me }>(ME);
      setToken('');
      props.onSignedIn(me);
    } catch (err) {
      session.clear();
      setError(
        (err as ApiError).code === 'UNAUTHENTICATED'
          ? 'The service does not know this token. Use one of ML_API_TOKENS (name:role:token).'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>ml-connector operator console</h1>
      <form onSubmit={submit} aria-describedby="token-help">
        <div class="field">
          <label for="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
            autoFocus
          />
          <small id="token-help" class="hint">
            A token from the service's ML_API_TOKENS. It is kept in this browser tab only (session storage) and sent with each request; closing the tab forgets
            it.
          </small>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          {props.onCancel && (
            <button type="button" class="secondary" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

function Shell(props: { me: Me; onSignOut(): void; onSwitch(): void }) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const page = route.path[0] ?? 'overview';
  const first = useRef(true);
  useEffect(() => {
    // Move focus to the new page for keyboard and screen reader users (not on the first load).
    if (!first.current) main.current?.focus();
    first.current = false;
  }, [route]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ml
          </span>
          <span>ml-connector</span>
          {props.me.sandbox && (
            <strong class="sandbox" role="note" aria-label="Sandbox mode: Concur and Intacct are simulated">
              SANDBOX
            </strong>
          )}
        </div>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={href([p.path])} aria-current={page === p.path ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {props.me.name} <span class="role">({props.me.role})</span>
          </span>
          {props.me.sandbox && (
            <button type="button" class="link" onClick={props.onSwitch}>
              Use a token
            </button>
          )}
          {(!props.me.sandbox || props.me.name !== 'sandbox') && (
            <button type="button" class="link" onClick={props.onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      {props.me.sandbox && <p class="sandbox-bar">SANDBOX: Concur and Intacct are simulated in-process; nothing leaves this machine.</p>}
      <main id="main" ref={main} tabIndex={-1}>
        <PageFor route={route} me={props.me} />
      </main>
    </>
  );
}

function PageFor({ route, me }: { route: Route; me: Me }) {
  const [page, id] = route.path;
  switch (page) {
    case 'documents':
      return id ? <DocumentPage id={id} me={me} /> : <DocumentsPage route={route} me={me} />;
    case 'gaps':
      return <GapsPage me={me} />;
    case 'mappings':
      return <MappingsPage me={me} />;
    case 'jobs':
      return <JobsPage me={me} />;
    case 'audit':
      return <AuditPage route={route} />;
    case 'overview':
      return <OverviewPage />;
    default:
      return (
        <p class="error" role="alert">
          No page "{page}". <a href={href(['overview'])}>Go to the overview</a>.
        </p>
      );
  }
}
