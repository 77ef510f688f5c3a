import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory path: `--memory` servers and tests keep nothing behind in the working directory. */
export function temporaryDir(prefix: string): string {
  return join(tmpdir(), `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
}
