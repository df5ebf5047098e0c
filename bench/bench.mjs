// The benchmark driver, run by bench/run.sh (which sets up the environment, the per-run prefix
// and the clean-up trap). Builds and tears down the star (bench/star/program.js) with every tool,
// side by side: for each N, each repetition runs every tool once, so machine noise spreads over
// all of them. Writes raw results to bench/results/<run>/results.json and the table to
// bench/results/<run>/table.md (and stdout).
//
// Settings (environment):
//   BENCH_N="4 16 64 256"   host counts
//   BENCH_RUNS=3            repetitions; every figure is the median
//   BENCH_PARALLEL=32       the tuned --parallel of (a)
//   BENCH_TOOLS="..."       which tools (default: all of TOOLS below)
//   BENCH_EXTRAS_N=64       N of the no-change preview / no-change up / refresh figures
//   BENCH_PROFILE_N=64      N of the extra, untimed, CPU-sampled pulumi up/destroy (breakdown)
//   BENCH_SETTINGS_N=64     N at which the engine-setting variants run ("all": every N)
//   BENCH_SETTLE=2          seconds to wait after each teardown (the kernel frees namespaces
//                           asynchronously; the next measurement should not pay for it)
//   BENCH_ALT_CLI=DIR       also run the star with the pulumi in DIR ("pulumi-alt", "noop-alt"; the first with the no-change figures)
//   BENCH_ALT_DIR=DIR       ... from this bench/star (a copy of the project with the matching SDK)
//   BENCH_PREFIX, BENCH_STATE, BENCH_OUT, BENCH_PIDFILE: set by run.sh
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, appendFileSync, statSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

const BENCH = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const NS = (env.BENCH_N ?? "4 16 64 256").split(/[\s,]+/).filter(Boolean).map(Number);
const RUNS = Number(env.BENCH_RUNS ?? 3);
const PAR = Number(env.BENCH_PARALLEL ?? 32);
const EXTRAS_N = Number(env.BENCH_EXTRAS_N ?? 64);
const PROFILE_N = Number(env.BENCH_PROFILE_N ?? 64);
const SETTLE = Number(env.BENCH_SETTLE ?? 2);
const PREFIX = env.BENCH_PREFIX;
const STATE = env.BENCH_STATE;
const OUT = env.BENCH_OUT;
const PIDFILE = env.BENCH_PIDFILE;
if (!PREFIX || !STATE || !OUT || !PIDFILE) throw new Error("run bench/run.sh, not bench.mjs directly");
mkdirSync(OUT, { recursive: true });

// (e)'s provider plugin, where bench/command/build-plugin.sh puts it (the engine uses a plugin on PATH).
const commandVersion = JSON.parse(readFileSync(join(BENCH, "command/package.json"), "utf8")).dependencies["@pulumi/command"];
const commandBin = join(env.PULUMI_NETNS_CACHE ?? join(env.XDG_CACHE_HOME ?? join(os.homedir(), ".cache"), "pulumi-netns"), `pulumi-resource-command-v${commandVersion}`, "bin");
if (existsSync(join(commandBin, "pulumi-resource-command"))) env.PATH = `${commandBin}:${env.PATH}`;
const pulumiEnv = {
    ...env,
    PULUMI_BACKEND_URL: `file://${STATE}`,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
};

// Every tool: a label for the table and how it builds / tears down the star.
// kind "pulumi": one stack per (tool, N) in bench/star (or another project dir).
const TOOLS = {
    pulumi: { label: "(a) pulumi", kind: "pulumi", dir: "star", args: [], config: {} },
    "pulumi-par": { label: `(a) pulumi --parallel ${PAR}`, kind: "pulumi", dir: "star", args: ["--parallel", String(PAR)], config: {} },
    bash: { label: "(b) bash, one ip per step", kind: "script", script: "tutorial.sh" },
    batch: { label: "(c) ip -batch", kind: "script", script: "batch.sh" },
    mininet: { label: "(d) Mininet API", kind: "mininet" },
    command: { label: "(e) @pulumi/command", kind: "command" },
    noop: { label: "engine only (no-op provider)", kind: "pulumi", dir: "star", args: [], config: { impl: "noop" }, noop: true },
    // The inline form (docs/operations.md, "Large labs"): two resources per host instead of five.
    "pulumi-inline": { label: "(a') pulumi, inline form", kind: "pulumi", dir: "star", args: [], config: { form: "inline" } },
    "noop-inline": { label: "engine only, inline form (no-op provider)", kind: "pulumi", dir: "star", args: [], config: { impl: "noop", form: "inline" }, noop: true },
    // Engine settings, measured before adopting them (see BENCHMARKS.md).
    "pulumi-nobak": { label: "(a) + PULUMI_DISABLE_CHECKPOINT_BACKUPS", settings: true, kind: "pulumi", dir: "star", args: [], config: {}, env: { PULUMI_DISABLE_CHECKPOINT_BACKUPS: "true" } },
    "pulumi-skipckpt": { label: "(a) + PULUMI_SKIP_CHECKPOINTS", settings: true, kind: "pulumi", dir: "star", args: [], config: {}, env: { PULUMI_SKIP_CHECKPOINTS: "true" } },
    "pulumi-par-skipckpt": { label: `(a) --parallel ${PAR} + PULUMI_SKIP_CHECKPOINTS`, settings: true, kind: "pulumi", dir: "star", args: ["--parallel", String(PAR)], config: {}, env: { PULUMI_SKIP_CHECKPOINTS: "true" } },
    // File backend options (issue 13): the blob driver's URL option that skips the .attrs sidecar
    // (and its MD5) per write, and the CLI flag that skips one of the two integrity checks per save.
    "pulumi-nometa": { label: "(a) + file://...?metadata=skip", settings: true, kind: "pulumi", dir: "star", args: [], config: {}, env: { PULUMI_BACKEND_URL: `file://${STATE}?metadata=skip` } },
    "pulumi-noint": { label: "(a) + --disable-integrity-checking", settings: true, kind: "pulumi", dir: "star", args: ["--disable-integrity-checking"], config: {} },
};
// Another Pulumi CLI side by side (issue 13): BENCH_ALT_CLI names the bin/ directory of another
// build (bin/pulumi and its plugins); "pulumi-alt" and "noop-alt" run the star with it first on
// PATH, the first with the no-change figures of "pulumi" (extras). BENCH_ALT_DIR: the bench/star
// of a copy of the project whose node_modules hold the matching @pulumi/pulumi (default: ours).
if (env.BENCH_ALT_CLI) {
    const altDir = env.BENCH_ALT_DIR ?? "star";
    const altEnv = { PATH: `${env.BENCH_ALT_CLI}:${env.PATH}` };
    let v = "another CLI"; try { v = execFileSync(join(env.BENCH_ALT_CLI, "pulumi"), ["version"], { encoding: "utf8", env: { ...pulumiEnv, ...altEnv } }).trim(); } catch { /* */ }
    TOOLS["pulumi-alt"] = { label: `(a) pulumi, CLI ${v}`, settings: true, extras: true, kind: "pulumi", dir: altDir, args: [], config: {}, env: altEnv };
    TOOLS["noop-alt"] = { label: `engine only, CLI ${v}`, settings: true, kind: "pulumi", dir: altDir, args: [], config: { impl: "noop" }, noop: true, env: altEnv };
}
// A/B of a provider change: BENCH_BEFORE_DIR names bench/star in a copy of the project built
// from the code before the change (see BENCHMARKS.md); "pulumi-before" runs it beside "pulumi".
if (env.BENCH_BEFORE_DIR) TOOLS["pulumi-before"] = { label: `(a) pulumi, provider of ${env.BENCH_BEFORE_REV ?? "an earlier revision"}`, settings: true, kind: "pulumi", dir: env.BENCH_BEFORE_DIR, args: [], config: {} };
const DEFAULT_TOOLS = ["pulumi", "pulumi-par", "bash", "batch", "mininet", "command", "noop", "pulumi-nobak", "pulumi-skipckpt", "pulumi-par-skipckpt", ...(env.BENCH_BEFORE_DIR ? ["pulumi-before"] : [])];
// Engine-setting variants (settings: true) run only at this N ("all": every N).
const SETTINGS_N = env.BENCH_SETTINGS_N ?? "64";
const tools = (env.BENCH_TOOLS ? env.BENCH_TOOLS.split(/[\s,]+/).filter(Boolean) : DEFAULT_TOOLS);
for (const t of tools) if (!TOOLS[t]) throw new Error(`unknown tool ${t}; known: ${Object.keys(TOOLS).join(" ")}`);

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : undefined; };

/** Runs a command; resolves with its exit code, output and wall time (s). Optionally samples CPU. */
const live = new Set(); // children still running: interrupted on SIGINT/SIGTERM
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
    process.on(sig, () => {
        if (stopping) return;
        stopping = true;
        log(`${sig}: interrupting ${live.size} running command(s), then stopping`);
        // pulumi cancels on SIGINT and waits for the steps in flight; run.sh then deletes what is left.
        for (const c of live) c.kill("SIGINT");
        const deadline = setTimeout(() => { for (const c of live) c.kill("SIGKILL"); process.exit(130); }, 60_000);
        const poll = setInterval(() => { if (live.size === 0) { clearTimeout(deadline); clearInterval(poll); save(); process.exit(130); } }, 200);
    });
}

function run(file, args, { env: e = env, cwd = BENCH, sample = false } = {}) {
    if (stopping) return new Promise(() => {}); // never starts anything once stopping
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(file, args, { env: e, cwd, stdio: ["ignore", "pipe", "pipe"] });
        live.add(child);
        let stdout = "", stderr = "";
        child.stdout.on("data", (d) => { stdout += d; });
        child.stderr.on("data", (d) => { stderr += d; });
        const sampler = sample ? cpuSampler(child.pid) : undefined;
        child.on("close", (code) => {
            live.delete(child);
            const wall = Number(process.hrtime.bigint() - t0) / 1e9;
            resolve({ code, stdout, stderr, wall, cpu: sampler?.stop() });
        });
    });
}

async function must(file, args, opts) {
    const r = await run(file, args, opts);
    if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (${r.code})\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r;
}

// ---- CPU sampling: which processes under `pulumi` use the CPU ----------------------------
// Every 50 ms, reads /proc/*/stat, keeps the last utime+stime (and the reaped children's
// cutime+cstime) of each descendant of the root pid, by role. The `ip` processes live a few
// milliseconds: they are counted through their parent's cutime/cstime (the provider process
// reaps them), read at the provider's last sample.
const TICK = 100; // USER_HZ
function role(pid) {
    let cmd = "";
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" "); } catch { return "gone"; }
    if (/dynamic-provider/.test(cmd)) return "provider (node)";
    if (/pulumi-language-nodejs/.test(cmd)) return "language host";
    if (/pulumi-resource-pulumi-nodejs/.test(cmd)) return "provider launcher";
    if (/(^|\/)pulumi( |$)/.test(cmd.split(" ")[0] ?? "")) return "engine (pulumi)";
    if (/node/.test(cmd)) return "program (node)";
    return cmd.split(" ")[0]?.split("/").pop() || "other";
}
function cpuSampler(root) {
    const seen = new Map(); // pid -> { role, self, children }
    const tick = () => {
        const parents = new Map();
        const stats = new Map();
        for (const d of readdirSync("/proc")) {
            if (!/^\d+$/.test(d)) continue;
            try {
                const s = readFileSync(`/proc/${d}/stat`, "latin1");
                const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
                parents.set(Number(d), Number(f[1]));
                stats.set(Number(d), { self: (Number(f[11]) + Number(f[12])) / TICK, children: (Number(f[13]) + Number(f[14])) / TICK });
            } catch { /* gone */ }
        }
        const isDesc = (pid) => { for (let p = pid, i = 0; p > 1 && i < 50; p = parents.get(p) ?? 0, i++) if (p === root) return true; return false; };
        for (const [pid, st] of stats) {
            if (!isDesc(pid)) continue;
            const prev = seen.get(pid);
            // The role is read again until the process has exec'd its program (a fork shows its parent's command line).
            const r = prev && prev.self > 0.05 ? prev.role : role(pid);
            seen.set(pid, { role: r === "gone" ? (prev?.role ?? r) : r, ...st });
        }
    };
    const timer = setInterval(tick, 50);
    tick();
    return {
        stop() {
            clearInterval(timer);
            const byRole = {};
            for (const v of seen.values()) {
                byRole[v.role] = (byRole[v.role] ?? 0) + v.self;
                // Reaped children of the provider are its `ip` (and sysctl) processes.
                if (v.role === "provider (node)") byRole["ip processes (reaped by provider)"] = (byRole["ip processes (reaped by provider)"] ?? 0) + v.children;
            }
            return byRole;
        },
    };
}

// ---- namespaces ---------------------------------------------------------------------------
function ourNamespaces() {
    try { return readdirSync("/run/netns").filter((n) => n.startsWith(`${PREFIX}-`)); } catch { return []; }
}
async function settle() { if (SETTLE > 0) await sleep(SETTLE); }
async function verify(n) {
    // Host N reaches host 1 through the router (TTL 63): addresses, routes and forwarding all work.
    const r = await run("ip", ["netns", "exec", `${PREFIX}-h${n}`, "ping", "-c", "1", "-W", "2", n === 1 ? "192.0.2.0" : "192.0.2.1"]);
    return r.code === 0 && /ttl=6[34]/.test(r.stdout);
}

// ---- pulumi -------------------------------------------------------------------------------
const stacks = new Map();
async function pulumiStack(tool, n) {
    const key = `${tool}-${n}`;
    if (stacks.has(key)) return stacks.get(key);
    const t = TOOLS[tool];
    const s = { name: `${PREFIX}-${tool}-n${n}`, dir: resolve(BENCH, t.dir), env: { ...pulumiEnv, ...(t.env ?? {}) } };
    const cli = (args, opts = {}) => run("pulumi", [...args, "--stack", s.name, "--non-interactive", "--cwd", s.dir], { env: { ...s.env, ...(opts.env ?? {}) }, sample: opts.sample });
    s.cli = cli;
    s.must = async (args, opts) => { const r = await cli(args, opts); if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} (${s.name}) failed (${r.code})\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`); return r; };
    await s.must(["stack", "init"]);
    for (const [k, v] of Object.entries({ n: String(n), prefix: PREFIX, ...t.config })) await s.must(["config", "set", k, v]);
    stacks.set(key, s);
    return s;
}
function cmdlogSummary(file) {
    if (!existsSync(file)) return { processes: 0 };
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const byOp = {};
    for (const l of lines) byOp[`${l.kind}.${l.op}`] = (byOp[`${l.kind}.${l.op}`] ?? 0) + 1;
    const execs = lines.reduce((a, l) => a + (l.argv[1] === "netns" && l.argv[2] === "exec" ? 2 : 1), 0);
    return { processes: lines.length, execs, byOp, first: lines[0]?.t, last: lines.at(-1)?.t };
}
async function stateFacts(s) {
    const r = await s.must(["stack", "export"]);
    const d = JSON.parse(r.stdout);
    const res = d.deployment.resources ?? [];
    const dyn = res.filter((x) => x.outputs?.__provider !== undefined);
    const provLen = dyn.map((x) => String(x.outputs.__provider).length + String(x.inputs?.__provider ?? "").length);
    const perRes = dyn.map((x) => JSON.stringify(x).length);
    return {
        exportBytes: r.stdout.length, resources: res.length, dynamicResources: dyn.length,
        bytesPerResource: median(perRes), providerBytesPerResource: median(provLen),
        providerShare: provLen.reduce((a, b) => a + b, 0) / Math.max(1, perRes.reduce((a, b) => a + b, 0)),
        sampleProvider: dyn[0] ? String(dyn[0].outputs.__provider).slice(0, 600) : undefined,
        absolutePath: dyn.some((x) => /\/(work|home|root|tmp)\//.test(String(x.outputs.__provider))),
    };
}

// ---- results ------------------------------------------------------------------------------
const results = { started: new Date().toISOString(), machine: machine(), settings: { NS, RUNS, PAR, EXTRAS_N, PROFILE_N, SETTLE, SETTINGS_N: env.BENCH_SETTINGS_N ?? "64", tools, ...(env.BENCH_BEFORE_DIR ? { beforeRev: env.BENCH_BEFORE_REV ?? env.BENCH_BEFORE_DIR } : {}) }, samples: [], facts: {}, unavailable: {} };
const save = () => writeFileSync(join(OUT, "results.json"), JSON.stringify(results, null, 1));
function record(tool, n, op, rep, wall, extra = {}) {
    results.samples.push({ tool, n, op, rep, wall, ...extra });
    log(`${tool.padEnd(20)} N=${String(n).padEnd(4)} ${op.padEnd(16)} rep ${rep}: ${wall.toFixed(2)} s`);
    save();
}
function machine() {
    const cpus = os.cpus();
    let ipv = ""; try { ipv = execFileSync("ip", ["-V"], { encoding: "utf8" }).trim(); } catch { /* */ }
    let pv = ""; try { pv = execFileSync("pulumi", ["version"], { encoding: "utf8", env: pulumiEnv }).trim(); } catch { /* */ }
    return { host: os.hostname(), kernel: os.release(), cpu: cpus[0]?.model, cores: cpus.length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        loadAtStart: os.loadavg(), node: process.version, pulumi: pv, iproute2: ipv };
}

// ---- one measurement of each kind ---------------------------------------------------------
async function measurePulumi(tool, n, rep) {
    const t = TOOLS[tool];
    const s = await pulumiStack(tool, n);
    const cmdlog = join(OUT, `cmdlog-${tool}-n${n}-r${rep}`);
    const up = await s.must(["up", "--yes", "--skip-preview", ...t.args], { env: { PULUMI_NETNS_COMMAND_LOG: `${cmdlog}-up.jsonl` } });
    const ok = rep === 0 && !t.noop ? await verify(n) : undefined;
    record(tool, n, "up", rep, up.wall, { cmds: cmdlogSummary(`${cmdlog}-up.jsonl`), verified: ok });
    if (rep === 0) results.facts[`${tool}-n${n}-state`] = await stateFacts(s);
    if ((tool === "pulumi" || tool === "pulumi-inline" || t.extras) && n === EXTRAS_N) {
        // No-change operations on the built stack.
        const pv = await s.must(["preview", "--expect-no-changes"], { env: { PULUMI_NETNS_COMMAND_LOG: `${cmdlog}-preview.jsonl` } });
        record(tool, n, "preview (no change)", rep, pv.wall, { cmds: cmdlogSummary(`${cmdlog}-preview.jsonl`) });
        const up2 = await s.must(["up", "--yes", "--skip-preview", ...t.args], { env: { PULUMI_NETNS_COMMAND_LOG: `${cmdlog}-up2.jsonl` } });
        record(tool, n, "up (no change)", rep, up2.wall, { cmds: cmdlogSummary(`${cmdlog}-up2.jsonl`) });
        const rf = await s.must(["refresh", "--yes", "--skip-preview", ...t.args], { env: { PULUMI_NETNS_COMMAND_LOG: `${cmdlog}-refresh.jsonl` } });
        record(tool, n, "refresh", rep, rf.wall, { cmds: cmdlogSummary(`${cmdlog}-refresh.jsonl`) });
    }
    const down = await s.must(["destroy", "--yes", "--skip-preview", ...t.args], { env: { PULUMI_NETNS_COMMAND_LOG: `${cmdlog}-destroy.jsonl` } });
    record(tool, n, "destroy", rep, down.wall, { cmds: cmdlogSummary(`${cmdlog}-destroy.jsonl`) });
    if (!t.noop && ourNamespaces().length) throw new Error(`${tool}: namespaces left after destroy: ${ourNamespaces().join(" ")}`);
    await settle();
}

async function measureScript(tool, n, rep) {
    const script = join(BENCH, TOOLS[tool].script);
    const up = await must("bash", [script, PREFIX, String(n), "up"]);
    const ok = rep === 0 ? await verify(n) : undefined;
    record(tool, n, "up", rep, up.wall, { verified: ok });
    const down = await must("bash", [script, PREFIX, String(n), "down"]);
    record(tool, n, "destroy", rep, down.wall);
    if (ourNamespaces().length) throw new Error(`${tool}: namespaces left: ${ourNamespaces().join(" ")}`);
    await settle();
}

async function measureMininet(n, rep) {
    const r = await must("/usr/bin/python3", [join(BENCH, "mininet_star.py"), String(n), "1", PIDFILE, ...(rep === 0 ? ["--verify"] : [])]);
    const j = JSON.parse(r.stdout.trim().split("\n").pop());
    record("mininet", n, "up", rep, j.build, { verified: j.verified ?? undefined, processWall: r.wall });
    record("mininet", n, "destroy", rep, j.teardown);
    await settle();
}

// (e): needs the provider plugin `pulumi-resource-command`; see bench/command/README.md.
function commandPlugin() {
    const onPath = (process.env.PATH ?? "").split(":").some((d) => existsSync(join(d, "pulumi-resource-command")));
    const home = join(os.homedir(), ".pulumi/plugins");
    const cached = existsSync(home) && readdirSync(home).some((d) => d.startsWith("resource-command-"));
    return onPath || cached;
}
async function measureCommand(n, rep) {
    if (!commandPlugin()) {
        results.unavailable.command = readFileSync(join(BENCH, "command/UNAVAILABLE.txt"), "utf8").trim();
        return;
    }
    const s = await pulumiStack("command", n);
    const up = await s.must(["up", "--yes", "--skip-preview"]);
    record("command", n, "up", rep, up.wall, { verified: rep === 0 ? await verify(n) : undefined });
    const down = await s.must(["destroy", "--yes", "--skip-preview"]);
    record("command", n, "destroy", rep, down.wall);
    await settle();
}
TOOLS.command.dir = "command";

async function profile(n) {
    // One extra up/destroy with CPU sampling per pulumi tool: where the CPU time goes.
    for (const tool of tools.filter((t) => TOOLS[t].kind === "pulumi" && (!TOOLS[t].settings || SETTINGS_N === "all" || Number(SETTINGS_N) === n))) {
        const t = TOOLS[tool];
        const s = await pulumiStack(tool, n);
        const up = await s.must(["up", "--yes", "--skip-preview", ...t.args], { sample: true });
        if (tool === "pulumi") {
            const pv = await s.must(["preview", "--expect-no-changes"], { sample: true });
            results.facts[`${tool}-n${n}-preview-cpu`] = { up: { wall: pv.wall, cpu: pv.cpu } };
            log(`profile ${tool} N=${n} no-change preview: ${pv.wall.toFixed(1)} s ${JSON.stringify(pv.cpu)}`);
        }
        const down = await s.must(["destroy", "--yes", "--skip-preview", ...t.args], { sample: true });
        results.facts[`${tool}-n${n}-cpu`] = { up: { wall: up.wall, cpu: up.cpu }, destroy: { wall: down.wall, cpu: down.cpu } };
        log(`profile ${tool} N=${n}: up ${up.wall.toFixed(1)} s ${JSON.stringify(up.cpu)}; destroy ${down.wall.toFixed(1)} s ${JSON.stringify(down.cpu)}`);
        save();
        await settle();
    }
}

async function ipCallCost() {
    // Cost of one `ip` process as the provider runs it (execa from Node, sequential) and as bash
    // runs it, on a namespace of our own: `ip -n NS link set dev lo up` (a no-op after the first).
    const ns = `${PREFIX}-probe`;
    await must("ip", ["netns", "add", ns]);
    try {
        const k = 200;
        // Plain node:child_process spawn (tried in provider/host/run.ts, reverted) against execa (the provider's way).
        const node = await must(process.execPath, ["-e", `
            const { spawn } = require("node:child_process");
            const { execa } = require(${JSON.stringify(join(BENCH, "../node_modules/execa"))});
            const argv = ["-n", ${JSON.stringify(ns)}, "link", "set", "dev", "lo", "up"];
            const sp = () => new Promise((res) => { const c = spawn("ip", argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } }); c.stdout.resume(); c.stderr.resume(); c.on("close", res); });
            const ex = () => execa("ip", argv, { reject: false, stdin: "ignore", env: { LC_ALL: "C" } });
            const time = async (fn) => { const c0 = process.cpuUsage(), t = Date.now(); for (let i = 0; i < ${k}; i++) await fn(); const c = process.cpuUsage(c0); return [(Date.now() - t) / ${k}, (c.user + c.system) / 1000 / ${k}]; };
            (async () => { const [spawnWall, spawnCpu] = await time(sp); const [execaWall, execaCpu] = await time(ex);
            const t2 = Date.now(); await Promise.all(Array.from({ length: ${k} }, sp));
            console.log(JSON.stringify({ spawnWall, spawnCpu, execaWall, execaCpu, spawnConcurrent: (Date.now() - t2) / ${k} })); })();`]);
        const sh = await must("bash", ["-c", `t=$(date +%s%N); for i in $(seq ${k}); do ip -n ${ns} link set dev lo up; done; a=$(( ($(date +%s%N) - t) / ${k} )); t=$(date +%s%N); for i in $(seq ${k}); do ip netns exec ${ns} ip link set dev lo up; done; echo $a $(( ($(date +%s%N) - t) / ${k} ))`]);
        const [bashN, bashExec] = sh.stdout.trim().split(" ").map((x) => Number(x) / 1e6);
        const j = JSON.parse(node.stdout.trim());
        results.facts.ipCall = { msPerCallSpawnSequential: j.spawnWall, msCpuInNodePerSpawn: j.spawnCpu, msPerCallExecaSequential: j.execaWall, msCpuInNodePerExeca: j.execaCpu,
            msPerCallSpawn200Concurrent: j.spawnConcurrent, msPerCallBashIpN: bashN, msPerCallBashNetnsExec: bashExec };
        log("ip call cost (ms):", JSON.stringify(results.facts.ipCall));
    } finally {
        await run("ip", ["netns", "del", ns]);
    }
}

async function emptyStack() {
    // The fixed cost of the CLI: `pulumi up` and `destroy` of the star with N=0 (the router only,
    // two resources) and of the no-op engine with N=0.
    for (const tool of ["pulumi", "noop"]) {
        const s = await pulumiStack(tool, 0);
        const walls = { up: [], destroy: [] };
        for (let i = 0; i < RUNS; i++) {
            walls.up.push((await s.must(["up", "--yes", "--skip-preview"])).wall);
            walls.destroy.push((await s.must(["destroy", "--yes", "--skip-preview"])).wall);
        }
        results.facts[`${tool}-n0`] = { up: median(walls.up), destroy: median(walls.destroy) };
        log(`${tool} N=0: up ${median(walls.up).toFixed(2)} s, destroy ${median(walls.destroy).toFixed(2)} s`);
    }
}

// ---- the table ----------------------------------------------------------------------------
function table() {
    const med = (tool, n, op) => median(results.samples.filter((s) => s.tool === tool && s.n === n && s.op === op).map((s) => s.wall));
    const fmt = (x) => (x === undefined ? "–" : x < 10 ? x.toFixed(2) : x.toFixed(1));
    const ratio = (x, ref) => (x === undefined || !ref ? "–" : `${(x / ref).toFixed(x / ref < 10 ? 2 : 0)}×`);
    const shown = tools.filter((t) => results.samples.some((s) => s.tool === t));
    const lines = [];
    lines.push(`Median of ${RUNS} runs, seconds (wall). Ratios: to (b) bash / to (c) ip -batch.`, "");
    lines.push(`| N | step | ${shown.map((t) => TOOLS[t].label).join(" | ")} |`);
    lines.push(`| --- | --- | ${shown.map(() => "---").join(" | ")} |`);
    for (const n of NS) for (const op of ["up", "destroy"]) {
        const b = med("bash", n, op), c = med("batch", n, op);
        lines.push(`| ${n} | ${op === "up" ? "build" : "teardown"} | ${shown.map((t) => {
            const x = med(t, n, op);
            return t === "bash" || t === "batch" || x === undefined ? fmt(x) : `${fmt(x)} (${ratio(x, b)} / ${ratio(x, c)})`;
        }).join(" | ")} |`);
    }
    if (results.unavailable.command) lines.push("", `(e) @pulumi/command: not measured: ${results.unavailable.command.split("\n")[0]}`);
    for (const form of ["pulumi", "pulumi-inline"]) {
        const ex = ["preview (no change)", "up (no change)", "refresh"].map((op) => [op, med(form, EXTRAS_N, op)]).filter(([, x]) => x !== undefined);
        if (!ex.length) continue;
        const b = med("bash", EXTRAS_N, "up"), c = med("batch", EXTRAS_N, "up");
        lines.push("", `No-change operations on the N=${EXTRAS_N} stack, ${TOOLS[form].label}, default parallelism (ratios to the build time of (b) / (c)):`, "");
        lines.push("| operation | seconds | vs (b) build | vs (c) build |", "| --- | --- | --- | --- |");
        for (const [op, x] of ex) lines.push(`| ${op} | ${fmt(x)} | ${ratio(x, b)} | ${ratio(x, c)} |`);
    }
    const per = shown.filter((t) => TOOLS[t].kind === "pulumi");
    if (per.length) {
        // The star has 5N+2 resources, 2N+1 in the inline form.
        const count = (t, n) => (TOOLS[t].config?.form === "inline" ? 2 * n + 1 : 5 * n + 2);
        lines.push("", "Pulumi time per resource (ms; 5N+2 resources, 2N+1 in the inline form):", "");
        lines.push(`| tool | step | ${NS.map((n) => `N=${n}`).join(" | ")} |`, `| --- | --- | ${NS.map(() => "---").join(" | ")} |`);
        for (const t of per) for (const op of ["up", "destroy"]) lines.push(`| ${TOOLS[t].label} | ${op} | ${NS.map((n) => { const x = med(t, n, op); return x === undefined ? "–" : (1000 * x / count(t, n)).toFixed(1); }).join(" | ")} |`);
    }
    return lines.join("\n");
}

// ---- main ---------------------------------------------------------------------------------
async function main() {
    log(`prefix ${PREFIX}, N ${NS.join(" ")}, ${RUNS} runs, tools ${tools.join(" ")}, results ${OUT}`);
    if (env.BENCH_SKIP_FACTS !== "1") {
        await ipCallCost();
        if (tools.includes("pulumi") && tools.includes("noop")) await emptyStack();
    }
    for (const n of NS) {
        for (let rep = 0; rep < RUNS; rep++) {
            for (const tool of tools) {
                const t = TOOLS[tool];
                if (t.settings && SETTINGS_N !== "all" && Number(SETTINGS_N) !== n) continue;
                if (t.kind === "pulumi") await measurePulumi(tool, n, rep);
                else if (t.kind === "script") await measureScript(tool, n, rep);
                else if (t.kind === "mininet") await measureMininet(n, rep);
                else if (t.kind === "command") await measureCommand(n, rep);
            }
        }
        if (n === PROFILE_N && env.BENCH_SKIP_FACTS !== "1") await profile(n);
    }
    results.finished = new Date().toISOString();
    results.machine.loadAtEnd = os.loadavg();
    save();
    const md = table();
    writeFileSync(join(OUT, "table.md"), md + "\n");
    console.log(md);
    // Remove the stacks (already destroyed) so the state directory holds nothing.
    for (const s of stacks.values()) await s.cli(["stack", "rm", "--yes", "--force"]);
}

main().catch((e) => { if (!stopping) console.error(e.stack ?? String(e)); save(); process.exit(stopping ? 130 : 1); });
