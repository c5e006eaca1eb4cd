import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // A peer: the application's own copy of the core, never a bundled second one.
  external: ['@sp-oauth/core'],
})
