// The source fields of one application type, shared by the create form and the Source tab. No hooks: the forms that
// use it own the state; `values` are what to show (typed values after a refusal, else the stored ones).
import { Field, TextareaField } from '@/components/ui/field';
import { SelectField } from '@/components/ui/select';

export type SourceType = 'docker' | 'git' | 'compose';
type Errors = Record<string, string[] | undefined>;
type Props = { type: SourceType; values: Record<string, string | undefined>; errors: Errors; disabled?: boolean };

export const PROVIDERS = [
  { value: 'github', label: 'GitHub' },
  { value: 'gitlab', label: 'GitLab' },
  { value: 'bitbucket', label: 'Bitbucket' },
  { value: 'gitea', label: 'Gitea' },
] as const;

// Every git field is a path or a name typed exactly: monospace, no autocomplete, no spell check.
const GIT_FIELDS = [
  {
    name: 'repository',
    label: 'Repository',
    placeholder: 'acme/api',
    hint: 'owner/name, https://host/owner/name.git or git@host:owner/name.git (no credentials in the address).',
  },
  { name: 'branch', label: 'Branch', placeholder: 'main', hint: 'Blank means main.' },
  {
    name: 'dockerfile',
    label: 'Dockerfile path',
    placeholder: 'Dockerfile',
    hint: 'Relative to the repository root. Blank means Dockerfile.',
  },
  {
    name: 'buildContext',
    label: 'Build context',
    placeholder: '.',
    hint: 'A folder of the repository. Blank means the root (.).',
  },
] as const;

const EXACT = { autoComplete: 'off', spellCheck: false, className: 'font-mono' } as const;

export function SourceFields({ type, values, errors, disabled }: Props) {
  if (type === 'docker') {
    return (
      <Field
        label="Image"
        name="image"
        defaultValue={values.image ?? ''}
        errors={errors.image}
        disabled={disabled}
        placeholder="nginx:1.27-alpine"
        hint="A reference like nginx:1.27, ghcr.io/acme/api:v2 or registry.example.com:5000/team/app@sha256:…"
        {...EXACT}
      />
    );
  }
  if (type === 'compose') {
    return (
      <TextareaField
        label="Compose file"
        name="compose"
        rows={14}
        defaultValue={values.compose ?? ''}
        errors={errors.compose}
        disabled={disabled}
        spellCheck={false}
        placeholder={'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:80"'}
        hint="YAML, up to 256 KB, with a services: section; each service has an image: or a build:. Slipway stores and checks it; it does not deploy compose files yet."
        className="font-mono text-xs"
      />
    );
  }
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <SelectField
        label="Provider"
        name="provider"
        defaultValue={values.provider || 'github'}
        errors={errors.provider}
        disabled={disabled}
      >
        {PROVIDERS.map((provider) => (
          <option key={provider.value} value={provider.value}>
            {provider.label}
          </option>
        ))}
      </SelectField>
      {GIT_FIELDS.map((field) => (
        <Field
          key={field.name}
          {...field}
          defaultValue={values[field.name] ?? ''}
          errors={errors[field.name]}
          disabled={disabled}
          {...EXACT}
        />
      ))}
    </div>
  );
}
