'use server';

// An application's General, Source and Settings forms. Each action: requireUser → safeParse → the domain function in
// lib/applications/mutations (which authorizes through the project, refuses archived applications and audits) →
// revalidatePath → ActionState. The ids in hidden fields are only claims: the domain function checks them.
import { revalidatePath } from 'next/cache';
import { actionFailure, type ActionState, formValues, invalid } from '@/lib/actions/state';
import { runAsUser, type WorkContext } from '@/lib/db/work';
import type { Tx } from '@/lib/db/context';
import {
  archiveApplication,
  restoreApplication,
  translateApplicationError,
  updateDockerConfig,
  updateGeneral,
  updateSource,
} from '@/lib/applications/mutations';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { getRequestMeta } from '@/lib/http/request-meta';
import { applicationRefSchema, updateGeneralSchema, updateSourceSchema } from '@/lib/validation/application';
import { dockerConfigSchema, MAX_PORTS } from '@/lib/validation/docker-config';
import { dockerConfigFromForm, fieldErrorsByPath } from '@/lib/validation/docker-config-form';

const SOURCE_KEYS = ['applicationId', 'type', 'image', 'provider', 'repository', 'branch', 'dockerfile', 'buildContext', 'compose'] as const;
const SETTINGS_KEYS = [
  'applicationId',
  'entrypoint',
  'command',
  'healthcheck.kind',
  'healthcheck.test',
  'healthcheck.interval',
  'healthcheck.timeout',
  'healthcheck.start_period',
  'healthcheck.retries',
  'resources.limits.memory',
  'resources.limits.cpus',
  'resources.reservations.memory',
  'resources.reservations.cpus',
  'networks',
] as const;
const PORT_KEY = /^ports\.(\d{1,2})\.(target|published|protocol|mode)$/;

type User = Awaited<ReturnType<typeof requireUser>>;

async function run(user: User, work: (tx: Tx, ctx: WorkContext) => Promise<unknown>, translate?: (error: unknown) => unknown): Promise<void> {
  const ctx: WorkContext = { actor: user, meta: await getRequestMeta() };
  await runAsUser(await getDb(), ctx, (tx) => work(tx, ctx), translate);
}

/** Every page of every application (layout included: its header shows name and status) and the lists that count them. */
function revalidateApplication() {
  revalidatePath('/projects/[projectId]/apps/[appId]', 'layout');
  revalidatePath('/projects/[projectId]', 'page');
  revalidatePath('/');
}

export async function updateGeneralAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, ['applicationId', 'name', 'replicas']);
  const parsed = updateGeneralSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await run(user, (tx, ctx) => updateGeneral(tx, ctx, parsed.data), translateApplicationError(parsed.data.name));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateApplication();
  return { ok: true, message: 'Application saved.' };
}

export async function updateSourceAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const values = formValues(form, SOURCE_KEYS);
  const parsed = updateSourceSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await run(user, (tx, ctx) => updateSource(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateApplication();
  return { ok: true, message: 'Source saved. It is used from the next deployment on.' };
}

export async function updateDockerConfigAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const portKeys = [...new Set(form.keys())].filter((key) => PORT_KEY.test(key) && Number(PORT_KEY.exec(key)![1]) < MAX_PORTS + 10);
  const values = formValues(form, [...SETTINGS_KEYS, ...portKeys]);
  const ref = applicationRefSchema.safeParse(values);
  if (!ref.success) return invalid(ref.error, values);
  const parsed = dockerConfigSchema.safeParse(dockerConfigFromForm(values));
  if (!parsed.success) return { ok: false, message: 'Check the highlighted fields.', fieldErrors: fieldErrorsByPath(parsed.error), values };
  try {
    await run(user, (tx, ctx) => updateDockerConfig(tx, ctx, { applicationId: ref.data.applicationId, dockerConfig: parsed.data }));
  } catch (error) {
    return actionFailure(error, values);
  }
  revalidateApplication();
  return { ok: true, message: 'Settings saved. They apply from the next deployment on.' };
}

export async function archiveApplicationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = applicationRefSchema.safeParse(formValues(form, ['applicationId']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await run(user, (tx, ctx) => archiveApplication(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error);
  }
  revalidateApplication();
  return { ok: true, message: 'Application archived. Restore it here whenever you need it again.' };
}

export async function restoreApplicationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = applicationRefSchema.safeParse(formValues(form, ['applicationId']));
  if (!parsed.success) return invalid(parsed.error);
  try {
    await run(user, (tx, ctx) => restoreApplication(tx, ctx, parsed.data));
  } catch (error) {
    return actionFailure(error);
  }
  revalidateApplication();
  return { ok: true, message: 'Application restored (stopped until its next deployment).' };
}
