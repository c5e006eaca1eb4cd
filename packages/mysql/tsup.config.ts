import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  // The shared SQL package is not published: its declarations are inlined too.
  dts: { resolve: ['@sp-oauth/sql'] },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers: the application's own copies of the core and of Kysely, never bundled ones.
  external: ['@sp-oauth/core', 'kysely'],
  // The SQL shared with the other storage package: bundled, since that package is not published.
  noExternal: ['@sp-oauth/sql'],
})
