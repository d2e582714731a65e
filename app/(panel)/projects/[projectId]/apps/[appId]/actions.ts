'use server';

// An application's General, Source and Settings forms, and archive/restore. Each domain function in
// lib/applications/mutations authorizes through the project, refuses archived applications and audits; formAction
// does the steps around it. The ids in hidden fields are only claims: the domain function checks them.
import { z } from 'zod';

import { formAction, type Revalidation } from '@/lib/actions/form-action';
import {
  archiveApplication,
  restoreApplication,
  translateApplicationError,
  updateDockerConfig,
  updateGeneral,
  updateSource,
} from '@/lib/applications/mutations';
import {
  applicationIdSchema,
  applicationRefSchema,
  updateGeneralSchema,
  updateSourceSchema,
} from '@/lib/validation/application';
import { dockerConfigSchema, MAX_PORTS } from '@/lib/validation/docker-config';
import { dockerConfigFromForm } from '@/lib/validation/docker-config-form';

const SETTINGS_KEYS = [
  'applicationId',
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
];
const PORT_KEY = /^ports\.(\d{1,2})\.(target|published|protocol|mode)$/;
const settingsSchema = z.object({ applicationId: applicationIdSchema, dockerConfig: dockerConfigSchema });

/** Every page of every application (layout included: its header shows name and status) and the lists that count them. */
const APPLICATION_PAGES: Revalidation[] = [
  ['/projects/[projectId]/apps/[appId]', 'layout'],
  ['/projects/[projectId]', 'page'],
  '/',
];

export const updateGeneralAction = formAction({
  schema: updateGeneralSchema,
  keys: ['applicationId', 'name', 'replicas'],
  run: updateGeneral,
  translate: (error, { name }) => translateApplicationError(name)(error),
  revalidate: APPLICATION_PAGES,
  success: 'Application saved.',
});

export const updateSourceAction = formAction({
  schema: updateSourceSchema,
  keys: ['applicationId', 'type', 'image', 'provider', 'repository', 'branch', 'dockerfile', 'buildContext', 'compose'],
  run: updateSource,
  revalidate: APPLICATION_PAGES,
  success: 'Source saved. It is used from the next deployment on.',
});

export const updateDockerConfigAction = formAction({
  schema: settingsSchema,
  // The port rows the form sent (a few past the limit, so "too many ports" is reported rather than ignored).
  keys: (form) => [
    ...SETTINGS_KEYS,
    ...[...new Set(form.keys())].filter((key) => Number(PORT_KEY.exec(key)?.[1] ?? Infinity) < MAX_PORTS + 10),
  ],
  input: (values) => ({ applicationId: values.applicationId, dockerConfig: dockerConfigFromForm(values) }),
  nested: 'dockerConfig',
  run: updateDockerConfig,
  revalidate: APPLICATION_PAGES,
  success: 'Settings saved. They apply from the next deployment on.',
});

export const archiveApplicationAction = formAction({
  schema: applicationRefSchema,
  keys: ['applicationId'],
  run: archiveApplication,
  revalidate: APPLICATION_PAGES,
  success: 'Application archived. Restore it here whenever you need it again.',
});

export const restoreApplicationAction = formAction({
  schema: applicationRefSchema,
  keys: ['applicationId'],
  run: restoreApplication,
  revalidate: APPLICATION_PAGES,
  success: 'Application restored (stopped until its next deployment).',
});
