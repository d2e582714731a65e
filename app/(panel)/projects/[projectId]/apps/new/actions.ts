'use server';

// Creating an application: requireUser → safeParse (type-specific fields) → createApplication (authorizes through the
// project, writes the git_sources row for git, audits) → revalidate → redirect to the new application.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actionFailure, type ActionState, formValues, invalid } from '@/lib/actions/state';
import { runAsUser } from '@/lib/db/work';
import { createApplication, translateApplicationError } from '@/lib/applications/mutations';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { createApplicationSchema } from '@/lib/validation/application';

const KEYS = ['projectId', 'name', 'type', 'image', 'provider', 'repository', 'branch', 'dockerfile', 'buildContext', 'compose'] as const;

export async function createApplicationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, KEYS);
  const parsed = createApplicationSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let id: string;
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    ({ id } = await runAsUser(await getDb(), ctx, (tx) => createApplication(tx, ctx, parsed.data), translateApplicationError(parsed.data.name)));
  } catch (error) {
    return actionFailure(error, values);
  }
  const projectPath = `/projects/${parsed.data.projectId}`;
  revalidatePath(projectPath);
  revalidatePath('/');
  redirect(`${projectPath}/apps/${id}`);
}
