import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers and the shared internal package: the application's own copies, never bundled ones.
  external: ['@sp-oauth/core', '@sp-oauth/sql', 'kysely'],
})
