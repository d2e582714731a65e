'use server';

// Volumes, for the project's Volumes page and every application's Volumes tab (the forms post here from both).
// Each action: requireUser → safeParse → the lib/volumes function (which authorizes against the project or the
// application, writes and audits in one transaction; refusals are audited by runAsUser) → revalidatePath.
import { revalidatePath } from 'next/cache';
import { actionFailure, type ActionState, formValues, invalid } from '@/lib/actions/state';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { Tx } from '@/lib/db/context';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { attachVolume, createVolume, deleteVolume, detachVolume, volumeErrorFrom, type VolumeView } from '@/lib/volumes/volumes';
import { attachVolumeSchema, createVolumeSchema, ownerValue, volumeRefSchema } from '@/lib/validation/volume';

async function run<T>(user: SessionUser, work: (tx: Tx, ctx: WorkContext) => Promise<T>): Promise<T> {
  const ctx: WorkContext = { actor: user, meta: await getRequestMeta() };
  return runAsUser(await getDb(), ctx, (tx) => work(tx, ctx), volumeErrorFrom);
}

// A volume shows on its project's page and on the Volumes tab of whichever application mounts (or mounted) it.
function revalidateProject(projectId: string) {
  revalidatePath(`/projects/${projectId}`, 'layout');
}

const mountedBy = (volume: VolumeView) =>
  volume.owner ? `${volume.owner.kind} ${volume.owner.name} at ${volume.mountPath}` : 'nothing';

export async function createVolumeAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['projectId', 'owner', 'name', 'type', 'sizeGb', 'mountPath']);
  const parsed = createVolumeSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  const { owner, ...input } = parsed.data;
  let volume: VolumeView;
  try {
    volume = await run(user, (tx, ctx) => createVolume(tx, ctx, { ...input, owner: owner ? ownerValue(owner) : null }));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateProject(input.projectId);
  return { ok: true, message: volume.owner ? `Volume ${volume.name} created and attached to ${mountedBy(volume)}.` : `Volume ${volume.name} created (detached).` };
}

export async function attachVolumeAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['projectId', 'volumeId', 'owner', 'mountPath']);
  const parsed = attachVolumeSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  const { owner, ...input } = parsed.data;
  let volume: VolumeView;
  try {
    volume = await run(user, (tx, ctx) => attachVolume(tx, ctx, { ...input, owner: owner ? ownerValue(owner) : null }));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateProject(input.projectId);
  return { ok: true, message: `Volume ${volume.name} attached to ${mountedBy(volume)}.` };
}

export async function detachVolumeAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['projectId', 'volumeId']);
  const parsed = volumeRefSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let volume: VolumeView;
  try {
    volume = await run(user, (tx, ctx) => detachVolume(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateProject(parsed.data.projectId);
  return { ok: true, message: `Volume ${volume.name} detached. It stays in the project, with its data, until you delete it.`, values };
}

export async function deleteVolumeAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['projectId', 'volumeId']);
  const parsed = volumeRefSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let volume: VolumeView;
  try {
    volume = await run(user, (tx, ctx) => deleteVolume(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateProject(parsed.data.projectId);
  return { ok: true, message: `Volume ${volume.name} deleted.`, values };
}
