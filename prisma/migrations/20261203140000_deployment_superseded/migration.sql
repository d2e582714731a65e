-- Hardening (issue 13, D69). A deployment replaced by a newer trigger before it started is 'superseded', not
-- 'failed': it did not fail, and counting it as a failure (or announcing one) misleads. The spec's list of statuses
-- has no word for it; this adds one, terminal, reached only from 'pending'. metadata.reason ("superseded by <id>")
-- and metadata.superseded_by stay as they were.
ALTER TABLE deployments DROP CONSTRAINT check_deployment_status;
ALTER TABLE deployments ADD CONSTRAINT check_deployment_status
  CHECK (status IN ('pending', 'building', 'deploying', 'success', 'failed', 'rolled_back', 'superseded'));

-- Rows superseded before this migration were recorded as failed with metadata.superseded_by.
UPDATE deployments SET status = 'superseded' WHERE status = 'failed' AND metadata ? 'superseded_by';
