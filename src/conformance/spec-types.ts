/** Types shared by the spec validator and its helpers (spec-errata.ts, spec-issues.ts); openapi-validator.ts re-exports them. */

/**
 * A release folder of the SDK (`<sdkDir>/<release>/productApi/`), e.g. `grace`: a release's `sdkFolder` in
 * `mappings/releases/<release>/release.yaml`. No name is built in: the catalog checks it against the folder.
 */
export type SonataRelease = string;

export interface SpecIssue {
  /** JSON pointer into the validated body (for a missing property: the pointer the property would have) */
  path: string;
  message: string;
  /** the JSON Schema keyword that failed, or `status` / `discriminator` / `body` for checks made here */
  keyword?: string;
}
