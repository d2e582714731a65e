// A deployment's status as a badge: the word always, colour as a second cue.
import { Badge, type BadgeTone } from '@/components/ui/badge';

const TONES: Record<string, BadgeTone> = {
  pending: 'muted',
  building: 'blue',
  deploying: 'blue',
  success: 'green',
  failed: 'red',
  rolled_back: 'amber',
};

export function DeploymentStatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{status.replace('_', ' ')}</Badge>;
}
