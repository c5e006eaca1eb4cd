import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Peers: the application's own copies, never bundled ones. One @opentelemetry/api per process
  // is what makes the SDK the application registers the one these spans go to.
  external: ['@sp-oauth/core', '@opentelemetry/api'],
})
