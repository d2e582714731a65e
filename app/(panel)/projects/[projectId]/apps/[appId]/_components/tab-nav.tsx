'use client';

// The application's tabs as links (each tab is its own URL, so it can be bookmarked and opened in a new tab).
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function TabNav({ base, tabs }: { base: string; tabs: readonly { slug: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Application sections" className="flex gap-1 overflow-x-auto border-b border-border">
      {tabs.map(({ slug, label }) => {
        const href = slug ? `${base}/${slug}` : base;
        const current = pathname === href;
        return (
          <Link
            key={slug}
            href={href}
            aria-current={current ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm whitespace-nowrap ${
              current
                ? 'border-accent font-medium text-foreground'
                : 'border-transparent text-muted hover:text-foreground'
            }`}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
