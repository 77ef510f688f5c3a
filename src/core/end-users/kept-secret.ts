import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';

/**
 * A signing secret generated once and kept in the database under `name` (signing_secrets), so
 * every process on it signs and verifies alike; read once per process. A failed read (database
 * down) is tried again on the next call, not kept.
 */
export function keptSecret(db: Queryable, name: string): () => Promise<string> {
  let secret: Promise<string> | undefined;
  return () => {
    if (!secret) {
      secret = stores(db).endUsers.keepSigningSecret(name, randomBytes(48).toString('base64url'));
      secret.catch(() => { secret = undefined; });
    }
    return secret;
  };
}
