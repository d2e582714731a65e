'use server';

// Creating a project (the dashboard's "New project"). requireUser → safeParse → createProject as the user (it checks
// can() and the team membership, and audits in the same transaction) → revalidate → redirect to the new project.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actionFailure, type ActionState, formValues, invalid } from '@/lib/actions/state';
import { runAsUser } from '@/lib/db/work';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { createProject } from '@/lib/projects/mutations';
import { createProjectSchema } from '@/lib/validation/project';

export async function createProjectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['name', 'description', 'tags', 'teamId']);
  const parsed = createProjectSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let projectId: string;
  try {
    const ctx = { actor: user, meta: await getRequestMeta() };
    projectId = (await runAsUser(await getDb(), ctx, (tx) => createProject(tx, ctx, parsed.data))).id;
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath('/');
  redirect(`/projects/${projectId}`);
}
