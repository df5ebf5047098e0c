// Prints the "where the time goes" figures of one or more bench runs as markdown:
//   node bench/breakdown.mjs bench/results/<run>/results.json [more results.json ...]
// ip processes per operation (from the provider's command log), cost of one ip process, the
// CPU time of each process of a pulumi run (sampled), state size per resource, the engine's
// cost with a no-op provider, and the fixed cost of the CLI (N=0).
import { readFileSync } from "node:fs";

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
if (runs.length === 0) { console.error("usage: node bench/breakdown.mjs results.json ..."); process.exit(2); }
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : undefined; };
const f1 = (x) => (x === undefined ? "–" : x.toFixed(1));
const f2 = (x) => (x === undefined ? "–" : x.toFixed(2));
const samples = runs.flatMap((r) => r.samples);
const facts = Object.assign({}, ...runs.map((r) => r.facts));
const med = (tool, n, op) => median(samples.filter((s) => s.tool === tool && s.n === n && s.op === op).map((s) => s.wall));
const ns = [...new Set(samples.map((s) => s.n))].sort((a, b) => a - b);
const out = [];

// 1. ip processes per operation, from the command log of (a).
out.push("### ip processes per operation ((a), from PULUMI_NETNS_COMMAND_LOG)", "");
out.push("| N | operation | processes | per host | by kind.op |", "| --- | --- | --- | --- | --- |");
for (const n of ns) for (const op of ["up", "destroy", "preview (no change)", "up (no change)", "refresh"]) {
    const s = samples.find((x) => x.tool === "pulumi" && x.n === n && x.op === op && x.cmds);
    if (!s) continue;
    const by = Object.entries(s.cmds.byOp ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
    out.push(`| ${n} | ${op} | ${s.cmds.processes} | ${n ? f1(s.cmds.processes / n) : "–"} | ${by || "none"} |`);
}
for (const n of ns) {
    const s = samples.find((x) => x.tool === "pulumi-before" && x.n === n && x.op === "up" && x.cmds);
    if (s) out.push("", `With the provider of the A/B revision (${runs.map((r) => r.settings?.beforeRev).find(Boolean) ?? "pulumi-before"}), N=${n} up: ${s.cmds.processes} processes.`);
}

// 2. One ip process.
if (facts.ipCall) {
    const c = facts.ipCall;
    out.push("", "### One `ip` process (`ip -n NS link set dev lo up`, 200 in a row)", "");
    out.push("| how | ms wall per call | ms CPU in the caller |", "| --- | --- | --- |");
    if (c.msPerCallSpawnSequential !== undefined) out.push(`| node:child_process spawn (tried, reverted) | ${f2(c.msPerCallSpawnSequential)} | ${f2(c.msCpuInNodePerSpawn)} |`);
    if (c.msPerCallExecaSequential !== undefined) out.push(`| execa (the provider) | ${f2(c.msPerCallExecaSequential)} | ${f2(c.msCpuInNodePerExeca)} |`);
    if (c.msPerCallSpawn200Concurrent !== undefined) out.push(`| spawn, 200 at once (per call) | ${f2(c.msPerCallSpawn200Concurrent)} | |`);
    out.push(`| bash: \`ip -n NS ...\` | ${f2(c.msPerCallBashIpN)} | |`);
    out.push(`| bash: \`ip netns exec NS ip ...\` (the tutorial's form: two execs) | ${f2(c.msPerCallBashNetnsExec)} | |`);
}

// 3. CPU per process.
const cpuKeys = Object.keys(facts).filter((k) => k.endsWith("-cpu"));
if (cpuKeys.length) {
    out.push("", "### CPU seconds per process (one sampled run; wall in the first column)", "");
    out.push("| run | step | wall | engine (pulumi) | language host + program (node) | provider (node) | ip processes | sum |", "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const k of cpuKeys) for (const op of ["up", "destroy"]) {
        const x = facts[k][op];
        if (!x?.cpu) continue;
        const c = x.cpu;
        const prog = (c["language host"] ?? 0) + (c["program (node)"] ?? 0);
        const ip = c["ip processes (reaped by provider)"] ?? 0;
        const sum = Object.entries(c).reduce((a, [, v]) => a + v, 0);
        out.push(`| ${k.replace(/-preview-cpu$/, "").replace(/-cpu$/, "")} | ${k.endsWith("-preview-cpu") ? "no-change preview" : op} | ${f1(x.wall)} | ${f1(c["engine (pulumi)"])} | ${f1(prog)} | ${f1(c["provider (node)"])} | ${f1(ip)} | ${f1(sum)} |`);
    }
}

// 4. State.
const stateKeys = Object.keys(facts).filter((k) => k.endsWith("-state"));
if (stateKeys.length) {
    out.push("", "### State (`pulumi stack export` after up)", "");
    out.push("| stack | resources | export bytes | bytes per resource (median) | __provider bytes per resource (inputs + outputs) | share of the state | absolute path in __provider |", "| --- | --- | --- | --- | --- | --- | --- |");
    for (const k of stateKeys) {
        const x = facts[k];
        out.push(`| ${k.replace(/-state$/, "")} | ${x.resources} | ${x.exportBytes} | ${x.bytesPerResource} | ${x.providerBytesPerResource} | ${(100 * x.providerShare).toFixed(0)}% | ${x.absolutePath ? "yes" : "no"} |`);
    }
}

// 5. Engine alone, fixed cost.
out.push("", "### The engine alone", "");
if (facts["pulumi-n0"]) out.push(`Fixed cost, N=0 (the router namespace and its sysctl, 2 resources): up ${f2(facts["pulumi-n0"].up)} s, destroy ${f2(facts["pulumi-n0"].destroy)} s; with the no-op provider: up ${f2(facts["noop-n0"]?.up)} s, destroy ${f2(facts["noop-n0"]?.destroy)} s.`, "");
out.push("Marginal cost: (time at N - time at N=0) / 5N, the cost of one more resource once the fixed cost is paid.", "");
out.push("| N | resources | (a) up | no-op up | (a) destroy | no-op destroy | (a) up, marginal ms per resource | no-op up, marginal | (a) destroy, marginal | no-op destroy, marginal |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
const marg = (x, base, n) => (x === undefined || base === undefined || n === 0 ? "–" : f1(1000 * (x - base) / (5 * n)));
for (const n of ns) {
    const r = 5 * n + 2;
    const a = med("pulumi", n, "up"), o = med("noop", n, "up"), ad = med("pulumi", n, "destroy"), od = med("noop", n, "destroy");
    out.push(`| ${n} | ${r} | ${f2(a)} | ${f2(o)} | ${f2(ad)} | ${f2(od)} | ${marg(a, facts["pulumi-n0"]?.up, n)} | ${marg(o, facts["noop-n0"]?.up, n)} | ${marg(ad, facts["pulumi-n0"]?.destroy, n)} | ${marg(od, facts["noop-n0"]?.destroy, n)} |`);
}
// The same for every pulumi variant, against (a)'s N=0.
const variants = [...new Set(samples.map((s) => s.tool))].filter((t) => t.startsWith("pulumi"));
out.push("", "Marginal ms per resource, every pulumi variant (against (a)'s fixed cost at N=0):", "");
out.push(`| variant | step | ${ns.map((n) => `N=${n}`).join(" | ")} |`, `| --- | --- | ${ns.map(() => "---").join(" | ")} |`);
for (const t of variants) for (const op of ["up", "destroy"]) out.push(`| ${t} | ${op} | ${ns.map((n) => marg(med(t, n, op), facts["pulumi-n0"]?.[op], n)).join(" | ")} |`);
console.log(out.join("\n"));
