// The git source form limits, shared by the Source tab's client forms and lib/validation/git-source.ts. A module of
// its own: a client component importing one constant from a larger module ships the whole module (rules.ts is
// ~2 KB gz of rule texts), and the Source tab sits at the first-load budget.
export const GIT_BRANCH_MAX = 255;
export const ACCESS_TOKEN_MAX = 500;
export const TOKEN_USERNAME_MAX = 100;
