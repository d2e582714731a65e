/** A field's errors, linked to its control by id (aria-describedby={`${name}-error`}). */
export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <span id={id} role="alert" className="block text-xs text-red-700 dark:text-red-400">
      {errors.join(' ')}
    </span>
  );
}
