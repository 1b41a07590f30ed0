/** One fenced TypeScript block of a README, with the hidden context that precedes it. */
export interface ReadmeBlock {
  /** 1-based line of the opening fence in the README. */
  readonly line: number
  /** The block's code, exactly as a reader copies it. */
  readonly code: string
  /**
   * Body of a `<!-- ts-preamble … -->` comment right before the fence (blank lines may sit
   * between): what the reader already has from the text around the block, such as the `manager`
   * of an earlier example. Empty without one.
   */
  readonly preamble: string
}

const OPEN = /^```(?:ts|typescript)\s*$/
const CLOSE = /^```\s*$/
const PREAMBLE_START = '<!-- ts-preamble'
const COMMENT_END = '-->'

/**
 * The ` ```ts ` / ` ```typescript ` blocks of a README in order, each with its preamble comment.
 *
 * @example
 * for (const block of readmeBlocks(await readFile('README.md', 'utf8'))) check(block.preamble + block.code)
 */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n')
  const blocks: ReadmeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!OPEN.test(lines[i] ?? '')) continue
    let end = i + 1
    while (end < lines.length && !CLOSE.test(lines[end] ?? '')) end++
    if (end === lines.length)
      throw new Error(`README line ${i + 1}: the \`\`\`ts block is never closed`)
    blocks.push({
      line: i + 1,
      code: `${lines.slice(i + 1, end).join('\n')}\n`,
      preamble: preambleBefore(lines, i),
    })
    i = end
  }
  return blocks
}

function preambleBefore(lines: string[], fence: number): string {
  let last = fence - 1
  while (last >= 0 && (lines[last] ?? '').trim() === '') last--
  if (last < 0 || !(lines[last] ?? '').trimEnd().endsWith(COMMENT_END)) return ''
  let first = last
  while (first >= 0 && !(lines[first] ?? '').includes('<!--')) first--
  if (first < 0 || !(lines[first] ?? '').trimStart().startsWith(PREAMBLE_START)) return ''
  const body = lines.slice(first, last + 1).join('\n')
  const inner = body.slice(
    body.indexOf(PREAMBLE_START) + PREAMBLE_START.length,
    body.lastIndexOf(COMMENT_END),
  )
  return inner.trim() === '' ? '' : `${inner.trim()}\n`
}
