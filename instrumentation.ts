// Runs once when the Next.js server process starts: opens (or starts) the database before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startPanel } = await import('./lib/server/startup');
  await startPanel();
}
