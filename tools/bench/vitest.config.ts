import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@autotls/source'] },
  ssr: { resolve: { conditions: ['@autotls/source'] } },
  test: { name: 'bench', testTimeout: 120_000, hookTimeout: 60_000 },
})
