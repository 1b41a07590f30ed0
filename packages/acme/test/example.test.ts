import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { certificateInfo, keyMatchesCertificate } from '@autotls/crypto'
import { startPebble } from '@autotls/pebble'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

describe('the README example', () => {
  it('is in the README verbatim', async () => {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8')
    const example = await readFile(join(packageDir, 'examples/issue-http01.ts'), 'utf8')
    expect(readme).toContain(example.trim())
  })

  it('issues a certificate over http-01 against Pebble and saves key and chain', async () => {
    const pebble = await startPebble({ nonceRejectPercent: 0 })
    const out = await mkdtemp(join(tmpdir(), 'autotls-acme-example-'))
    try {
      const caFile = join(out, 'pebble-ca.pem')
      await writeFile(caFile, pebble.caPem)
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@autotls/source', '--import', 'tsx', 'examples/issue-http01.ts'],
        {
          cwd: packageDir,
          timeout: 25_000,
          env: {
            ...process.env,
            DOMAIN: 'example.test',
            CONTACT: 'mailto:ops@example.test',
            ACME_DIRECTORY: pebble.directoryUrl,
            ACME_CA_FILE: caFile,
            HTTP_PORT: String(pebble.httpPort),
            OUT_DIR: out,
          },
        },
      )
      expect(stdout).toContain('saved example.test.key.pem')
      const keyPem = await readFile(join(out, 'example.test.key.pem'), 'utf8')
      const chainPem = await readFile(join(out, 'example.test.chain.pem'), 'utf8')
      expect(certificateInfo(chainPem).dnsNames).toEqual(['example.test'])
      expect(await keyMatchesCertificate(keyPem, chainPem)).toBe(true)
      expect((await stat(join(out, 'example.test.key.pem'))).mode & 0o777).toBe(0o600)
    } finally {
      await rm(out, { recursive: true, force: true })
      await pebble.stop()
    }
  })
})
