// The cost of the lab's pre-check (lab/precheck.ts) per lesson: 5 runs of precheck() each, with a
// prefix under which no namespace exists (the usual case: one stat per name, no `ip` run).
// Usage, after npm run build: node bench/precheck.mjs
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { precheck } = require(join(root, "dist/lab/precheck.js"));
const { lessons } = require(join(root, "dist/stacks/lessons.js"));
for (const lesson of Object.keys(lessons)) {
    const ms = [];
    for (let i = 0; i < 5; i++) ms.push((await precheck(root, lesson, "bench-precheck-none", { prefix: "bench-pc-" })).ms);
    ms.sort((a, b) => a - b);
    console.log(`${lesson.padEnd(18)} min ${ms[0].toFixed(0)}  median ${ms[2].toFixed(0)}  max ${ms[4].toFixed(0)} ms`);
}
