import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@autotls/source'] },
  ssr: { resolve: { conditions: ['@autotls/source'] } },
  test: { name: 'dev', testTimeout: 90_000 },
})
