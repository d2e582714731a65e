// One deployment per application at a time: whoever runs a deployment holds a session-level advisory lock on its
// application, on a connection of its own, for the whole run. PostgreSQL drops the lock when that connection dies
// (a killed worker's socket closes), which is also how a later sweep tells a live run from an orphaned row.
import pg from 'pg';

// The first key of the two-int advisory lock namespace: "SLWP", so our locks never collide with pg-boss's or others'.
const LOCK_CLASS = 0x534c5750;

/** A connection of its own (never a pooled one: a session lock must not outlive its user inside a pool). */
export async function connectLockClient(
  connectionString: string,
  purpose: string,
  onError: (error: Error) => void = () => {},
): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: `slipway ${purpose}`.slice(0, 63) });
  // Attached before connecting: an 'error' event without a listener would crash the process.
  client.on('error', onError);
  await client.connect();
  return client;
}

/** True when this session now holds the application (or already did); false when another session does. */
export async function tryLockApplication(client: pg.Client, applicationId: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked',
    [LOCK_CLASS, applicationId],
  );
  return rows[0]?.locked === true;
}

export async function unlockApplication(client: pg.Client, applicationId: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [LOCK_CLASS, applicationId]);
}
