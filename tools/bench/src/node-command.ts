import { REPO_ROOT } from './repo-paths.js'

/**
 * The command line that runs a JavaScript or TypeScript entry file with this Node: `.ts` files
 * through tsx with the `@autotls/source` condition (workspace packages from source), other files
 * as they are. Run it with `cwd: REPO_ROOT`, where tsx is installed.
 *
 * @example
 * const { command, args } = nodeCommand('apps/hello/dist/hello.mjs')
 */
export function nodeCommand(
  file: string,
  nodeOptions: readonly string[] = [],
): { command: string; args: string[]; cwd: string } {
  const typescript = file.endsWith('.ts')
  return {
    command: process.execPath,
    args: [
      ...nodeOptions,
      ...(typescript ? ['--conditions=@autotls/source', '--import', 'tsx'] : []),
      file,
    ],
    cwd: REPO_ROOT,
  }
}
