// The source fields of one application type, shared by the create form and the Source tab. No hooks: the forms that
// use it own the state; `values` are what to show (typed values after a refusal, else the stored ones).
import type { ComponentProps } from 'react';
import { Field } from '@/components/ui/field';
import { FieldError } from '@/components/ui/field-error';
import { Select } from '@/components/ui/select';
import { Textarea } from '@/components/ui/textarea';

export type SourceType = 'docker' | 'git' | 'compose';
type Errors = Record<string, string[] | undefined>;
type Props = { type: SourceType; values: Record<string, string | undefined>; errors: Errors; disabled?: boolean };

export const PROVIDERS = [
  { value: 'github', label: 'GitHub' },
  { value: 'gitlab', label: 'GitLab' },
  { value: 'bitbucket', label: 'Bitbucket' },
  { value: 'gitea', label: 'Gitea' },
] as const;

export function LabelledSelect({
  label,
  name,
  errors,
  children,
  ...props
}: ComponentProps<'select'> & { label: string; name: string; errors?: string[] }) {
  const errorId = `${name}-error`;
  return (
    <label className="block space-y-1 text-sm">
      <span className="font-medium">{label}</span>
      <Select
        name={name}
        className="w-full"
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
        {...props}
      >
        {children}
      </Select>
      <FieldError id={errorId} errors={errors} />
    </label>
  );
}

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
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
    );
  }
  if (type === 'compose') {
    const errorId = 'compose-error';
    return (
      <label className="block space-y-1 text-sm">
        <span className="font-medium">Compose file</span>
        <Textarea
          name="compose"
          rows={14}
          defaultValue={values.compose ?? ''}
          disabled={disabled}
          spellCheck={false}
          placeholder={'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:80"'}
          aria-invalid={errors.compose?.length ? true : undefined}
          aria-describedby={errors.compose?.length ? errorId : 'compose-hint'}
          className="font-mono text-xs"
        />
        {!errors.compose?.length && (
          <span id="compose-hint" className="block text-xs text-muted">
            YAML, up to 256 KB, with a services: section; each service has an image: or a build:. Stored and checked now;
            deploying it as a stack comes with the Swarm engine.
          </span>
        )}
        <FieldError id={errorId} errors={errors.compose} />
      </label>
    );
  }
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <LabelledSelect label="Provider" name="provider" defaultValue={values.provider || 'github'} errors={errors.provider} disabled={disabled}>
        {PROVIDERS.map((provider) => (
          <option key={provider.value} value={provider.value}>
            {provider.label}
          </option>
        ))}
      </LabelledSelect>
      <Field
        label="Repository"
        name="repository"
        defaultValue={values.repository ?? ''}
        errors={errors.repository}
        disabled={disabled}
        placeholder="acme/api"
        hint="owner/name, https://host/owner/name.git or git@host:owner/name.git (no credentials in the address)."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
      <Field
        label="Branch"
        name="branch"
        defaultValue={values.branch ?? ''}
        errors={errors.branch}
        disabled={disabled}
        placeholder="main"
        hint="Blank means main."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
      <Field
        label="Dockerfile path"
        name="dockerfile"
        defaultValue={values.dockerfile ?? ''}
        errors={errors.dockerfile}
        disabled={disabled}
        placeholder="Dockerfile"
        hint="Relative to the repository root. Blank means Dockerfile."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
      <Field
        label="Build context"
        name="buildContext"
        defaultValue={values.buildContext ?? ''}
        errors={errors.buildContext}
        disabled={disabled}
        placeholder="."
        hint="A folder of the repository. Blank means the root (.)."
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
    </div>
  );
}
