// Shared by the reliability tests (test/reliability/*.test.ts): the command log the provider
// writes (PULUMI_NETNS_COMMAND_LOG), a topology of any size for the fixture program, lesson
// stacks under their own prefix, a `pulumi up` that can be killed, and the leak check.
// Everything runs through the real CLI (test/e2e/harness.ts); every namespace is named with the
// file's prefix; nothing touches the host's own namespace except to read it.
import { execa, type ResultPromise } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { formatOutcome, runChecks } from "../../lab/checks";
import { reaches, nodes } from "../../stacks/checks";
import type { Check } from "../../stacks/lesson";
import { lessons } from "../../stacks/lessons";
import { env, FIXTURE, REPO, TestStack, type CliResult } from "../e2e/harness";
import { describeLeaks, hostSysctls, leaks, namespaces, recordedHostSysctls } from "../support/host";
import { fileLifecycle as sharedLifecycle, type Disposable } from "../support/lifecycle";
import { hostLinksBefore } from "../support/prefix";

// ---------------------------------------------------------------------------------------------
// The command log.

export interface LoggedCommand {
    t: number;
    kind: string;
    op: string;
    argv: string[];
    mutating: boolean;
}

const logDir = mkdtempSync(join(tmpdir(), "pulumi-netns-cmdlog-"));
let logCount = 0;

/** A fresh, empty command log file; pass it as { PULUMI_NETNS_COMMAND_LOG: path } to the CLI. */
export function newCommandLog(tag: string): string {
    const path = join(logDir, `${tag}-${++logCount}.jsonl`);
    writeFileSync(path, "");
    return path;
}

/**
 * The commands logged so far. The log is read while providers write it, and a provider killed by
 * SIGKILL can leave its last record cut short: a piece after the last newline is a write in
 * progress (not yet a record), and a record cut short by a kill is followed on its line by the next
 * writer's whole one, which is what is read of that line.
 */
export function readCommandLog(path: string): LoggedCommand[] {
    const text = readFileSync(path, "utf8");
    const lines = text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter(Boolean);
    return lines.flatMap((l) => {
        for (const from of [0, l.lastIndexOf('{"t":')]) {
            try {
                return [JSON.parse(l.slice(Math.max(0, from))) as LoggedCommand];
            } catch { /* cut short: try the last record on the line */ }
        }
        return [];
    });
}

export function removeCommandLogs(): void {
    rmSync(logDir, { recursive: true, force: true });
}

/** The commands of a log that change the system, as "kind op: argv" lines (for messages). */
export function mutations(path: string): string[] {
    return readCommandLog(path).filter((c) => c.mutating).map((c) => `${c.kind} ${c.op}: ${c.argv.join(" ")}`);
}

// ---------------------------------------------------------------------------------------------
// A topology of any size, for the fixture program: a router namespace with forwarding on and
// `hosts` host namespaces around it, each on its own /29 of 198.51.100.0/24, with a default route
// through the router. 5 resources per host plus 2: 7 hosts make 37, 20 make 102.

export interface Spec {
    kind: string;
    name: string;
    args: Record<string, unknown>;
    dependsOn?: string[];
}

const ref = (name: string, out: string) => ({ ref: name, out });

export function star(prefix: string, hosts: number): Spec[] {
    if (hosts < 2 || hosts > 31) throw new Error("star: 2 to 31 hosts (one /29 each in 198.51.100.0/24)");
    const specs: Spec[] = [
        { kind: "Namespace", name: "r", args: { name: `${prefix}r` } },
        { kind: "Sysctl", name: "r-fwd", args: { namespace: ref("r", "name"), key: "net.ipv4.ip_forward", value: "1" } },
    ];
    for (let i = 0; i < hosts; i++) {
        const h = `h${i}`;
        specs.push(
            { kind: "Namespace", name: h, args: { name: `${prefix}${h}` } },
            { kind: "VethPair", name: `${h}-v`, args: { name: "eth0", namespace: ref(h, "name"), peerName: `r-eth${i}`, peerNamespace: ref("r", "name") } },
            { kind: "Address", name: `${h}-ip`, args: { namespace: ref(h, "name"), dev: ref(`${h}-v`, "name"), address: `198.51.100.${8 * i + 1}/29` } },
            { kind: "Address", name: `${h}-gw`, args: { namespace: ref("r", "name"), dev: ref(`${h}-v`, "peerName"), address: `198.51.100.${8 * i + 6}/29` } },
            { kind: "Route", name: `${h}-default`, args: { namespace: ref(h, "name"), to: "default", via: `198.51.100.${8 * i + 6}` }, dependsOn: [`${h}-ip`] },
        );
    }
    return specs;
}

/** What the star must do once up: the first and last host reach the router and each other (TTL 63). */
export function starChecks(prefix: string, hosts: number): Check[] {
    const last = hosts - 1;
    const n = nodes(prefix, ["h0", `h${last}`]);
    const first = n.h0!, end = n[`h${last}`]!;
    return [
        reaches(first, "198.51.100.6", "r", { ttl: 64 }),
        reaches(end, `198.51.100.${8 * last + 6}`, "r", { ttl: 64 }),
        reaches(first, `198.51.100.${8 * last + 1}`, `h${last}`, { ttl: 63, why: "through the router" }),
        reaches(end, "198.51.100.1", "h0", { ttl: 63, why: "through the router" }),
    ];
}

export function fixtureConfig(specs: Spec[]): Record<string, string> {
    return { resources: JSON.stringify(specs) };
}

// ---------------------------------------------------------------------------------------------
// Lessons.

/** Every lesson in the registry (new lessons are picked up without a change here). */
export function lessonNames(): string[] {
    return Object.keys(lessons);
}

/** A short tag for a lesson, for stack and namespace names; unique within the registry. */
export function lessonTag(lesson: string): string {
    const short = (l: string) => l.replace(/[^a-z0-9]/g, "").slice(0, 10);
    const names = lessonNames();
    const clash = names.filter((l) => short(l) === short(lesson)).length > 1;
    return clash ? `${short(lesson).slice(0, 7)}${names.indexOf(lesson)}` : short(lesson);
}

/** A stack of the lessons project running `lesson` with its namespaces named `${nsPrefix}...`. */
export function lessonStack(stackName: string, lesson: string, nsPrefix: string, config: Record<string, string> = {}): Promise<TestStack> {
    return TestStack.create(stackName, REPO, { lesson, prefix: nsPrefix, ...config });
}

export function fixtureStack(stackName: string, specs: Spec[]): Promise<TestStack> {
    return TestStack.create(stackName, FIXTURE, fixtureConfig(specs));
}

/** Runs checks; fails the test with the report of those that failed. */
export async function expectChecksPass(what: string, checks: Check[]): Promise<number> {
    const outcomes = await runChecks(checks);
    const failed = outcomes.filter((o) => !o.ok);
    expect(outcomes.length, `${what}: no checks`).toBeGreaterThan(0);
    expect(failed.map(formatOutcome).join("\n\n"), `${what}: checks failed`).toBe("");
    return outcomes.length;
}

export function lessonChecks(lesson: string, nsPrefix: string, config: Record<string, string> = {}): Check[] {
    return lessons[lesson]!.checks(nsPrefix, config);
}

// ---------------------------------------------------------------------------------------------
// The host.

/** Our namespaces with this prefix. */
export async function namespacesWith(prefix: string): Promise<string[]> {
    return (await namespaces()).filter((n) => n.startsWith(prefix));
}

/** The leak check every test here ends with: no namespace with the prefix, no new host link, no changed host setting. */
export async function expectNoLeaks(prefix: string, sysctlsBefore: Record<string, string> = recordedHostSysctls()): Promise<void> {
    expect(describeLeaks(await leaks(prefix, hostLinksBefore(), sysctlsBefore))).toBeUndefined();
}

export { hostSysctls };

/**
 * The life of a reliability test file: the shared one (test/support/lifecycle.ts: the leak check
 * against the file's prefix first, then every stack destroyed and removed, the namespaces, the
 * state and the command logs removed, then the file fails with what leaked), plus `report`, a
 * summary line printed when the file ends clean. Push every stack the file makes to `stacks`.
 * sysctlsBefore() is the run's snapshot of the host's settings.
 */
export function fileLifecycle(prefix: string, report?: () => string, options: { fixtures?: string[]; cleanups?: (() => void | Promise<void>)[] } = {}): { stacks: Disposable[]; sysctlsBefore: () => Record<string, string> } {
    const { stacks } = sharedLifecycle(prefix, { ...options, cleanups: [removeCommandLogs, ...(options.cleanups ?? [])], ...(report ? { report } : {}) });
    return { stacks, sysctlsBefore: recordedHostSysctls };
}

// ---------------------------------------------------------------------------------------------
// The state.

export interface ExportedState {
    resources: { urn: string; id?: string; type: string; outputs?: Record<string, unknown> }[];
    pending: { type: string; urn: string }[];
}

export async function exportState(stack: TestStack): Promise<ExportedState> {
    const d = (JSON.parse((await stack.must(["stack", "export"])).stdout) as { deployment: { resources?: ExportedState["resources"]; pending_operations?: { type: string; resource: { urn: string } }[] } }).deployment;
    return {
        resources: (d.resources ?? []).filter((r) => r.type.includes("netns:")),
        pending: (d.pending_operations ?? []).map((p) => ({ type: p.type, urn: p.resource.urn })),
    };
}

// ---------------------------------------------------------------------------------------------
// Processes we start, and killing exactly those.

/** The parent of a process, from /proc/PID/stat (undefined when it is gone). */
function parentOf(pid: number): number | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses; the last ')' ends it.
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

/** Every descendant of pid (children, grandchildren, ...), found through /proc. */
export function descendants(pid: number): number[] {
    const byParent = new Map<number, number[]>();
    for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        const p = parentOf(Number(d));
        if (p === undefined) continue;
        byParent.set(p, [...(byParent.get(p) ?? []), Number(d)]);
    }
    const out: number[] = [];
    const walk = (p: number) => { for (const c of byParent.get(p) ?? []) { out.push(c); walk(c); } };
    walk(pid);
    return out;
}

/**
 * SIGKILLs pid and all its descendants, and nothing else. Each process is stopped (SIGSTOP)
 * as soon as it is seen, parents first, so that nothing can start a child that we would miss;
 * the tree is read again until no new process appears; then all are killed at once.
 */
export function killTree(pid: number): number[] {
    const seen: number[] = [];
    const stop = (p: number) => {
        try {
            process.kill(p, "SIGSTOP");
        } catch {
            return; // already gone
        }
        seen.push(p);
    };
    stop(pid);
    for (let round = 0; round < 10; round++) {
        const fresh = descendants(pid).filter((p) => !seen.includes(p));
        // Orphans of stopped parents cannot appear: a stopped process does not exit.
        for (const p of seen.slice()) for (const c of descendants(p)) if (!seen.includes(c) && !fresh.includes(c)) fresh.push(c);
        if (fresh.length === 0) break;
        fresh.forEach(stop);
    }
    for (const p of seen) {
        try {
            process.kill(p, "SIGKILL");
        } catch {
            // gone meanwhile
        }
    }
    return seen;
}

export interface RunningCli {
    child: ResultPromise;
    pid: number;
    output(): string;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `pulumi ARGS` for the stack without waiting for it (as TestStack.run would run it). */
export function startCli(stack: TestStack, args: string[], extraEnv: Record<string, string> = {}): RunningCli {
    const child = execa("pulumi", [...args, "--stack", stack.name, "--non-interactive", "--cwd", stack.dir], {
        env: env(extraEnv), stdin: "ignore", reject: false, buffer: false,
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = child.then((r) => ({ code: r.exitCode ?? null, signal: (r.signal ?? null) as NodeJS.Signals | null }));
    return { child, pid: child.pid!, output: () => out, exited };
}

/** Resolves once `count` mutating commands of provider operation `op` are in the log; rejects when the CLI ends first. */
export async function whenCommands(cli: RunningCli, log: string, op: "create" | "delete", count: number, timeoutMs = 240_000): Promise<number> {
    let ended = false;
    void cli.exited.then(() => { ended = true; });
    const start = Date.now();
    for (;;) {
        const n = readCommandLog(log).filter((c) => c.op === op && c.mutating).length;
        if (n >= count) return n;
        if (ended) throw new Error(`pulumi ended before ${count} ${op} commands (saw ${n}):\n${cli.output()}`);
        if (Date.now() - start > timeoutMs) throw new Error(`no ${count} ${op} commands within ${timeoutMs} ms (saw ${n})`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/** What the CLI printed, for assertions on messages. */
export function printed(r: CliResult): string {
    return `${r.stdout}\n${r.stderr}`;
}
