// The processes of one run of the engine, so that the recovery can end those a SIGKILL of the
// CLI leaves behind (the language host, the `pulumi-resource-pulumi-nodejs` launcher, the
// `node .../cmd/dynamic-provider` host, other plugins: children of the CLI, which nothing tells
// to stop when it dies).
//
// The provider host serving this code records, at its first call for a stack, one file
//   RUN_DIR/<cli pid>-<cli start>-<own pid>.json
// holding the stack, the CLI (its parent's parent when the parent is the launcher script, else
// its parent) and the CLI's descendants at that moment (itself among them), each as PID + start
// time (/proc/PID/stat field 22) + command line. The recovery reads the files of its stack whose
// CLI is gone, and ends exactly those processes that still run with the recorded start time
// (a PID used again by another process has another start time), and what they started since.
// Nothing is ever looked up by a process name.
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Owner } from "./owner";
import { cmdline, pids, statFields } from "../host/procs";

export interface Proc {
    pid: number;
    /** Start time in clock ticks since boot: with the PID, what names one process. */
    start: number;
    /** The command line, for the report (never used to choose). */
    cmd: string;
}

export interface RunRecord extends Owner {
    cli: Proc;
    processes: Proc[];
    /** When it was written (ms since the epoch). */
    written: number;
}

/** Where the records live: /run/pulumi-netns/runs as root, else a directory of this user in the temporary directory. */
export function runDir(): string {
    const uid = typeof process.getuid === "function" ? process.getuid() : -1;
    return uid === 0 ? "/run/pulumi-netns/runs" : join(tmpdir(), `pulumi-netns-runs-${uid}`);
}

/** The process with this PID now, or undefined when there is none (a zombie counts as gone). */
export function proc(pid: number): (Proc & { ppid: number }) | undefined {
    const f = statFields(pid);
    // f[0] is field 3 (state), f[1] field 4 (ppid), f[19] field 22 (starttime).
    if (!f || f[0] === "Z" || f[0] === "X") return undefined;
    // Gone meanwhile: an empty command, and the start time decides.
    const cmd = (cmdline(pid) ?? []).filter(Boolean).join(" ");
    return { pid, start: Number(f[19]), cmd, ppid: Number(f[1]) };
}

/** Whether the process recorded as `p` still runs (same PID, same start time). */
export function stillRuns(p: Pick<Proc, "pid" | "start">): boolean {
    return proc(p.pid)?.start === p.start;
}

/** Every descendant of pid now, found through /proc (children first, then theirs). */
export function descendantsOf(pid: number): Proc[] {
    const byParent = new Map<number, Proc[]>();
    for (const d of pids()) {
        const p = proc(d);
        if (p) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), { pid: p.pid, start: p.start, cmd: p.cmd }]);
    }
    const out: Proc[] = [];
    const walk = (p: number) => { for (const c of byParent.get(p) ?? []) { out.push(c); walk(c.pid); } };
    walk(pid);
    return out;
}

/** The CLI of this provider host: the parent, or the parent's parent when the parent is the launcher script. */
export function cliOf(self: number = process.pid): Proc | undefined {
    const parent = proc(self)?.ppid;
    const p = parent === undefined ? undefined : proc(parent);
    if (!p) return undefined;
    const up = /(^|\/)pulumi-resource-pulumi-nodejs( |$)/.test(p.cmd) ? proc(p.ppid) : p;
    return up && up.pid > 1 ? { pid: up.pid, start: up.start, cmd: up.cmd } : undefined;
}

let recorded = false;

/** Whether this process is the engine's dynamic provider host (and not, say, a test calling the implementation). */
export function isProviderHost(argv1: string | undefined = process.argv[1]): boolean {
    return /[/\\]cmd[/\\]dynamic-provider([/\\]index\.js)?$/.test(argv1 ?? "");
}

/**
 * Writes this run's record once per provider process, for the stack of the first resource that
 * names one. Never fails the operation: a record that cannot be written only means that the
 * recovery cannot end this run's processes.
 */
export function recordRun(owner: Owner | undefined, dir: string = runDir()): void {
    if (recorded || !owner || !isProviderHost()) return;
    recorded = true;
    try {
        const cli = cliOf();
        if (!cli) return;
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(dir, 0o700);
        pruneRuns(dir);
        const record: RunRecord = { project: owner.project, stack: owner.stack, cli, processes: descendantsOf(cli.pid), written: Date.now() };
        const file = join(dir, `${cli.pid}-${cli.start}-${process.pid}.json`);
        writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
        // A host that ends normally takes its record along; one that is killed leaves it to
        // pruneRuns (the next record) or to the recovery.
        process.once("exit", () => rmSync(file, { force: true }));
    } catch (e) {
        process.stderr.write(`warning: pulumi-netns could not record this run's processes in ${dir} (${(e as Error).message}): after a SIGKILL of the CLI, \`pulumi-netns recover\` cannot end them\n`);
    }
}

/** Every record in the directory (files that do not parse are skipped). */
export function readRuns(dir: string = runDir()): { file: string; record: RunRecord }[] {
    let names: string[];
    try {
        names = readdirSync(dir).filter((n) => /^\d+-\d+-\d+\.json$/.test(n));
    } catch {
        return [];
    }
    const out: { file: string; record: RunRecord }[] = [];
    for (const n of names) {
        try {
            const r = JSON.parse(readFileSync(join(dir, n), "utf8")) as RunRecord;
            if (typeof r.project === "string" && typeof r.stack === "string" && typeof r.cli?.pid === "number" && Array.isArray(r.processes)) out.push({ file: join(dir, n), record: r });
        } catch {
            // being written, or not ours
        }
    }
    return out;
}

/** Removes the records of runs that have ended and left no process. */
export function pruneRuns(dir: string = runDir()): void {
    for (const { file, record } of readRuns(dir)) {
        if (!stillRuns(record.cli) && !record.processes.some(stillRuns)) rmSync(file, { force: true });
    }
}

/** The processes of the dead runs of a stack that still run: recorded ones, and what they started. */
export function orphans(owner: Owner, dir: string = runDir()): { file: string; cli: Proc; processes: Proc[] }[] {
    const out: { file: string; cli: Proc; processes: Proc[] }[] = [];
    for (const { file, record } of readRuns(dir)) {
        if (record.project !== owner.project || record.stack !== owner.stack || stillRuns(record.cli)) continue;
        const alive = record.processes.filter(stillRuns);
        const seen = new Set(alive.map((p) => p.pid));
        for (const p of alive.slice()) for (const d of descendantsOf(p.pid)) if (!seen.has(d.pid)) { seen.add(d.pid); alive.push(d); }
        out.push({ file, cli: record.cli, processes: alive });
    }
    return out;
}

/**
 * Ends the processes of the stack's dead runs: SIGTERM, then SIGKILL for those that still run
 * after `graceMs`; each signal only after checking the start time again. Removes their records.
 * Returns the processes ended.
 */
export async function endOrphans(owner: Owner, log: (line: string) => void = () => {}, dir: string = runDir(), graceMs = 3000): Promise<Proc[]> {
    const ended: Proc[] = [];
    const signal = (p: Proc, s: NodeJS.Signals) => {
        if (!stillRuns(p)) return false;
        try {
            process.kill(p.pid, s);
            return true;
        } catch {
            return false;
        }
    };
    for (const run of orphans(owner, dir)) {
        const hit = run.processes.filter((p) => signal(p, "SIGTERM"));
        for (let t = 0; t < graceMs && hit.some(stillRuns); t += 100) await new Promise((r) => setTimeout(r, 100));
        for (const p of hit) if (stillRuns(p)) signal(p, "SIGKILL");
        for (let t = 0; t < 2000 && hit.some(stillRuns); t += 50) await new Promise((r) => setTimeout(r, 50));
        for (const p of hit) log(`ended process ${p.pid} (${p.cmd || "?"}) of the dead run of pulumi ${run.cli.pid}`);
        ended.push(...hit);
        if (!run.processes.some(stillRuns)) rmSync(run.file, { force: true });
    }
    return ended;
}
