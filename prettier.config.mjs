// House formatting: width 120, imports ordered (node built-ins, packages, then @/ aliases, then relative), Tailwind
// classes in the order Tailwind documents. `npm run format` writes, `npm run format:check` (part of `check`) refuses.
/** @type {import('prettier').Config} */
const config = {
  printWidth: 120,
  singleQuote: true,
  trailingComma: 'all',
  plugins: ['@ianvs/prettier-plugin-sort-imports', 'prettier-plugin-tailwindcss'],
  importOrder: ['<BUILTIN_MODULES>', '', '<THIRD_PARTY_MODULES>', '', '^@/(.*)$', '', '^[.]'],
  importOrderTypeScriptVersion: '5.9.3',
  tailwindStylesheet: './app/globals.css',
};

export default config;
