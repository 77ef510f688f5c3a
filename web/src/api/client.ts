/**
 * The console's API clients: openapi-fetch over the types generated from Parley's OpenAPI
 * documents (web/src/api/*.d.ts, `npm run console:types`), so every path, parameter and body the
 * console sends is checked against the server's own description of it. Each request carries the
 * signed-in key as `Authorization: Bearer`; a 401 on a request made with it signs the session out.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as ConversationsPaths } from './conversations';
import type { paths as IngestPaths } from './ingest';
import type { paths as VoicePaths } from './voice';
import { session } from '../session.ts';

const bearer: Middleware = {
  onRequest({ request }) {
    const key = session.key();
    if (key && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ request, response }) {
    const key = session.key();
    if (response.status === 401 && key && request.headers.get('authorization') === `Bearer ${key}`) {
      session.signOut('Parley no longer accepts this key (revoked or expired): sign in again.');
    }
    return response;
  },
};

function client<Paths extends object>() {
  const c = createClient<Paths>({ baseUrl: location.origin });
  c.use(bearer);
  return c;
}

/** The conversations surface (Cresta ConversationService, and Parley's own console endpoints). */
export const conversations = client<ConversationsPaths>();
/** The ingest surface (Converra): insights, webhooks and their deliveries. */
export const ingest = client<IngestPaths>();
/** The voice surface: call recordings. */
export const voice = client<VoicePaths>();

/** A refused call, with the server's message (google.rpc.Status `message`, or the ingest surface's `error.message`). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

function describe(error: unknown, response: Response): ApiError {
  const body = (error ?? {}) as { message?: unknown; status?: unknown; error?: { message?: unknown; code?: unknown } };
  const message = typeof body.message === 'string' ? body.message
    : typeof body.error?.message === 'string' ? body.error.message
      : `${response.status} ${response.statusText || 'error'}`;
  const code = typeof body.status === 'string' ? body.status : typeof body.error?.code === 'string' ? body.error.code : undefined;
  return new ApiError(response.status, message, code);
}

/** The body of a successful call, or an ApiError: `const { conversation } = await ok(conversations.GET(...))`. */
export async function ok<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw describe(error, response);
  return data as D;
}
