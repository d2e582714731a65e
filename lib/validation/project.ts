// Projects: what a person may submit, shared by the forms, their actions and lib/projects (which parses again, so
// every door refuses the same things). A project's name is shown, never handed to Docker or a shell (the engine names
// Docker objects from ids), so it may use any letters; what it may not hold is what would make two names look alike
// or break a list: control and invisible characters, and unusual spaces. The database checks the length too.
import { z } from 'zod';

import { idSchema } from './ids';
// The spec's length rule, also a CHECK on projects.name (check_project_name_length).
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX, PROJECT_NAME_MIN, PROJECT_TAGS_MAX } from './rules';

export {
  PROJECT_DESCRIPTION_MAX,
  PROJECT_NAME_MAX,
  PROJECT_NAME_MIN,
  PROJECT_TAG_MAX,
  PROJECT_TAGS_MAX,
} from './rules';

export const TAG_RULE =
  'Tags use lowercase letters a–z, digits 0–9, hyphens (-), underscores (_) and dots (.), start with a letter or digit, and have at most 50 characters.';
const TAG = /^[a-z0-9][a-z0-9._-]{0,49}$/;
// Room for 20 tags of 50 characters, their commas and some spaces; anything longer is not a list of tags.
const TAGS_INPUT_MAX = 2000;

const NAME_LENGTH = `A project name has ${PROJECT_NAME_MIN} to ${PROJECT_NAME_MAX} characters.`;

export const projectNameSchema = z
  .string('Give the project a name.')
  // NFC first, so the same name typed on two keyboards is stored (and compared for uniqueness) the same way.
  .normalize('NFC')
  .trim()
  .min(PROJECT_NAME_MIN, NAME_LENGTH)
  .max(PROJECT_NAME_MAX, NAME_LENGTH)
  .refine((value) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value), {
    message: 'A project name cannot contain line breaks, control characters or invisible characters.',
  })
  .refine((value) => !/[^\S ]/u.test(value), {
    message: 'Use ordinary spaces in a project name (no tabs or special spaces).',
  });

/** Optional: blank, missing or null becomes null (so parsed output parses again). Line breaks and tabs are kept. */
export const projectDescriptionSchema = z
  .string('A description is text.')
  .max(64 * 1024, `A description has at most ${PROJECT_DESCRIPTION_MAX} characters.`)
  .transform((value) => value.replace(/\r\n?/g, '\n').normalize('NFC').trim())
  .pipe(
    z
      .string()
      .max(PROJECT_DESCRIPTION_MAX, `A description has at most ${PROJECT_DESCRIPTION_MAX} characters.`)
      .refine((value) => !/[\p{Cc}\p{Cf}]/u.test(value.replace(/[\n\t]/g, '')), {
        message: 'A description cannot contain control or invisible characters (line breaks and tabs are fine).',
      }),
  )
  .nullish()
  .transform((value) => (value ? value : null));

export const projectTagSchema = z.string().regex(TAG, TAG_RULE);

/**
 * Tags as typed ("api, Critical ,pci") or as a list (what this schema outputs, so output parses again): split on
 * commas, trimmed, ASCII letters lowered, blanks and repeats dropped, then each must follow TAG_RULE.
 */
export const projectTagsSchema = z
  .union(
    [
      z.string().max(TAGS_INPUT_MAX, `Too many tags: at most ${PROJECT_TAGS_MAX}.`),
      z.array(z.string()).max(PROJECT_TAGS_MAX * 2),
    ],
    {
      message: 'Tags are a comma-separated list.',
    },
  )
  .nullish()
  .transform((value, ctx) => {
    const parts = value == null ? [] : typeof value === 'string' ? value.split(',') : value;
    // Only A–Z are lowered: toLowerCase() would turn look-alikes such as the Kelvin sign (U+212A) into a plain k.
    const cleaned = parts
      .map((part) => part.trim().replace(/[A-Z]/g, (letter) => letter.toLowerCase()))
      .filter(Boolean);
    const tags = [...new Set(cleaned)];
    for (const tag of tags) {
      if (!TAG.test(tag)) ctx.addIssue({ code: 'custom', message: `“${shown(tag)}” is not a valid tag. ${TAG_RULE}` });
    }
    if (tags.length > PROJECT_TAGS_MAX) {
      ctx.addIssue({
        code: 'custom',
        message: `A project has at most ${PROJECT_TAGS_MAX} tags (you gave ${tags.length}).`,
      });
    }
    return tags;
  });

export { tagsToText } from './rules';

// A short, printable echo of a refused tag (no control characters, bounded).
function shown(value: string): string {
  const printable = value.replace(/[\p{Cc}\p{Cf}]/gu, '�');
  return printable.length > 30 ? `${printable.slice(0, 30)}…` : printable;
}

export const projectIdSchema = idSchema('project');

/** A team to put the project in, or '' / null / missing for a personal project. */
export const projectTeamIdSchema = z
  .union([z.literal(''), idSchema('team', 'Choose one of your teams from the list.')], {
    message: 'Choose one of your teams from the list.',
  })
  .nullish()
  .transform((value) => (value ? value : null));

export const createProjectSchema = z.object({
  name: projectNameSchema,
  description: projectDescriptionSchema,
  tags: projectTagsSchema,
  teamId: projectTeamIdSchema,
});
export type CreateProjectInput = z.input<typeof createProjectSchema>;

/** The whole editable state: a blank description or tag list clears it. */
export const updateProjectSchema = z.object({
  projectId: projectIdSchema,
  name: projectNameSchema,
  description: projectDescriptionSchema,
  tags: projectTagsSchema,
});
export type UpdateProjectInput = z.input<typeof updateProjectSchema>;

export const moveProjectSchema = z.object({ projectId: projectIdSchema, teamId: projectTeamIdSchema });
export type MoveProjectInput = z.input<typeof moveProjectSchema>;

/** The typed confirmation is compared with the project's name by deleteProject, which knows the name. */
export const deleteProjectSchema = z.object({
  projectId: projectIdSchema,
  confirmation: z
    .string('Type the project name to confirm.')
    .min(1, 'Type the project name to confirm.')
    .max(PROJECT_NAME_MAX * 4, 'That is not the project name.'),
});
export type DeleteProjectInput = z.input<typeof deleteProjectSchema>;
