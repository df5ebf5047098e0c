// Recovery as a command of the package, from a user's own project that installs the packed
// package (issue 27 items 3 and 4): `pulumi up` of a 17-resource star is killed with SIGKILL,
// the CLI alone, as a user's `kill -9` or the OOM killer does. The processes it started (the
// language host and program, the `pulumi-resource-pulumi-nodejs` launcher and its
// `node .../cmd/dynamic-provider`) live on as orphans. `npx pulumi-netns recover --stack NAME`
// then unlocks the stack, ends exactly those processes (each one checked here by its PID and
// start time, noted before the kill) and says so, takes over what the dead run made, and
// converges; destroy leaves nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { proc, stillRuns, type Proc } from "../../provider/ownership/runs";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { descendants, newCommandLog, removeCommandLogs, startCli, whenCommands } from "../reliability/support";
import { env, TestStack } from "./harness";
import { userProject } from "./packed";

const prefix = filePrefix("rcmd");
const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-recover-cmd-"));
const orphans: Proc[] = [];
const { stacks } = fileLifecycle(prefix, {
    cleanups: [
        // Whatever happened, no process of the killed run outlives the file (by PID and start time).
        () => { for (const p of orphans) if (stillRuns(p)) process.kill(p.pid, "SIGKILL"); },
        removeCommandLogs,
        () => rmSync(dir, { recursive: true, force: true }),
    ],
});

const HOSTS = 4;
const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const { Namespace, VethPair, Address } = require("pulumi-netns");
const prefix = new pulumi.Config().require("prefix");
const r = new Namespace("r", { name: prefix + "r" });
for (let i = 0; i < ${HOSTS}; i++) {
    const h = new Namespace("h" + i, { name: prefix + "h" + i });
    const v = new VethPair("h" + i + "-v", { name: "eth0", namespace: h.name, peerName: "r-eth" + i, peerNamespace: r.name });
    new Address("h" + i + "-ip", { namespace: h.name, dev: v.name, address: "198.51.100." + (8 * i + 1) + "/29" });
    new Address("h" + i + "-gw", { namespace: r.name, dev: v.peerName, address: "198.51.100." + (8 * i + 6) + "/29" });
}
`;

describe("npx pulumi-netns recover, in a user's project, after a SIGKILL of pulumi up", () => {
    it("ends the dead run's orphaned processes (checked by PID), converges, and destroy leaves nothing", async () => {
        const project = await userProject(dir, "netns-recover-user", { "index.js": PROGRAM });
        const p = `${prefix}u-`;
        const stack = await TestStack.create(`${prefix}u`, project, { prefix: p });
        stacks.push(stack);

        const log = newCommandLog("rcmd");
        const cli = startCli(stack, ["up", "--yes", "--skip-preview"], { PULUMI_NETNS_COMMAND_LOG: log });
        await whenCommands(cli, log, "create", 6);
        // The run's processes, each named by PID and start time, then SIGKILL of the CLI alone.
        const run = descendants(cli.pid).map(proc).filter((x): x is NonNullable<typeof x> => x !== undefined).map(({ pid, start, cmd }) => ({ pid, start, cmd }));
        process.kill(cli.pid, "SIGKILL");
        orphans.push(...run);
        for (let i = 0; i < 50 && proc(cli.pid); i++) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 2000));
        const left = run.filter(stillRuns);
        expect(run.map((x) => x.cmd).join("\n"), "the run's processes").toMatch(/cmd\/dynamic-provider/);
        expect(left.map((x) => x.cmd).join("\n"), "orphans of the killed CLI").toMatch(/cmd\/dynamic-provider/);

        // The package's command, as the user runs it from the project.
        const r = await execa(join(project, "node_modules/.bin/pulumi-netns"), ["recover", "--stack", stack.name], { cwd: project, env: env(), reject: false, timeout: 600_000 });
        const said = `${String(r.stdout)}\n${String(r.stderr)}`;
        expect(r.exitCode, said).toBe(0);
        for (const x of left) expect(said).toContain(`ended process ${x.pid} (`);
        expect(said).toMatch(/removed 1 stale lock/);
        expect(said).toMatch(/preview --expect-no-changes: the stack has converged/);
        expect(run.filter(stillRuns).map((x) => `${x.pid} ${x.cmd}`), "no process of the killed run is left").toEqual([]);
        console.log(`[e2e] recover: ${run.length} processes in the killed run, ${left.length} orphans ended:\n  ${left.map((x) => `${x.pid} ${x.cmd}`).join("\n  ")}`);

        await stack.expectNoChanges();
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 900_000);
});
