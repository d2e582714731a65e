-- Accounts: server-side session invalidation and API tokens (issue 3).

-- A disabled user can do nothing; every existing session of theirs ends on its next request.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ(6);
-- Sessions carry the version they were issued under; a different version means "signed out".
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1;

-- Changing the password, the role or the disabled state ends every session, whoever makes the change and however.
CREATE FUNCTION bump_session_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
     OR NEW.role IS DISTINCT FROM OLD.role
     OR NEW.disabled_at IS DISTINCT FROM OLD.disabled_at THEN
    NEW.session_version := OLD.session_version + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER users_bump_session_version
  BEFORE UPDATE OF password_hash, role, disabled_at ON users
  FOR EACH ROW EXECUTE FUNCTION bump_session_version();

-- API tokens (lucia sessions used as bearer tokens). Only the SHA-256 of a token is stored; the token is shown once.
CREATE TABLE "api_tokens" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "name" VARCHAR(100) NOT NULL,
  "token_hash" VARCHAR(64) NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(6) NOT NULL,
  "last_used_at" TIMESTAMPTZ(6),
  "revoked_at" TIMESTAMPTZ(6),
  CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");
CREATE INDEX "api_tokens_user_id_created_at_idx" ON "api_tokens"("user_id", "created_at" DESC);
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE api_tokens ADD CONSTRAINT check_token_name CHECK (char_length(btrim(name)) BETWEEN 1 AND 100);
ALTER TABLE api_tokens ADD CONSTRAINT check_token_hash CHECK (token_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE api_tokens ADD CONSTRAINT check_token_expiry CHECK (expires_at > created_at);
