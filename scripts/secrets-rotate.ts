// npm run secrets:rotate — moves every stored secret onto a new key (or, with SLIPWAY_SECRET_KEY, onto its current
// key). Safe to run again: values already on the current key are left alone. Exits 1 if any value could not be
// decrypted (those rows are left unchanged and listed by id).
import { KEY_FILE } from '@/lib/crypto';
import { database } from '@/lib/db';
import { env } from '@/lib/env';
import { rotateSecrets } from '@/lib/secrets/rotate';

async function main(): Promise<number> {
  const config = env();
  const db = await database();
  try {
    const result = await rotateSecrets(db.prisma, {
      secretKey: config.SLIPWAY_SECRET_KEY,
      dataDir: config.SLIPWAY_DATA_DIR,
    });
    const version = result.keyVersion;
    if (result.keySource === 'env') {
      console.log(`Using SLIPWAY_SECRET_KEY: its first entry, key version ${version}, is current.`);
      console.log(
        `  (To rotate, put a new key first: SLIPWAY_SECRET_KEY='${version + 1}:<new key>,${version}:<current key>'.)`,
      );
    } else if (result.addedKey) {
      console.log(
        `Added key version ${version} to ${config.SLIPWAY_DATA_DIR}/${KEY_FILE}; older versions stay there so older backups can be restored.`,
      );
    } else {
      console.log(
        `${result.stale} value(s) were still on older keys (an unfinished rotation): moving them onto key version ${version}; no new key added.`,
      );
    }
    for (const count of result.counts) {
      console.log(
        `  ${count.target}: ${count.reencrypted} re-encrypted, ${count.current} already current, ${count.failed} failed`,
      );
    }
    const moved = result.counts.reduce((sum, count) => sum + count.reencrypted, 0);
    if (result.failures.length > 0) {
      console.error(`\n${result.failures.length} value(s) could not be decrypted and were left unchanged:`);
      for (const failure of result.failures) console.error(`  ${failure.target} id ${failure.id}: ${failure.reason}`);
      console.error(
        'Restore the key they were written with (key file or SLIPWAY_SECRET_KEY), or set those values again in the panel, ' +
          'then run npm run secrets:rotate again.',
      );
      return 1;
    }
    console.log(`Done: ${moved} value(s) re-encrypted onto key version ${version}.`);
    if (moved > 0 || result.addedKey)
      console.log(`Restart the panel so it writes new secrets with key version ${version}.`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`Key rotation failed: ${error.message}`);
    process.exit(1);
  },
);
