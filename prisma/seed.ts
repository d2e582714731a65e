// npm run db:seed — loads the demo data into the panel's database (DATABASE_URL, or the embedded server).
import { loadKeyRing } from '@/lib/crypto';
import { database } from '@/lib/db';
import { seedDemoData } from '@/lib/db/seed';
import { env } from '@/lib/env';

async function main() {
  const config = env();
  const db = await database();
  try {
    const ring = await loadKeyRing({ secretKey: config.SLIPWAY_SECRET_KEY, dataDir: config.SLIPWAY_DATA_DIR });
    const result = await seedDemoData(db.prisma, ring, { password: config.SLIPWAY_DEMO_PASSWORD });
    if (!result.created) {
      console.log('Demo data is already loaded; nothing changed.');
      return;
    }
    console.log('Demo data loaded: 3 projects, 4 applications, a database, a team and 2 users.');
    for (const [user, password] of Object.entries(result.passwords)) {
      console.log(`  ${user}: password ${password} (shown once; change it after signing in)`);
    }
  } finally {
    await db.close();
  }
}

main().catch((error: Error) => {
  console.error(`Seeding failed: ${error.message}`);
  process.exit(1);
});
