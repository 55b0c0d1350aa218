// One check by the built bundle in its own process, for the memory benchmark (bench/memory.ts).
// Run as `node --import ./bench/rss-probe.mjs bench/memory-check.cjs <bundle>` with the checker's
// environment variables set; prints the handler's result as JSON (or the error) and exits, so that
// the probe reports this process's peak RSS.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script loading the CommonJS bundle by path
const bundle = require(process.argv[2]);
const handler = bundle.createHandler({ write: () => undefined });
const end = Date.now() + 50_000;
handler({}, { getRemainingTimeInMillis: () => end - Date.now() }).then(
  (result) => {
    process.stdout.write(JSON.stringify(result));
    process.exit(0);
  },
  (error) => {
    process.stdout.write(JSON.stringify({ error: String(error && error.message) }));
    process.exit(1);
  },
);
