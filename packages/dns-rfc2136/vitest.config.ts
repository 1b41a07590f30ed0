import { defineProject } from 'vitest/config'

export default defineProject({
  resolve: { conditions: ['@autotls/source'] },
  ssr: { resolve: { conditions: ['@autotls/source'] } },
  test: { name: 'dns-rfc2136', testTimeout: 60_000, hookTimeout: 30_000 },
})
