// The fields a project form shares (create and edit): each shows its error beside it and keeps what was typed.
// Server and client components may both render them.
import { Field, TextareaField } from '@/components/ui/field';
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX, PROJECT_NAME_MIN, PROJECT_TAGS_MAX } from '@/lib/validation/rules';

type Errors = Record<string, string[] | undefined>;

export function ProjectNameField({ defaultValue, errors }: { defaultValue?: string; errors: Errors }) {
  return (
    <Field
      label="Name"
      name="name"
      defaultValue={defaultValue}
      errors={errors.name}
      maxLength={PROJECT_NAME_MAX}
      hint={`${PROJECT_NAME_MIN}–${PROJECT_NAME_MAX} characters, different from your other projects' names.`}
      autoComplete="off"
      required
    />
  );
}

export function ProjectDescriptionField({ defaultValue, errors }: { defaultValue?: string; errors: Errors }) {
  return (
    <TextareaField
      label="Description"
      optional
      name="description"
      rows={3}
      maxLength={PROJECT_DESCRIPTION_MAX}
      defaultValue={defaultValue}
      errors={errors.description}
    />
  );
}

export function ProjectTagsField({ defaultValue, errors }: { defaultValue?: string; errors: Errors }) {
  return (
    <Field
      label="Tags"
      optional
      name="tags"
      defaultValue={defaultValue}
      errors={errors.tags}
      placeholder="e.g. production, billing"
      hint={`Comma-separated, up to ${PROJECT_TAGS_MAX}: lowercase letters, digits, - _ and . (filter the dashboard by them).`}
      autoCapitalize="none"
      autoComplete="off"
      spellCheck={false}
    />
  );
}
