'use server';

// Editing, moving and deleting one project. Each domain function authorizes through requireProjectAccess and audits
// in the same transaction (refusals are audited too); formAction does the steps around it.
import { formAction } from '@/lib/actions/form-action';
import { runAsUser } from '@/lib/db/work';
import { deleteProject, moveProjectToTeam, updateProject } from '@/lib/projects/mutations';
import { requestProxySync } from '@/lib/proxy/sync';
import { deleteProjectSchema, moveProjectSchema, updateProjectSchema } from '@/lib/validation/project';

const projectPath = (projectId: string) => `/projects/${projectId}`;

export const updateProjectAction = formAction({
  schema: updateProjectSchema,
  keys: ['projectId', 'name', 'description', 'tags'],
  run: updateProject,
  revalidate: ({ projectId }) => [projectPath(projectId), '/'],
  // The saved (normalized) values go back to the form, so it shows what is stored: "API, web" becomes "api, web".
  success: ({ changed }, input, values) => ({
    message: changed.length > 0 ? 'Project saved.' : 'Nothing to change: the project already looks like this.',
    values: { ...values, name: input.name, description: input.description ?? '', tags: input.tags.join(', ') },
  }),
});

export const moveProjectAction = formAction({
  schema: moveProjectSchema,
  keys: ['projectId', 'teamId'],
  run: moveProjectToTeam,
  revalidate: ({ projectId }) => [projectPath(projectId), '/'],
  success: ({ moved, team }, _, values) => {
    const where = team ? `team ${team.name}` : 'your personal projects';
    return { message: moved ? `Moved to ${where}.` : `Already in ${where}.`, values };
  },
});

export const deleteProjectAction = formAction({
  schema: deleteProjectSchema,
  keys: ['projectId', 'confirmation'],
  // Its own transaction, then the proxy drops the project's routes at once instead of at its next scheduled pass.
  call: async (db, ctx, input) => {
    const deleted = await runAsUser(db, ctx, (tx) => deleteProject(tx, ctx, input));
    requestProxySync('project.delete');
    return deleted;
  },
  revalidate: ['/'],
  redirect: () => '/',
});
