/**
 * Bundle-time replacement for `cross-fetch` (esbuild alias in scripts/build-handler.ts).
 *
 * @datadog/datadog-api-client loads cross-fetch at module load for its default transport, which
 * the checker never uses (it passes its own HttpLibrary). cross-fetch drags in node-fetch,
 * whatwg-url and tr46 (~300 KB, plus a large table parsed at cold start). On the nodejs22.x
 * runtime the native fetch does the same job, so this shim exports it under cross-fetch's names.
 */
const nativeFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

export { nativeFetch as fetch, nativeFetch as default };
export const Headers = globalThis.Headers;
export const Request = globalThis.Request;
export const Response = globalThis.Response;
