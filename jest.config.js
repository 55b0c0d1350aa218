/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // swc strips types without type-checking; `npm run typecheck` (tsc --noEmit) runs first in `npm test`.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }] },
  collectCoverageFrom: ["handler/**/*.ts"],
  testTimeout: 30000,
};
