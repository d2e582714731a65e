'use client';

import { useRouter } from 'next/navigation';

import { Button } from '@/components/ui/button';
import { signOutHere } from '@/lib/auth/client';

export function SignOutButton() {
  const router = useRouter();
  return (
    <Button
      variant="ghost"
      onClick={async () => {
        await signOutHere();
        router.replace('/sign-in');
        router.refresh();
      }}
    >
      Sign out
    </Button>
  );
}
