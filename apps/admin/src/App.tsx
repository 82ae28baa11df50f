// The shell: sign-in with an admin token, then navigation, pages and the live event stream.
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, Redirect, Route, Router, Switch, useLocation } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";
import { codeOf } from "./errors.ts";
import { LiveProvider } from "./live.tsx";
import { ChatbotPage } from "./pages/Chatbot.tsx";
import { PAGES } from "./pages/registry.ts";
import { clearToken, storedToken, storeToken } from "./session.ts";
import { createClient, TRPCProvider, useTRPC } from "./trpc.ts";
import { ErrorMessage } from "./ui/common.tsx";
import { TextField } from "./ui/fields.tsx";

export function App() {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [reason, setReason] = useState<string | null>(null);
  const signOut = (why: string | null = null) => {
    clearToken();
    setReason(why);
    setToken(null);
  };
  if (!token)
    return (
      <SignIn
        reason={reason}
        onSignIn={(t) => {
          storeToken(t);
          setToken(t);
        }}
      />
    );
  return <SignedIn key={token} token={token} onSignOut={signOut} />;
}

function SignedIn({ token, onSignOut }: { token: string; onSignOut(why?: string | null): void }) {
  const { queryClient, client } = useMemo(() => {
    const queryClient = new QueryClient({
      defaultOptions: {
        queries: {
          // A refused token is not worth retrying; other failures get one more try.
          retry: (count, error) => codeOf(error) !== "UNAUTHORIZED" && count < 1,
          staleTime: 5_000,
        },
      },
    });
    return { queryClient, client: createClient(token) };
  }, [token]);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        <LiveProvider>
          <Shell onSignOut={onSignOut} />
        </LiveProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function Shell({ onSignOut }: { onSignOut(why?: string | null): void }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  useEffect(() => {
    if (codeOf(me.error) === "UNAUTHORIZED") onSignOut("That token was not accepted. Sign in again.");
  }, [me.error, onSignOut]);
  return (
    <Router hook={useHashLocation}>
      {/* A button, not a #main link: the hash is the router's. */}
      <button type="button" className="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">botgate</span>
        <Nav />
        <span className="who">{me.data ? `${me.data.username} · ${me.data.accountNumber}` : ""}</span>
        <button type="button" className="small" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>
      <Main />
    </Router>
  );
}

function Nav() {
  const [location] = useLocation();
  return (
    <nav aria-label="Main">
      <ul>
        {PAGES.map((page) => (
          <li key={page.path}>
            <Link href={page.path} aria-current={location.startsWith(page.path) ? "page" : undefined}>
              {page.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Moves focus to the new page's heading on navigation, so screen readers start there. */
function Main() {
  const [location] = useLocation();
  const ref = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => {
      const heading = ref.current?.querySelector("h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }, 50);
    return () => clearTimeout(timer);
  }, [location]);
  return (
    <main id="main" ref={ref} tabIndex={-1}>
      <Switch>
        {PAGES.map((page) => (
          <Route key={page.path} path={page.path} component={page.component} />
        ))}
        <Route path="/chatbots/:id">{(params) => <ChatbotPage id={Number(params.id)} />}</Route>
        <Route>
          <Redirect to="/chatbots" />
        </Route>
      </Switch>
    </main>
  );
}

function SignIn({ reason, onSignIn }: { reason: string | null; onSignIn(token: string): void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to botgate</h1>
      {reason ? <p role="alert">{reason}</p> : null}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            // A token is good when the API says who it belongs to.
            await createClient(token.trim()).account.me.query();
            onSignIn(token.trim());
          } catch (err) {
            setError(codeOf(err) === "UNAUTHORIZED" ? new Error("That token was not accepted.") : err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <TextField
          label="Admin token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={setToken}
          required
          hint="From the dev banner or “npm run botgate -- token create”. Kept in this tab only, until you sign out."
        />
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy || token.trim() === ""}>
          Sign in
        </button>
      </form>
    </main>
  );
}
