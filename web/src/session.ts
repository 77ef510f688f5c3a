/**
 * Who is signed in: the API key (in sessionStorage only, so it leaves with the tab and is never
 * written to disk by the console) and what Parley says the key is (GET /v1/customers/-/apiKeys:introspect):
 * its customer, the profile or agent it is narrowed to, its scopes.
 */
import { useEffect, useState } from 'preact/hooks';

const STORAGE = 'parley.console.apiKey';

export interface Identity {
  /** `customers/{c}/apiKeys/{id}` */
  name: string;
  displayName: string;
  /** The customer id (last segment of `customers/{c}`). */
  customer: string;
  /** `customers/{c}/profiles/{p}` when the key is narrowed to a profile, else "". */
  profile: string;
  /** `customers/{c}/profiles/{p}/agents/{a}` when the key is narrowed to an agent, else "". */
  agent: string;
  scopes: string[];
}

export interface SessionState {
  key: string | null;
  identity: Identity | null;
  /** Why the last session ended, shown on the sign-in page. */
  notice: string | null;
}

type Listener = (state: SessionState) => void;

class Session {
  private state: SessionState = { key: readKey(), identity: null, notice: null };
  private readonly listeners = new Set<Listener>();

  key(): string | null {
    return this.state.key;
  }

  current(): SessionState {
    return this.state;
  }

  /** Keeps a key Parley accepted (see sign-in.tsx, which asks introspect first). */
  signIn(key: string, identity: Identity): void {
    sessionStorage.setItem(STORAGE, key);
    this.set({ key, identity, notice: null });
  }

  /** The identity of a key kept from before a reload. */
  identify(identity: Identity): void {
    this.set({ ...this.state, identity });
  }

  signOut(notice: string | null = null): void {
    sessionStorage.removeItem(STORAGE);
    this.set({ key: null, identity: null, notice });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

function readKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE);
  } catch {
    return null;
  }
}

export const session = new Session();

export function useSession(): SessionState {
  const [state, setState] = useState(session.current());
  useEffect(() => {
    setState(session.current());
    return session.subscribe(setState);
  }, []);
  return state;
}
