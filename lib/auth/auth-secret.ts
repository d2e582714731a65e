// The key that signs session cookies: NEXTAUTH_SECRET, or generated once into the data directory (mode 0600).
// Read synchronously because next-auth's options are built synchronously.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function loadAuthSecret({ configured, dataDir }: { configured?: string; dataDir: string }): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'auth-secret');
  try {
    chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  try {
    // 'wx': when two processes start together, one writes and the other reads the winner's secret.
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}
