import { AcmeError } from './errors.js'

/**
 * Reads a response body into memory, refusing (and cancelling the stream) as soon as it would
 * exceed `maxBytes`, so a hostile server cannot make us buffer without bound.
 */
export async function readBody(
  response: Response,
  maxBytes: number,
  url: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'))
  const tooLarge = (): AcmeError =>
    new AcmeError('ERR_ACME_RESPONSE', `the response from ${url} is larger than ${maxBytes} bytes`)
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}
