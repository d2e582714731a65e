'use server';

// Creating a project (the dashboard's "New project"): createProject checks can() and the team membership, and audits
// in the same transaction; formAction does the steps around it.
import { formAction } from '@/lib/actions/form-action';
import { createProject } from '@/lib/projects/mutations';
import { createProjectSchema } from '@/lib/validation/project';

export const createProjectAction = formAction({
  schema: createProjectSchema,
  keys: ['name', 'description', 'tags', 'teamId'],
  run: createProject,
  revalidate: ['/'],
  redirect: (project) => `/projects/${project.id}`,
});
