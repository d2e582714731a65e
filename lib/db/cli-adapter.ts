// The Prisma CLI (migrate, db execute, diff) on the JS schema engine through the pg driver adapter, with the three
// upstream defects of @prisma/adapter-pg 6.19 worked around (see ENVIRONMENT.md and docs/decisions.md):
//  1. result columns typed `name`/`char` (and their arrays) cannot be deserialized → report them as text;
//  2. the shadow database pool connects to the main database → point a real temporary database's URL at it;
//  3. migration scripts are split on `;`, breaking `$$` bodies → run each script as one query.
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const TEXT = 25;
const TEXT_ARRAY = 1009;
const retype: Record<number, number> = { 18: TEXT, 19: TEXT, 1002: TEXT_ARRAY, 1003: TEXT_ARRAY };

function fixFields<T>(result: T): T {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
  for (const field of fields ?? []) {
    const mapped = retype[field.dataTypeID];
    if (mapped !== undefined) field.dataTypeID = mapped;
  }
  return result;
}

class RetypingClient extends pg.Client {
  // pg's query() has promise and callback forms; the pool uses the callback one.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : fixFields(res));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = (super.query as any)(...args);
    return out && typeof out.then === 'function' ? out.then(fixFields) : out;
  }
}

function toAdapterError(error: unknown): never {
  const e = error as {
    code?: string;
    severity?: string;
    message?: string;
    detail?: string;
    column?: string;
    hint?: string;
  };
  throw new DriverAdapterError({
    kind: 'postgres',
    code: e.code ?? 'N/A',
    severity: e.severity ?? 'N/A',
    message: e.message ?? String(error),
    detail: e.detail,
    column: e.column,
    hint: e.hint,
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

function patchScripts(adapter: Adapter, pool: pg.Pool): Adapter {
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      toAdapterError(error);
    }
  };
  return adapter;
}

function makePool(connectionString: string): pg.Pool {
  return new pg.Pool({ connectionString, Client: RetypingClient, max: 4, idleTimeoutMillis: 100 });
}

export function cliAdapterFactory(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  const mainPool = makePool(connectionString);
  const factory = new PrismaPg(mainPool);
  return {
    provider: 'postgres',
    adapterName: factory.adapterName,
    async connect() {
      return patchScripts(await factory.connect(), mainPool);
    },
    async connectToShadowDb() {
      const name = `slipway_shadow_${crypto.randomUUID().replaceAll('-', '')}`;
      await mainPool.query(`CREATE DATABASE "${name}"`);
      const shadowPool = makePool(withDatabase(connectionString, name));
      const adapter = await new PrismaPg(shadowPool, { disposeExternalPool: true }).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await mainPool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return patchScripts(adapter, shadowPool);
    },
  };
}
