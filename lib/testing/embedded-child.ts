// A process that opens the embedded database the way the panel does, for the embedded-mode lifecycle tests:
// prints "READY <port> <url>" and keeps running until signalled (SIGTERM/SIGINT close it cleanly).
import { openDatabase } from '@/lib/db/connection';

import { MIGRATIONS_DIR } from './database';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child <data dir>');

openDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR, log: (line) => console.error(line) })
  .then((db) => {
    console.log(`READY ${db.embedded?.port} ${db.embedded?.shared ? 'shared' : 'owner'} ${db.embedded?.url}`);
    const stop = () => void db.close().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    setInterval(() => {}, 1 << 30);
  })
  .catch((error: Error) => {
    console.error(`FAILED ${error.message}`);
    process.exit(1);
  });
