-- Sign-in throttling counters (issue 13, docs/decisions.md D65): one row per account and one per client address
-- with recent failed password checks. Kept apart from audit_logs (which still records every attempt) so a check is
-- one primary-key read however many attempts an attack makes, and so every panel process sees the same counts.
CREATE TABLE "sign_in_throttles" (
    -- 'account': key is 'user:<uuid>' for an account, 'name:<lower-cased identifier>' for a name that is none.
    -- 'address': key is the client IP as lib/http/client-ip normalizes it.
    "scope" VARCHAR(10) NOT NULL,
    "key" VARCHAR(300) NOT NULL,
    "failures" INTEGER NOT NULL,
    "last_failure_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "sign_in_throttles_pkey" PRIMARY KEY ("scope", "key"),
    CONSTRAINT check_sign_in_throttle_scope CHECK (scope IN ('account', 'address')),
    CONSTRAINT check_sign_in_throttle_failures CHECK (failures > 0)
);

-- Maintenance deletes by age.
CREATE INDEX "sign_in_throttles_last_failure_at_idx" ON "sign_in_throttles" ("last_failure_at");

-- A counter whose last failure is older than its window (a day for accounts, an hour for addresses) counts as zero
-- and is deleted here; called by maintenance beside apply_retention(). Returns how many rows went.
CREATE FUNCTION prune_sign_in_throttles(at timestamptz DEFAULT now()) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  deleted bigint;
BEGIN
  DELETE FROM sign_in_throttles
   WHERE last_failure_at < at - CASE scope WHEN 'account' THEN interval '1 day' ELSE interval '1 hour' END;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END $$;
