-- Git webhooks (issue 6): every delivery a receiver gets is recorded, signed or not, so a person can see what their
-- provider sent and why it did or did not deploy (docs/decisions.md D42). Not in the spec's model: an addition,
-- owned by git_sources (deleted with it) and pointing at the deployment it created or joined (kept if that goes).
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "git_source_id" UUID NOT NULL,
    "provider" VARCHAR(50) NOT NULL,
    "event" VARCHAR(100) NOT NULL,
    "delivery_id" VARCHAR(200),
    "signature_ok" BOOLEAN NOT NULL,
    "outcome" VARCHAR(20) NOT NULL,
    "reason" TEXT,
    "branch" VARCHAR(255),
    "commit_sha" VARCHAR(40),
    "deployment_id" UUID,
    "redelivery_of" UUID,
    "summary" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_git_source_id_fkey" FOREIGN KEY ("git_source_id") REFERENCES "git_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "webhook_deliveries_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "webhook_deliveries_redelivery_of_fkey" FOREIGN KEY ("redelivery_of") REFERENCES "webhook_deliveries"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT check_webhook_delivery_provider CHECK (provider IN ('github', 'gitlab', 'bitbucket', 'gitea')),
    CONSTRAINT check_webhook_delivery_outcome CHECK (outcome IN ('queued', 'coalesced', 'ignored', 'stale', 'duplicate', 'rejected', 'failed')),
    CONSTRAINT check_webhook_delivery_id CHECK (delivery_id IS NULL OR delivery_id ~ '^[A-Za-z0-9._:-]{1,200}$'),
    CONSTRAINT check_webhook_delivery_commit_sha CHECK (commit_sha IS NULL OR commit_sha ~ '^[0-9a-f]{40}$'),
    -- Only a signed delivery can have deployed anything.
    CONSTRAINT check_webhook_delivery_unsigned_inert CHECK (signature_ok OR (deployment_id IS NULL AND outcome = 'rejected')),
    CONSTRAINT check_webhook_delivery_summary_object CHECK (jsonb_typeof(summary) = 'object')
);

-- A provider's delivery id is processed once per source: a replay finds the row and changes nothing. Unsigned
-- deliveries are not in it, so a forged request cannot take a real delivery's id first.
CREATE UNIQUE INDEX "webhook_deliveries_source_delivery_key" ON "webhook_deliveries" ("git_source_id", "delivery_id")
  WHERE "signature_ok" AND "delivery_id" IS NOT NULL;
-- The Source tab lists a source's deliveries newest first, keyset-paginated on (created_at, id).
CREATE INDEX "webhook_deliveries_git_source_id_created_at_id_idx" ON "webhook_deliveries" ("git_source_id", "created_at" DESC, "id" DESC);
CREATE INDEX "webhook_deliveries_deployment_id_idx" ON "webhook_deliveries" ("deployment_id");
-- Retention (lib/db/maintenance) deletes by age.
CREATE INDEX "webhook_deliveries_created_at_idx" ON "webhook_deliveries" ("created_at");

-- Retention: 30 days, like deployment logs (a delivery is a log of what a provider sent). Called by maintenance
-- beside apply_retention(); returns how many rows went.
CREATE FUNCTION prune_webhook_deliveries(at timestamptz DEFAULT now()) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  deleted bigint;
BEGIN
  DELETE FROM webhook_deliveries WHERE created_at < at - interval '30 days';
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END $$;
