import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@autotls/source'] },
  ssr: { resolve: { conditions: ['@autotls/source'] } },
  test: {
    name: 'consumer',
    // Packs every published package and installs the tarballs with npm into a fresh directory,
    // once for all test files of this project.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
