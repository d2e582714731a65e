// Shown while a page's data loads: the shape of the dashboard, so nothing jumps when it arrives.
export default function Loading() {
  return (
    <div className="flex flex-col gap-6" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading…</span>
      <div className="h-8 w-40 animate-pulse rounded bg-subtle" />
      <div className="h-9 w-full max-w-xl animate-pulse rounded bg-subtle" />
      <div className="flex flex-col gap-2">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-12 animate-pulse rounded bg-subtle" />
        ))}
      </div>
    </div>
  );
}
