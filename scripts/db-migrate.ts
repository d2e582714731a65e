// npm run db:migrate — applies pending migrations to DATABASE_URL, or to the embedded server when it is unset.
// (The panel also migrates itself at start; `prisma migrate deploy` does the same against DATABASE_URL.)
import { database } from '@/lib/db';
import { migrationStatus } from '@/lib/db/migrate';

async function main() {
  const db = await database();
  try {
    const client = await db.pool.connect();
    try {
      const status = await migrationStatus(client, db.migrationsDir);
      console.log(`Database (${db.mode}) is up to date: ${status.applied.length} migrations applied.`);
    } finally {
      client.release();
    }
  } finally {
    await db.close();
  }
}

main().catch((error: Error) => {
  console.error(`Migration failed: ${error.message}`);
  process.exit(1);
});
