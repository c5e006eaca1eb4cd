import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    memory: 'src/memory/index.ts',
    testing: 'src/testing/index.ts',
    node: 'src/node/index.ts',
    http: 'src/http/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Shared chunks keep one copy of each class across entry points, so instanceof holds in CJS too.
  splitting: true,
  target: 'node20',
  external: ['vitest', 'jose'],
})
