import { defineConfig } from 'tsup'

export default defineConfig({
  // One executable: `sp-oauth` (the shebang of src/cli.ts is kept, and the file made executable).
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Every dependency is installed beside the CLI: none is bundled.
  external: [
    '@sp-oauth/core',
    '@sp-oauth/postgres',
    '@sp-oauth/mysql',
    'kysely',
    'pg',
    'mysql2',
    '@electric-sql/pglite',
    'commander',
  ],
})
