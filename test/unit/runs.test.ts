// The run records the provider host writes (provider/ownership/runs.ts) and the ending of a dead run's
// processes by PID and start time. The processes are sandbox `sleep`s this file starts (no root,
// no namespace); each one is killed by its PID at the end whatever happens.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliOf, endOrphans, isProviderHost, orphans, proc, pruneRuns, stillRuns, type Proc, type RunRecord } from "../../provider/ownership/runs";

const started: ChildProcess[] = [];
let dir = "";
afterEach(() => {
    for (const c of started.splice(0)) if (c.pid) try { process.kill(c.pid, "SIGKILL"); } catch { /* gone */ }
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
});

async function sleeper(): Promise<Proc> {
    const c = spawn("sleep", ["600"], { stdio: "ignore" });
    started.push(c);
    for (let i = 0; i < 50 && !proc(c.pid!)?.cmd.includes("sleep"); i++) await new Promise((r) => setTimeout(r, 20));
    const p = proc(c.pid!)!;
    return { pid: p.pid, start: p.start, cmd: p.cmd };
}

function record(name: string, r: RunRecord): void {
    writeFileSync(join(dir, `${r.cli.pid}-${r.cli.start}-${name}.json`), JSON.stringify(r));
}

describe("run records", () => {
    it("a process is named by its PID and start time: another start time is another process", async () => {
        const s = await sleeper();
        expect(s.start).toBeGreaterThan(0);
        expect(stillRuns(s)).toBe(true);
        expect(stillRuns({ pid: s.pid, start: s.start + 1 })).toBe(false);
    });

    it("only the engine's dynamic provider host records its run", () => {
        expect(isProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js")).toBe(true);
        expect(isProviderHost("/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider")).toBe(true);
        expect(isProviderHost("/p/node_modules/vitest/vitest.mjs")).toBe(false);
        expect(isProviderHost(undefined)).toBe(false);
    });

    it("the CLI of a process is its parent (here: this test's process for its sleep)", async () => {
        const s = await sleeper();
        expect(cliOf(s.pid)?.pid).toBe(process.pid);
    });

    it("ends exactly the recorded processes of the stack's dead runs that still run, by PID and start time, and says so", async () => {
        dir = mkdtempSync(join(tmpdir(), "runs-unit-"));
        const [a, b, other, live] = [await sleeper(), await sleeper(), await sleeper(), await sleeper()];
        const dead: Proc = { pid: 2 ** 22 + 7, start: 1, cmd: "pulumi up" }; // no such process
        const reused: Proc = { pid: b.pid, start: b.start - 1, cmd: "node dynamic-provider" }; // b's PID, another start time
        record("1", { project: "p", stack: "s", cli: dead, processes: [a, reused], written: 0 });
        record("2", { project: "p", stack: "s2", cli: dead, processes: [other], written: 0 }); // another stack
        const self = proc(process.pid)!;
        record("3", { project: "p", stack: "s", cli: { pid: self.pid, start: self.start, cmd: "x" }, processes: [live], written: 0 }); // a live run
        expect(orphans({ project: "p", stack: "s" }, dir).map((o) => o.processes.map((p) => p.pid))).toEqual([[a.pid]]);
        const lines: string[] = [];
        const ended = await endOrphans({ project: "p", stack: "s" }, (l) => lines.push(l), dir, 1000);
        expect(ended.map((p) => p.pid)).toEqual([a.pid]);
        expect(lines).toEqual([`ended process ${a.pid} (sleep 600) of the dead run of pulumi ${dead.pid}`]);
        expect(stillRuns(a)).toBe(false);
        for (const p of [b, other, live]) expect(stillRuns(p)).toBe(true);
        // The dead run's record goes with its processes; the others stay.
        expect(readdirSync(dir).sort()).toEqual([`${dead.pid}-1-2.json`, `${self.pid}-${self.start}-3.json`].sort());
        pruneRuns(dir); // 2 still has a process; 3 a live CLI
        expect(readdirSync(dir)).toHaveLength(2);
    });
});
