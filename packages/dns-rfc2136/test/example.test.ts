import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { certificateInfo, keyMatchesCertificate } from '@autotls/crypto'
import { newTsigKey, startBind } from '@autotls/dns-servers'
import { startPebble } from '@autotls/pebble'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

describe('the README example (@autotls/acme alone, wildcard over RFC 2136)', () => {
  it('is in the README verbatim', async () => {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8')
    const example = await readFile(join(packageDir, 'examples/issue-wildcard.ts'), 'utf8')
    expect(readme).toContain(example.trim())
  })

  it('obtains *.example.test + example.test from Pebble through BIND, with a tsig-keygen key file', async () => {
    const key = newTsigKey('acme-update')
    const bind = await startBind({ zones: [{ name: 'example.test' }], tsigKey: key })
    const pebble = await startPebble({ dnsServer: bind.address, nonceRejectPercent: 0 })
    const out = await mkdtemp(join(tmpdir(), 'autotls-dns-example-'))
    try {
      const baseline = await bind.zoneRecords('example.test')
      await writeFile(join(out, 'pebble-ca.pem'), pebble.caPem)
      await writeFile(
        join(out, 'acme-update.key'),
        `key "${key.name}" {\n\talgorithm hmac-sha256;\n\tsecret "${key.secret}";\n};\n`,
      )
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@autotls/source', '--import', 'tsx', 'examples/issue-wildcard.ts'],
        {
          cwd: packageDir,
          timeout: 40_000,
          env: {
            ...process.env,
            DOMAIN: 'example.test',
            CONTACT: 'mailto:ops@example.test',
            ACME_DIRECTORY: pebble.directoryUrl,
            ACME_CA_FILE: join(out, 'pebble-ca.pem'),
            DNS_SERVER: bind.address,
            TSIG_KEY_FILE: join(out, 'acme-update.key'),
            DNS_RESOLVERS: bind.address,
            DNS_NAMESERVERS: bind.address,
            OUT_DIR: out,
          },
        },
      )
      expect(stdout).toContain('saved wildcard.example.test.key.pem')
      const keyPem = await readFile(join(out, 'wildcard.example.test.key.pem'), 'utf8')
      const chainPem = await readFile(join(out, 'wildcard.example.test.chain.pem'), 'utf8')
      expect([...certificateInfo(chainPem).dnsNames].sort()).toEqual([
        '*.example.test',
        'example.test',
      ])
      expect(await keyMatchesCertificate(keyPem, chainPem)).toBe(true)
      expect((await stat(join(out, 'wildcard.example.test.key.pem'))).mode & 0o777).toBe(0o600)
      expect(await bind.zoneRecords('example.test')).toEqual(baseline)
    } finally {
      await rm(out, { recursive: true, force: true })
      await pebble.stop()
      await bind.stop()
    }
  })
})
