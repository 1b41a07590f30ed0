// node tools/bench/src/scale-client.ts <port> <ca PEM file> <names file>
// The scale benchmark's random-name client, in a process of its own: one full TLS handshake per
// line of the names file, one after another; prints the latencies (ms) as a JSON array. A fresh,
// small process keeps the benchmark's own heap and garbage collection out of the percentiles.
import { readFile } from 'node:fs/promises'
import { timedHandshake } from './timed-handshake.js'

const [port, caFile, namesFile] = process.argv.slice(2)
if (port === undefined || caFile === undefined || namesFile === undefined) {
  console.error('usage: scale-client <port> <ca PEM file> <names file>')
  process.exit(2)
}
const ca = await readFile(caFile, 'utf8')
const names = (await readFile(namesFile, 'utf8')).split('\n').filter((n) => n !== '')
const latencies: number[] = []
for (const servername of names) {
  latencies.push(await timedHandshake({ port: Number(port), servername, ca }))
}
process.stdout.write(JSON.stringify(latencies))
