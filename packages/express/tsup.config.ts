import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers: the application's own copies of the core and of Express, never bundled ones.
  external: ['@sp-oauth/core', 'express'],
  // Internal code shared by the two Node adapters: bundled, since that package is not published.
  noExternal: ['@sp-oauth/node-http'],
})
