import { defineConfig } from 'vitest/config'

// The published packages only: tools/dev/test.sh runs these again on Node 24.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
})
