import { request } from 'node:https'
import express from 'express'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManagedServer } from '../src/managed-server.js'
import { type Env, startEnv } from './helpers/env.js'

let env: Env

beforeAll(async () => {
  env = await startEnv()
})

afterAll(async () => {
  await env?.manager.close()
  await env?.pebble.stop()
})

function get(port: number, name: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: name,
        headers: { host: name },
        path: '/',
        ca: env.roots,
        agent: false,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('frameworks on manager.createServer()', () => {
  it('serves a Fastify app (serverFactory) with a certificate obtained at the first handshake', async () => {
    let server: ManagedServer | undefined
    // No cast: a ManagedServer is what Fastify's serverFactory expects of an http.Server.
    const app = Fastify({
      serverFactory: (handler) => {
        server = env.manager.createServer(handler)
        return server
      },
    })
    app.get('/', async () => 'Hello from Fastify')
    try {
      // Pebble validates tls-alpn-01 on its tlsPort, so the app listens there.
      await app.listen({ port: env.pebble.tlsPort, host: '127.0.0.1' })
      const res = await get(env.pebble.tlsPort, 'fastify.test')
      expect(res).toEqual({ status: 200, body: 'Hello from Fastify' })
      expect(server?.address()).toMatchObject({ port: env.pebble.tlsPort })
    } finally {
      await app.close()
    }
  })

  it('serves an Express app passed as the request listener', async () => {
    const app = express()
    app.get('/', (_req, res) => {
      res.send('Hello from Express')
    })
    const server = env.manager.createServer(app)
    await new Promise<void>((resolve) => server.listen(env.pebble.tlsPort, '127.0.0.1', resolve))
    try {
      const res = await get(env.pebble.tlsPort, 'express.test')
      expect(res).toEqual({ status: 200, body: 'Hello from Express' })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
