import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { httpsRequest, PEBBLE_INSTALL_COMMAND, PebbleError, startPebble } from '../src/index.js'
import { alive } from './lifecycle.js'

describe('startPebble', () => {
  it('fails with one clear line when pebble is missing', async () => {
    const error = await startPebble({ pebbleBinary: 'pebble-that-does-not-exist' }).catch((e) => e)
    expect(error).toBeInstanceOf(PebbleError)
    expect(error.code).toBe('ERR_PEBBLE_NOT_FOUND')
    expect(error.message).toBe(
      `pebble-that-does-not-exist not found: ${PEBBLE_INSTALL_COMMAND} or apt-get install -y pebble`,
    )
    expect(error.message).not.toContain('\n')
  })

  it('fails with one clear line when pebble-challtestsrv is missing', async () => {
    const error = await startPebble({ challtestsrvBinary: '/nonexistent/challtestsrv' }).catch(
      (e) => e,
    )
    expect(error.code).toBe('ERR_PEBBLE_NOT_FOUND')
    expect(error.message).toBe(
      `/nonexistent/challtestsrv not found: ${PEBBLE_INSTALL_COMMAND} or apt-get install -y pebble`,
    )
  })

  it('passes its knobs to Pebble: EAB required shows in the directory meta', async () => {
    const pebble = await startPebble({
      eabRequired: true,
      eabKeys: { kid: 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' },
      alternateRoots: 1,
    })
    try {
      const res = await httpsRequest(pebble.directoryUrl, pebble.caPem)
      expect(JSON.parse(res.body).meta.externalAccountRequired).toBe(true)
      const roots = await pebble.roots()
      expect(roots).toHaveLength(2)
      expect(roots[0]).not.toBe(roots[1])
    } finally {
      await pebble.stop()
    }
  })

  it('serves dns-01 TXT records through challtestsrv', async () => {
    const pebble = await startPebble()
    try {
      await pebble.setTxt('_acme-challenge.example.test', 'token-value')
      await pebble.clearTxt('_acme-challenge.example.test')
    } finally {
      await pebble.stop()
    }
  })

  it('leaves no process behind when the test process is killed with SIGKILL', async () => {
    const script = fileURLToPath(new URL('./fixtures/start-and-wait.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }).on('error', () => {})
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const line = /^PIDS (.*)$/m.exec(out)
        if (line?.[1]) resolve(line[1].split(',').map(Number))
      })
      child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)))
    })
    for (const pid of pids) expect(alive(pid)).toBe(true)
    child.kill('SIGKILL')
    const deadline = Date.now() + 5000
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(pids.filter(alive)).toEqual([])
  })
})
