// The Environment tab: variables in a table (secrets masked), a form to add one, bulk edit as .env text, and the
// export. Secret values never reach this page's HTML or RSC payload: listEnvVars returns no value for them, and only
// masks and keys are passed to the client components. Revealing goes through a server action, one value at a time.
import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Section } from '@/components/ui/section';
import { loadApplicationPage } from '@/lib/applications/page';
import { can } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db';
import { runAsUser } from '@/lib/db/work';
import { serializeDotenv } from '@/lib/env-vars/dotenv';
import { listEnvVars } from '@/lib/env-vars/queries';
import { getRequestMeta } from '@/lib/http/request-meta';

import { BulkEditor } from './_components/bulk-editor';
import { EnvTable } from './_components/env-table';
import { EnvVarForm, type EnvVarView } from './_components/env-var-form';

export default async function EnvironmentPage({ params }: { params: Promise<{ projectId: string; appId: string }> }) {
  const { projectId, appId } = await params;
  const { user, app } = await loadApplicationPage(projectId, appId);
  const ctx = { actor: user, meta: await getRequestMeta() };
  const rows = await runAsUser(await getDb(), ctx, (tx) => listEnvVars(tx, ctx, { applicationId: app.id }));
  // Built field by field so nothing but a key, a flag and a plain value can cross to the browser.
  const vars: EnvVarView[] = rows.map((row) =>
    row.isSecret ? { key: row.key, isSecret: true } : { key: row.key, isSecret: false, value: row.value },
  );
  const archived = app.deletedAt !== null;
  const canWrite = can(user, 'env.write', app.project.resource) && !archived;
  const canReveal = can(user, 'env.reveal_secret', app.project.resource);
  const storedText = serializeDotenv(
    vars.map((v) =>
      v.isSecret
        ? { comment: `${v.key}=<secret: kept as it is unless you set it here>` }
        : { key: v.key, value: v.value ?? '' },
    ),
  );

  return (
    <div className="space-y-8">
      <Section
        id="variables"
        title={`Environment variables (${vars.length})`}
        action={
          // A plain link: the route answers with a file download.
          <a href={`/api/applications/${app.id}/env`} download className={buttonClasses('secondary')}>
            Export .env
          </a>
        }
      >
        <p className="max-w-prose text-sm text-muted">
          Stored one per row; plain variables are also mirrored into the application’s <code>env_vars</code> field (for
          search), secrets never are: they are encrypted and, once saved, shown only as {'••••••••'}
          {canReveal ? ' unless you reveal one (recorded in the audit log).' : '.'}
        </p>
        {vars.length === 0 ? (
          <EmptyState title="No variables yet">
            {canWrite
              ? 'Add one below, or paste a whole .env file into Bulk edit.'
              : 'This application has no environment variables.'}
          </EmptyState>
        ) : (
          <EnvTable applicationId={app.id} vars={vars} canWrite={canWrite} canReveal={canReveal} />
        )}
        {!canWrite && !archived && (
          <p className="text-sm text-muted">You can see this application’s variables but not change them.</p>
        )}
        {archived && (
          <p className="text-sm text-muted">
            This application is archived: restore it in Settings to change its variables.
          </p>
        )}
      </Section>

      {canWrite && (
        <>
          <Section id="add-variable" title="Add a variable">
            <Card className="max-w-2xl p-4">
              <EnvVarForm applicationId={app.id} />
            </Card>
          </Section>
          <Section id="bulk-edit" title="Bulk edit">
            <Card className="max-w-3xl p-4">
              <BulkEditor applicationId={app.id} storedText={storedText} />
            </Card>
          </Section>
        </>
      )}
    </div>
  );
}
