// Preloaded into a benchmarked child process (`node --import ./bench/rss-probe.mjs …`): on exit it
// writes the process's peak resident set size, which the parent cannot read once the child is gone.
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
