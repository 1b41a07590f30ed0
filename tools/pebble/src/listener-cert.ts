import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Paths and PEM of the key pair Pebble's own HTTPS listeners present. */
export interface ListenerCert {
  /** The CA to trust for the ACME API and the management API. */
  readonly caPem: string
  readonly certPath: string
  readonly keyPath: string
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
const LEAF_EXTENSIONS = [
  'subjectAltName=DNS:localhost,IP:127.0.0.1',
  'extendedKeyUsage=serverAuth',
  'basicConstraints=critical,CA:FALSE',
  '',
].join('\n')

/**
 * Makes a throwaway CA and a `localhost` / `127.0.0.1` certificate it signs, with openssl,
 * because the Debian package ships no key pair for Pebble's listener.
 */
export async function createListenerCert(dir: string): Promise<ListenerCert> {
  const p = (name: string): string => join(dir, name)
  await writeFile(p('leaf.ext'), LEAF_EXTENSIONS)
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=autotls test listener CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  await run('openssl', [
    'req',
    ...EC_KEY,
    '-keyout',
    p('key.pem'),
    '-out',
    p('leaf.csr'),
    '-subj',
    '/CN=localhost',
  ])
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-set_serial',
    '1',
    '-out',
    p('cert.pem'),
    '-days',
    '2',
    '-extfile',
    p('leaf.ext'),
  ])
  return {
    caPem: await readFile(p('ca.pem'), 'utf8'),
    certPath: p('cert.pem'),
    keyPath: p('key.pem'),
  }
}
