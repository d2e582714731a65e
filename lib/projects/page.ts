// The first read of every project page (the project itself, New application, Delete), as the user (row-level
// security applies), shared by generateMetadata and the page through React's cache(). A project the user cannot
// see looks exactly like a missing one (404), and the attempt is audited. The twin of loadApplicationPage
// (lib/applications/page.ts).
import { notFound } from 'next/navigation';
import { cache } from 'react';

import { deniedEntry } from '@/lib/audit/refusal';
import { can, type Action, type ResourceOf } from '@/lib/auth/permissions';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { asUser, type Tx } from '@/lib/db/context';
import { recordRefusal, type WorkContext } from '@/lib/db/work';
import { getRequestMeta } from '@/lib/http/request-meta';

import { loadProjectAccess, type ProjectAccess } from './access';

export type ProjectPage<P = ProjectAccess> = {
  user: SessionUser;
  ctx: WorkContext;
  project: P;
  /** Whether the user may do the page's `action` (they may always read the project, or the page is a 404). */
  allowed: boolean;
};

type Reader<P> = (tx: Tx, projectId: string, userId: string) => Promise<P | null>;

/**
 * The project as `read` returns it, when the user may read it; otherwise 404 (audited as a refusal of `action`,
 * what they came to do). With `requireAllowed`, a project they may read but not `action` is a 404 too.
 */
export async function loadProjectPageWith<P>(
  projectId: string,
  action: Action,
  read: Reader<P>,
  resourceOf: (project: P) => ResourceOf<'project'>,
  requireAllowed = false,
): Promise<ProjectPage<P>> {
  const user = await requireUser();
  const db = await getDb();
  const ctx: WorkContext = { actor: user, meta: await getRequestMeta() };
  const project = await asUser(db, user.id, (tx) => read(tx, projectId, user.id));
  const visible = project !== null && can(user, 'project.read', resourceOf(project));
  const allowed = visible && can(user, action, resourceOf(project));
  if (!visible || (requireAllowed && !allowed)) {
    // The id as typed in the URL, too: a mistyped link has no resource id to record.
    const details = { projectId: projectId.slice(0, 100) };
    await recordRefusal(db, deniedEntry(ctx, { action, resourceType: 'project', resourceId: projectId, details }));
    notFound();
  }
  return { user, ctx, project, allowed };
}

const resourceOf = (project: ProjectAccess) => project.resource;

/** The project page's first read, for a page about `action` (the user must be able to read the project). */
export const loadProjectPage = cache((projectId: string, action: Action) =>
  loadProjectPageWith(projectId, action, loadProjectAccess, resourceOf),
);

/** The same for a page only those allowed `action` may open (Delete): anyone else gets the 404 of a missing project. */
export const requireProjectPage = cache((projectId: string, action: Action) =>
  loadProjectPageWith(projectId, action, loadProjectAccess, resourceOf, true),
);
