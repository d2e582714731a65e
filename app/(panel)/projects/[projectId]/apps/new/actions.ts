'use server';

// Creating an application: createApplication authorizes through the project, writes the git_sources row for git and
// audits; formAction does the steps around it.
import { formAction } from '@/lib/actions/form-action';
import { createApplication, translateApplicationError } from '@/lib/applications/mutations';
import { createApplicationSchema } from '@/lib/validation/application';

export const createApplicationAction = formAction({
  schema: createApplicationSchema,
  keys: [
    'projectId',
    'name',
    'type',
    'image',
    'provider',
    'repository',
    'branch',
    'dockerfile',
    'buildContext',
    'compose',
  ],
  run: createApplication,
  translate: (error, { name }) => translateApplicationError(name)(error),
  revalidate: ({ projectId }) => [`/projects/${projectId}`, '/'],
  redirect: ({ id }, { projectId }) => `/projects/${projectId}/apps/${id}`,
});
