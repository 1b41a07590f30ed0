// Generated from package.json by scripts/write-version.mjs during `pnpm build`: do not edit.

/** The version in this package's package.json. */
export const PACKAGE_VERSION: string = '0.1.0'
