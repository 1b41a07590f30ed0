import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chainInfo, generateKeyPair } from '@autotls/crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { AcmeClient } from '../src/index.js'
import { fakeAcme, withAccount } from './fake-acme.js'

const run = promisify(execFile)

/**
 * Let's Encrypt's shape during a cross-signed root transition: the default chain is
 * leaf ← R10 ← "ISRG Root X1" cross-signed by "DST Root CA X3"; the alternate stops at R10,
 * whose issuer is the self-signed "ISRG Root X1".
 */
async function letsEncryptShapedChains(): Promise<{ long: string; short: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'le-chain-'))
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir })
  const key = (name: string) =>
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`)
  const ext = (name: string, text: string) => writeFile(join(dir, `${name}.ext`), text)
  try {
    for (const k of ['old', 'new', 'int', 'leaf']) await key(k)
    await ext('ca', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n')
    await ext('leaf', 'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:example.com\n')
    const selfSigned = (k: string, cn: string) =>
      ssl(
        'req',
        '-x509',
        '-new',
        '-key',
        `${k}.key`,
        '-subj',
        `/O=Test/CN=${cn}`,
        '-days',
        '30',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        `${k}.pem`,
      )
    await selfSigned('old', 'DST Root CA X3')
    await selfSigned('new', 'ISRG Root X1')
    const sign = async (k: string, cn: string, ca: string, extName: string, out: string) => {
      await ssl(
        'req',
        '-new',
        '-key',
        `${k}.key`,
        '-subj',
        `/O=Test/CN=${cn}`,
        '-out',
        `${out}.csr`,
      )
      await ssl(
        'x509',
        '-req',
        '-in',
        `${out}.csr`,
        '-CA',
        `${ca}.pem`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        `${extName}.ext`,
        '-out',
        `${out}.pem`,
      )
    }
    await sign('new', 'ISRG Root X1', 'old', 'ca', 'cross') // the cross-sign
    await sign('int', 'R10', 'new', 'ca', 'int')
    await sign('leaf', 'example.com', 'int', 'leaf', 'leaf')
    const pem = async (name: string) => readFile(join(dir, `${name}.pem`), 'utf8')
    const [leaf, int, cross] = await Promise.all([pem('leaf'), pem('int'), pem('cross')])
    return { long: leaf + int + cross, short: leaf + int }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

let chains: { long: string; short: string }

beforeAll(async () => {
  chains = await letsEncryptShapedChains()
})

async function download(preferredChain: string | undefined, defaultIsLong = true) {
  const fake = fakeAcme()
  withAccount(fake)
  const [first, second] = defaultIsLong ? [chains.long, chains.short] : [chains.short, chains.long]
  const pemAnswer = (chainPem: string, link?: string) => ({
    headers: {
      'content-type': 'application/pem-certificate-chain',
      ...(link ? { link } : {}),
    },
    body: chainPem,
  })
  fake.route('/cert/1/alt', () => pemAnswer(second))
  fake.route('/cert/1', () => pemAnswer(first, `<${fake.base}/cert/1/alt>;rel="alternate"`))
  const client = new AcmeClient({
    directoryUrl: fake.directoryUrl,
    accountKey: await generateKeyPair(),
    accountUrl: `${fake.base}/acct/1`,
    fetch: fake.fetch,
  })
  const result = await client.downloadCertificate(`${fake.base}/cert/1`, {
    ...(preferredChain === undefined ? {} : { preferredChain }),
  })
  return chainInfo(result.chainPem).map((c) => /CN=([^,]+)/.exec(c.issuer)?.[1])
}

describe("preferredChain (RFC 8555 §7.4.2) with a cross-signed chain shaped like Let's Encrypt's", () => {
  it('issue 19 §1: the newer root picks the chain it tops, not the long chain that merely contains it', async () => {
    expect(await download('ISRG Root X1')).toEqual(['R10', 'ISRG Root X1'])
  })

  it('the older root picks the long chain it tops', async () => {
    expect(await download('DST Root CA X3', false)).toEqual([
      'R10',
      'ISRG Root X1',
      'DST Root CA X3',
    ])
  })

  it('a name found only deeper in a chain is the fallback', async () => {
    expect(await download('R10')).toEqual(['R10', 'ISRG Root X1', 'DST Root CA X3'])
    expect(await download('R10', false)).toEqual(['R10', 'ISRG Root X1'])
  })

  it('no preference, or an unknown name, keeps the default chain', async () => {
    expect(await download(undefined)).toEqual(['R10', 'ISRG Root X1', 'DST Root CA X3'])
    expect(await download('No Such Root')).toEqual(['R10', 'ISRG Root X1', 'DST Root CA X3'])
  })
})
