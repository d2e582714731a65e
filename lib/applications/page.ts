// The application's pages (app/(panel)/projects/[projectId]/apps/[appId]/…): their first read and their URLs. One
// read per request of the application a tab shows, as the user (row-level security applies), shared by the layout,
// generateMetadata and the tab pages through React's cache(). Another tenant's application (or one under another
// project's URL) looks exactly like a missing one, and the attempt is audited. The twin of lib/projects/page.ts.
import { notFound } from 'next/navigation';
import { cache } from 'react';

import { deniedEntry } from '@/lib/audit/refusal';
import { can } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser } from '@/lib/db/context';
import { recordRefusal } from '@/lib/db/work';
import { getRequestMeta } from '@/lib/http/request-meta';

import { loadApplicationAccess, type ApplicationAccess } from './access';

export type ApplicationPage = { user: SessionUser; app: ApplicationAccess };

export const loadApplicationPage = cache(async (projectId: string, appId: string): Promise<ApplicationPage> => {
  const user = await requireUser();
  const db = await getDb();
  const app = await asUser(db, user.id, (tx) => loadApplicationAccess(tx, appId, user.id));
  if (!app || app.project.id !== projectId || !can(user, 'application.read', app.project.resource)) {
    const ctx = { actor: user, meta: await getRequestMeta() };
    await recordRefusal(
      db,
      deniedEntry(ctx, { action: 'application.read', resourceType: 'application', resourceId: appId }),
    );
    notFound();
  }
  return { user, app };
});

export const appPath = (projectId: string, appId: string, tab = '') =>
  `/projects/${projectId}/apps/${appId}${tab ? `/${tab}` : ''}`;
