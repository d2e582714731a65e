-- Hardening (issue 13, D62, D63).

-- Signing out ends that one session on the server (D63). A session cookie names its session (`sid`, a UUID made at
-- sign-in) and carries the end of its life (`sexp`, fixed at sign-in); signing out records the sid here until then,
-- and every request refuses a recorded one. Rows past their expiry can refuse nothing (the cookie is refused for its
-- age anyway), so maintenance prunes them. Not owned through a project: no row-level security.
CREATE TABLE "revoked_sessions" (
  "sid" UUID NOT NULL,
  "revoked_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(6) NOT NULL,
  CONSTRAINT "revoked_sessions_pkey" PRIMARY KEY ("sid")
);
-- Pruning deletes by expiry.
CREATE INDEX "revoked_sessions_expires_at_idx" ON "revoked_sessions" ("expires_at");

-- Called by maintenance beside apply_retention(); returns how many rows went.
CREATE FUNCTION prune_revoked_sessions(at timestamptz DEFAULT now()) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  deleted bigint;
BEGIN
  DELETE FROM revoked_sessions WHERE expires_at <= at;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END $$;

-- Disabling a user now revokes their API tokens (D62), so enabling them again does not bring old tokens back. Users
-- disabled before this migration get the same: their live tokens are revoked now.
UPDATE api_tokens SET revoked_at = now()
  FROM users
 WHERE users.id = api_tokens.user_id AND users.disabled_at IS NOT NULL
   AND api_tokens.revoked_at IS NULL AND api_tokens.expires_at > now();
