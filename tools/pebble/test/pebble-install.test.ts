import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  compareVersions,
  featuresOf,
  findOnPath,
  findPebbleInstall,
  httpsRequest,
  PEBBLE_BINARY_ENV,
  PEBBLE_INSTALL_COMMAND,
  type PebbleError,
  readPebbleVersion,
  skipUnless,
  startPebble,
} from '../src/index.js'

const run = promisify(execFile)
const install = await findPebbleInstall()
const go = await findOnPath('go')
/** Runs where Debian's Pebble is installed, else skips saying so. */
const withDebianPebble = skipUnless(
  (await findOnPath('/usr/bin/pebble')) !== null,
  'no Debian Pebble at /usr/bin/pebble: apt-get install -y pebble',
)

describe('features by release', () => {
  it('Debian 2.4.0 has none of the newer features; an unknown version is assumed to have none', () => {
    expect(Object.values(featuresOf('2.4.0')).some(Boolean)).toBe(false)
    expect(Object.values(featuresOf(null)).some(Boolean)).toBe(false)
  })

  it('each feature starts at its release: Retry-After 2.5, profiles 2.7, ARI 2.8, invalidProfile 2.9, dns-persist-01 2.10', () => {
    expect(featuresOf('2.5.0')).toMatchObject({ retryAfter: true, profiles: false })
    expect(featuresOf('2.7.0')).toMatchObject({ profiles: true, ari: false })
    expect(featuresOf('2.8.0')).toMatchObject({ ari: true, invalidProfile: false })
    expect(featuresOf('2.9.0')).toMatchObject({ invalidProfile: true, dnsPersist01: false })
    expect(Object.values(featuresOf('2.10.1')).every(Boolean)).toBe(true)
  })
})

describe(`the Pebble found: ${install.description}`, () => {
  it(
    'reads the same release as `go version -m` for a go install build',
    skipUnless(
      install.versionSource === 'go-build-info' && go !== null,
      `${install.description} is no go install build, or no Go on the PATH`,
    ),
    async () => {
      const { stdout } = await run(go as string, ['version', '-m', install.pebbleBinary])
      expect(stdout).toContain(`github.com/letsencrypt/pebble/v2\tv${install.version}`)
    },
  )

  it(
    'is the newest one installed: no pebble on the PATH has a higher release',
    skipUnless(!process.env[PEBBLE_BINARY_ENV], `${PEBBLE_BINARY_ENV} chooses the Pebble`),
    async () => {
      for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
        const candidate = await findOnPath(`${dir}/pebble`)
        if (candidate === null) continue
        const { version } = await readPebbleVersion(candidate)
        if (version === null) continue
        expect(install.version).not.toBeNull()
        expect(compareVersions(version, install.version as string)).toBeLessThanOrEqual(0)
      }
    },
  )

  it('a requirement it meets runs; one it misses skips, naming the release and the install command', () => {
    expect(install.requires()).toEqual({ skip: false, meta: {} })
    for (const feature of Object.keys(install.features) as (keyof typeof install.features)[]) {
      const requirement = install.requires(feature)
      expect(requirement.skip).toBe(!install.features[feature])
      if (requirement.skip) {
        expect(requirement.meta.skipReason).toContain(install.pebbleBinary)
        expect(requirement.meta.skipReason).toContain(PEBBLE_INSTALL_COMMAND)
      }
    }
  })

  it("reads Debian's Pebble release from its package", withDebianPebble, async () => {
    expect(await readPebbleVersion('/usr/bin/pebble')).toEqual({ version: '2.4.0', source: 'dpkg' })
    const debian = await findPebbleInstall({ pebbleBinary: '/usr/bin/pebble' })
    expect(debian.challtestsrvBinary).toBe('/usr/bin/pebble-challtestsrv')
    const requirement = debian.requires('ari', 'profiles')
    expect(requirement.skip).toBe(true)
    expect(requirement.meta.skipReason).toBe(
      `needs Pebble >= 2.8.0 (ari, profiles), found 2.4.0 at /usr/bin/pebble: ${PEBBLE_INSTALL_COMMAND}`,
    )
  })
})

describe('starting either release', () => {
  it(
    "starts Debian's 2.4.0 (challtestsrv's -dns01 flag) with a lifetime in seconds",
    withDebianPebble,
    async () => {
      const pebble = await startPebble({
        pebbleBinary: '/usr/bin/pebble',
        certificateValidityPeriod: 60,
      })
      try {
        expect(pebble.install.version).toBe('2.4.0')
        const directory = JSON.parse((await httpsRequest(pebble.directoryUrl, pebble.caPem)).body)
        expect(directory.renewalInfo).toBeUndefined()
        await pebble.setTxt('_acme-challenge.old.test', 'v')
        const error = await startPebble({ pebbleBinary: '/usr/bin/pebble', profiles: {} }).catch(
          (e: unknown) => e,
        )
        expect((error as PebbleError).code).toBe('ERR_PEBBLE_UNSUPPORTED')
      } finally {
        await pebble.stop()
      }
    },
  )

  it(
    `${install.description}: profiles and Retry-After reach its config`,
    install.requires('profiles', 'retryAfter'),
    async () => {
      const pebble = await startPebble({
        profiles: {
          classic: { description: 'ninety days', validityPeriod: 90 * 86_400 },
          shortlived: { description: 'six days', validityPeriod: 6 * 86_400 },
        },
        retryAfter: { authz: 1, order: 1 },
      })
      try {
        const directory = JSON.parse((await httpsRequest(pebble.directoryUrl, pebble.caPem)).body)
        expect(directory.meta.profiles).toEqual({ classic: 'ninety days', shortlived: 'six days' })
        expect(directory.renewalInfo).toMatch(/^https:\/\/localhost:\d+\//)
      } finally {
        await pebble.stop()
      }
    },
  )
})
