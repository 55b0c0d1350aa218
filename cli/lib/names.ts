/**
 * Kept only for cli/review/synthesize.ts, which another change owns: the names now live in
 * cli/shared/names.ts. Delete this file once the review imports from there.
 */
export { stackName } from "../shared/names";
