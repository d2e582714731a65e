// The limits and labels forms show in the browser, with no zod here: a client component that imports a schema
// file ships zod (about 30 KB gzipped) to every page it is on, because schema modules run code when loaded. The
// schema files import these same values, so a form's hint and the server's check cannot disagree.

// Teams
export const TEAM_NAME_MIN = 3;
export const TEAM_NAME_MAX = 100;
export const TEAM_DESCRIPTION_MAX = 1000;

// API tokens
export const TOKEN_MIN_DAYS = 1;
export const TOKEN_MAX_DAYS = 365;
export const TOKEN_DEFAULT_DAYS = 30;
export const TOKEN_NAME_MAX = 100;

// Profile
export const THEMES = ['light', 'dark', 'system'] as const;
export type Theme = (typeof THEMES)[number];
/** The browser's own theme choice: ThemeToggle and the preferences action write it, app/layout.tsx reads it first. */
export const THEME_COOKIE = 'slipway-theme';

// Projects
export const PROJECT_NAME_MIN = 3;
export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;
export const PROJECT_TAGS_MAX = 20;
export const PROJECT_TAG_MAX = 50;
/** What a tag list looks like in the form's text field. */
export const tagsToText = (tags: readonly string[]): string => tags.join(', ');

// Environment variables
export const ENV_KEY_MAX = 255;
export const ENV_KEY_RULE =
  'Use capital letters A–Z, digits 0–9 and underscores (_), not starting with a digit, at most 255 characters.';

// Volumes
export const VOLUME_NAME_RULE =
  'Use 2 to 255 characters: letters, digits, underscores (_), dots (.) and hyphens (-), starting with a letter or digit.';
export const VOLUME_TYPES = ['docker_volume', 'nfs', 's3'] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];
export const VOLUME_TYPE_LABELS: Readonly<Record<VolumeType, string>> = {
  docker_volume: 'Docker volume (local)',
  nfs: 'NFS',
  s3: 'S3',
};
export const VOLUME_SIZE_MIN = 1;
export const VOLUME_SIZE_MAX = 10240;
export const MOUNT_PATH_MAX = 500;

/** Trusted proxies (settings/network): what panel_settings.trusted_proxies holds at most. */
export const TRUSTED_PROXIES_MAX_LENGTH = 2000;

/** Custom certificate upload (domain page): the PEM chain and the private key, in bytes of text. */
export const CERTIFICATE_CHAIN_MAX_BYTES = 64 * 1024;
export const CERTIFICATE_KEY_MAX_BYTES = 16 * 1024;

/** ACME settings (settings/certificates): what panel_settings holds at most. */
export const ACME_EMAIL_MAX_LENGTH = 255;
export const ACME_DIRECTORY_MAX_LENGTH = 500;
export const CLOUDFLARE_TOKEN_MAX_LENGTH = 200;
