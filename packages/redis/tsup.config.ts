import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers: the application's own copies of the core and of ioredis, never bundled ones.
  external: ['@sp-oauth/core', 'ioredis'],
})
