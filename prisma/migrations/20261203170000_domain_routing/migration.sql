-- Domains that route, certificates that are watched, and the proxy that serves them (issue 14, docs/decisions.md D76).

-- domains: where a name routes inside its target, and whether the proxy serves it yet. ---------------------------------
-- path_prefix: the route matches this prefix ('/' = every path); only URL-safe characters, so nothing in it can end a
-- header or a JSON string. container_port: the target's port this name reaches (NULL: the target's first port).
-- redirect_to_id: this name answers every request with a permanent 308 to the other domain (path and query kept),
-- the www <-> apex redirect; deleting the target domain deletes its redirects. updated_at moves on every edit, and
-- routed_at is the end of the last proxy load that carried the row as it is now: serving means routed_at >= updated_at.
ALTER TABLE "domains"
    ADD COLUMN "path_prefix" VARCHAR(255) NOT NULL DEFAULT '/',
    ADD COLUMN "container_port" INTEGER,
    ADD COLUMN "redirect_to_id" UUID,
    ADD COLUMN "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    ADD COLUMN "routed_at" TIMESTAMPTZ(6);
ALTER TABLE "domains" ADD CONSTRAINT "domains_redirect_to_id_fkey" FOREIGN KEY ("redirect_to_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "domains" ADD CONSTRAINT check_domain_path_prefix
  CHECK (path_prefix ~ '^/[A-Za-z0-9._~%-]*(/[A-Za-z0-9._~%-]+)*/?$');
ALTER TABLE "domains" ADD CONSTRAINT check_domain_container_port CHECK (container_port BETWEEN 1 AND 65535);
ALTER TABLE "domains" ADD CONSTRAINT check_domain_redirect_not_self CHECK (redirect_to_id <> id);
CREATE INDEX "domains_redirect_to_id_idx" ON "domains"("redirect_to_id");

-- certificates: where each came from and what the expiry watcher has already said about it. --------------------------
-- source: acme (issued by the proxy through an ACME CA), internal (the proxy's own CA), custom (uploaded).
-- fingerprint: SHA-256 of the leaf's DER in hex; one row per certificate a domain has used.
-- warned_days: the smallest of 21, 7, 1 days before expiry already warned of (NULL: none yet).
ALTER TABLE "certificates"
    ADD COLUMN "source" VARCHAR(20) NOT NULL DEFAULT 'acme',
    ADD COLUMN "fingerprint" VARCHAR(64),
    ADD COLUMN "warned_days" INTEGER,
    ADD COLUMN "renewal_error" TEXT,
    ADD COLUMN "checked_at" TIMESTAMPTZ(6);
ALTER TABLE "certificates" ADD CONSTRAINT check_certificate_source CHECK (source IN ('acme', 'internal', 'custom'));
ALTER TABLE "certificates" ADD CONSTRAINT check_certificate_fingerprint CHECK (fingerprint ~ '^[0-9a-f]{64}$');
ALTER TABLE "certificates" ADD CONSTRAINT check_certificate_warned_days CHECK (warned_days IN (21, 7, 1));
CREATE UNIQUE INDEX "certificates_domain_id_fingerprint_key" ON "certificates"("domain_id", "fingerprint");

-- panel_settings: the ACME account and CA, the DNS provider token (AES-256-GCM like every secret), the panel's domain.
ALTER TABLE "panel_settings"
    ADD COLUMN "acme_email" VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN "acme_ca" VARCHAR(20) NOT NULL DEFAULT 'letsencrypt',
    ADD COLUMN "acme_directory_url" VARCHAR(500) NOT NULL DEFAULT '',
    ADD COLUMN "cloudflare_token" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "panel_domain" VARCHAR(253) NOT NULL DEFAULT '';
ALTER TABLE "panel_settings" ADD CONSTRAINT check_panel_settings_acme_ca
  CHECK (acme_ca IN ('letsencrypt', 'zerossl', 'custom', 'internal'));
ALTER TABLE "panel_settings" ADD CONSTRAINT check_panel_settings_acme_directory
  CHECK (acme_directory_url = '' OR acme_directory_url ~ '^https://[^\s"''<>\\]+$');
ALTER TABLE "panel_settings" ADD CONSTRAINT check_panel_settings_panel_domain
  CHECK (panel_domain = '' OR panel_domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$');

-- proxy_syncs: every reconciliation of the edge proxy, newest first on the Proxy status page (the last 500 are kept).
CREATE TABLE "proxy_syncs" (
    "id" BIGSERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    "finished_at" TIMESTAMPTZ(6),
    "trigger" VARCHAR(50) NOT NULL,
    "result" VARCHAR(20) NOT NULL,
    "route_count" INTEGER NOT NULL DEFAULT 0,
    "config_hash" VARCHAR(64),
    "error" TEXT,
    CONSTRAINT "proxy_syncs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT check_proxy_sync_result CHECK (result IN ('loaded', 'unchanged', 'repaired', 'rejected', 'unreachable'))
);
CREATE INDEX "proxy_syncs_started_at_idx" ON "proxy_syncs"("started_at" DESC);
