import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers: the application's own copies, never bundled second ones.
  external: ['@sp-oauth/core', 'kysely'],
})
