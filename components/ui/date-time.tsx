// One way to show a moment: minutes in UTC, the same on the server and in every browser (no locale, no time zone
// guessing, so a server-rendered page never disagrees with its hydration). The full timestamp is in `dateTime` for
// machines and in `title` for the person who hovers.
export function formatDateTime(value: Date | string): string {
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function DateTime({ value, className }: { value: Date | string; className?: string }) {
  const iso = new Date(value).toISOString();
  return (
    <time dateTime={iso} title={iso} className={className}>
      {formatDateTime(iso)}
    </time>
  );
}
