// A deployment's status as a badge: the word always, colour as a second cue. Red is for failures only: a deployment
// a newer one replaced before it started is grey, like one still waiting (D69).
import { Badge, type BadgeTone } from '@/components/ui/badge';

const TONES: Record<string, BadgeTone> = {
  pending: 'muted',
  building: 'blue',
  deploying: 'blue',
  success: 'green',
  failed: 'red',
  rolled_back: 'amber',
  superseded: 'muted',
};

export function DeploymentStatusBadge({ status }: { status: string }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{status.replace('_', ' ')}</Badge>;
}
