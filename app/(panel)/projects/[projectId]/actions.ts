'use server';

// Editing, moving and deleting one project. Each action: requireUser → safeParse → the domain function as the user
// (it authorizes through requireProjectAccess and audits in the same transaction; refusals are audited too) →
// revalidatePath → ActionState, or a redirect to the dashboard after a delete.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actionFailure, type ActionState, formValues, invalid } from '@/lib/actions/state';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { Tx } from '@/lib/db/context';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { deleteProject, moveProjectToTeam, updateProject } from '@/lib/projects/mutations';
import { deleteProjectSchema, moveProjectSchema, updateProjectSchema } from '@/lib/validation/project';

const projectPath = (projectId: string) => `/projects/${projectId}`;

async function signedIn(): Promise<WorkContext> {
  return { actor: await requireUser(), meta: await getRequestMeta() };
}

async function run<T>(ctx: WorkContext, work: (tx: Tx, ctx: WorkContext) => Promise<T>): Promise<T> {
  return runAsUser(await getDb(), ctx, (tx) => work(tx, ctx));
}

export async function updateProjectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await signedIn();
  const values = formValues(form, ['projectId', 'name', 'description', 'tags']);
  const parsed = updateProjectSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let changed: string[];
  try {
    ({ changed } = await run(ctx, (tx, c) => updateProject(tx, c, parsed.data)));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(projectPath(parsed.data.projectId));
  revalidatePath('/');
  // The saved (normalized) values go back to the form, so it shows what is stored: "API, web" becomes "api, web".
  const saved = { ...values, name: parsed.data.name, description: parsed.data.description ?? '', tags: parsed.data.tags.join(', ') };
  return { ok: true, message: changed.length > 0 ? 'Project saved.' : 'Nothing to change: the project already looks like this.', values: saved };
}

export async function moveProjectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await signedIn();
  const values = formValues(form, ['projectId', 'teamId']);
  const parsed = moveProjectSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let result: Awaited<ReturnType<typeof moveProjectToTeam>>;
  try {
    result = await run(ctx, (tx, c) => moveProjectToTeam(tx, c, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath(projectPath(parsed.data.projectId));
  revalidatePath('/');
  const where = result.team ? `team ${result.team.name}` : 'your personal projects';
  return { ok: true, message: result.moved ? `Moved to ${where}.` : `Already in ${where}.`, values };
}

export async function deleteProjectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const ctx = await signedIn();
  const values = formValues(form, ['projectId', 'confirmation']);
  const parsed = deleteProjectSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await run(ctx, (tx, c) => deleteProject(tx, c, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidatePath('/');
  redirect('/');
}
