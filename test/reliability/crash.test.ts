// Crashes: `pulumi up` of a 37-resource topology is killed with SIGKILL (the CLI and every process
// it started: language host, program, provider; found through /proc as descendants of the PID we
// spawned, and nothing else) at several points of the creation, chosen by the number of creating
// commands the provider has logged. What is left, each time:
//   - the file backend's lock of the dead run: the next `up` fails with "currently locked";
//   - the creates that were running, as pending operations in `pulumi stack export`, and their
//     objects on the host (whole or half-made) without an ID in the state;
//   - when the kill hits a checkpoint write: an empty `<stack>.json.attrs`, and every command
//     fails with "failed to load checkpoint: EOF" until it is removed.
// The recovery (lab/recover.ts, documented in docs/operations.md "Recovering from an interrupted run"): the
// unreadable attributes removed, `pulumi cancel` (after checking that the lock's process is gone), `pulumi refresh
// --clear-pending-creates`, `up` with the recovery's grant (PULUMI_NETNS_RECOVERY) listing the
// pending creates (the provider takes those objects over as with adopt: true), `preview
// --expect-no-changes`. Then
// the topology works, and destroy leaves nothing. At the end, `destroy` is killed the same way,
// with and without PULUMI_SKIP_CHECKPOINTS: unlocking and a second destroy leave nothing.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { locks, recover, repairCheckpoint } from "../../lab/recover";
import { env } from "../e2e/harness";
import { sh } from "../e2e/resource-support";
import { filePrefix } from "../support/prefix";
import {
    expectChecksPass, expectNoLeaks, exportState, fileLifecycle, fixtureStack, killTree, namespacesWith,
    newCommandLog, printed, star, starChecks, startCli, whenCommands,
} from "./support";

const prefix = filePrefix("crash");
const HOSTS = 7; // 37 resources
/** Kill points: mutating create commands seen in the log (52 in all): namespaces, cables, addresses, routes. */
const KILLS = [1, 8, 14, 22, 30, 46];
const { stacks, sysctlsBefore } = fileLifecycle(prefix, () => `[reliability] crashes: ${seen.kills} kills of up and ${seen.destroyKills} of destroy survived; ${seen.pending} pending operations left in all, ${seen.unrecorded} namespaces on the host that the state did not record, ${seen.adopted} objects taken over by the recovery, ${seen.repaired} unreadable checkpoint attribute files removed`);
const seen = { kills: 0, pending: 0, unrecorded: 0, adopted: 0, repaired: 0, destroyKills: 0 };


/** Whether the process exists and is not a zombie (a killed orphan waits for init to reap it). */
function isAlive(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

describe(`pulumi up killed with SIGKILL while a topology of ${2 + 5 * HOSTS} resources is being created`, () => {
    it.each(KILLS)("killed after %i creating commands: locked, pending creates; the recovery converges, the topology works, destroy leaves nothing", async (n) => {
        const p = `${prefix}k${n}-`;
        const stack = await fixtureStack(`${prefix}k${n}`, star(p, HOSTS));
        stacks.push(stack);

        // Start the update and kill it, with everything it started, once n creating commands ran.
        const log = newCommandLog(`kill${n}`);
        const cli = startCli(stack, ["up", "--yes", "--skip-preview"], { PULUMI_NETNS_COMMAND_LOG: log });
        await whenCommands(cli, log, "create", n);
        const killed = killTree(cli.pid);
        const exit = await cli.exited;
        expect(exit.signal).toBe("SIGKILL");
        expect(killed.length, "the CLI and the plugins it started").toBeGreaterThan(1);
        for (let i = 0; i < 50 && killed.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100)); // orphans are reaped by init
        expect(killed.filter(isAlive), "every process of the killed run is gone").toEqual([]);
        seen.kills++;

        // What the dead run left: a lock, and maybe pending creates whose objects exist unrecorded.
        const where = { backendUrl: env().PULUMI_BACKEND_URL!, project: "netns-fixture", stack: stack.name };
        const held = locks(where.backendUrl, where.project, where.stack);
        expect(held.map((l) => [l.pid, l.alive])).toEqual([[cli.pid, false]]);
        let blocked = await stack.run(["up", "--yes", "--skip-preview"]);
        expect(blocked.exitCode).not.toBe(0);
        if (/failed to load checkpoint: EOF/.test(printed(blocked))) {
            // The kill hit the checkpoint write: its .attrs file is empty (recovery step 0).
            const repaired = repairCheckpoint(where.backendUrl, where.project, where.stack);
            expect(repaired.length, printed(blocked)).toBeGreaterThan(0);
            seen.repaired += repaired.length;
            blocked = await stack.run(["up", "--yes", "--skip-preview"]);
            expect(blocked.exitCode).not.toBe(0);
        }
        expect(printed(blocked)).toMatch(/the stack is currently locked by 1 lock\(s\)/);

        const state = await exportState(stack);
        expect(state.pending.every((op) => op.type === "creating")).toBe(true);
        const recorded = new Set(state.resources.map((r) => r.id));
        const unrecorded = (await namespacesWith(p)).filter((ns) => !recorded.has(ns));
        seen.pending += state.pending.length;
        seen.unrecorded += unrecorded.length;

        // The recovery, step by step; it ends with a no-change preview.
        const steps: string[] = [];
        const rec = await recover((args, extraEnv) => stack.run(args, extraEnv), where, (line) => steps.push(line));
        expect(rec.locksRemoved.map((l) => l.pid)).toEqual([cli.pid]);
        expect(rec.pendingOperations).toBe(state.pending.length);
        expect(rec.adopted.map((a) => a.urn).sort()).toEqual(state.pending.map((op) => op.urn).sort());
        seen.adopted += rec.adopted.length;
        seen.repaired += rec.repaired.length;
        expect(locks(where.backendUrl, where.project, where.stack)).toEqual([]);
        expect((await exportState(stack)).pending).toEqual([]);

        // Converged: everything in the state, the network works, nothing more to do.
        expect((await exportState(stack)).resources).toHaveLength(2 + 5 * HOSTS);
        await expectChecksPass(`the topology after the recovery from a kill after ${n} creates`, starChecks(p, HOSTS));
        await stack.expectNoChanges();

        await stack.destroy();
        expect(await namespacesWith(p)).toEqual([]);
        await expectNoLeaks(p, sysctlsBefore());
        console.log(`[reliability] kill after ${n} creates: ${killed.length} processes killed; ${state.resources.length} resources recorded, ${state.pending.length} pending creates, ${unrecorded.length} namespaces unrecorded; recovery: ${steps.join("; ")}`);
    }, 900_000);

    it("the empty file that a killed `ip netns add` leaves is no namespace: refresh drops it, create replaces it", async () => {
        // `ip netns add` creates /run/netns/NAME, then mounts the new namespace on it; SIGKILLed in
        // between, it leaves an empty file (seen when the kill lands on the first create).
        const p = `${prefix}left-`;
        const stack = await fixtureStack(`${prefix}left`, [{ kind: "Namespace", name: "n", args: { name: `${p}n` } }]);
        stacks.push(stack);
        await stack.up();
        await sh("ip", "netns", "del", `${p}n`);
        writeFileSync(`/run/netns/${p}n`, ""); // what the interrupted `ip netns add` leaves
        expect(await namespacesWith(p)).toEqual([`${p}n`]); // `ip netns list` shows it
        const r = await stack.refresh();
        expect(r.stdout).toMatch(/netns:Namespace n deleted/);
        await stack.up();
        expect(await sh("ip", "-n", `${p}n`, "-j", "link", "show", "dev", "lo")).toMatch(/"UP"/);
        await stack.expectNoChanges();
        await stack.destroy();
        expect(await namespacesWith(p)).toEqual([]);
    }, 600_000);

    it("the kills left pending creates behind, and the recovery took their objects over", () => {
        expect(seen.kills).toBe(KILLS.length);
        expect(seen.pending).toBeGreaterThan(0);
        expect(seen.adopted).toBe(seen.pending);
    });
});

// `destroy` killed the same way. A namespace's contents are deleted with it (deletedWith: the
// engine skips their deletes, docs/reference.md "Replaced and deleted together"), so destroying the star
// runs one `ip netns del` per namespace, 8 in all, side by side: killed after the first and after
// half of them. Every delete of the provider treats "already gone" as success,
// so the recovery is only the unlocking (steps 0 and 1 above) and a second `destroy`; docs/operations.md
// "Large labs" says the same holds with PULUMI_SKIP_CHECKPOINTS, where the state still lists
// everything the killed run deleted.
describe(`pulumi destroy killed with SIGKILL while the same topology is being removed`, () => {
    it.each([
        { n: 1, skip: false }, { n: 4, skip: false },
        { n: 1, skip: true }, { n: 4, skip: true },
    ])("killed after $n deleting commands (PULUMI_SKIP_CHECKPOINTS: $skip): unlocked, a second destroy removes the rest and leaves nothing", async ({ n, skip }) => {
        const tag = `d${n}${skip ? "s" : ""}`;
        const p = `${prefix}${tag}-`;
        const stack = await fixtureStack(`${prefix}${tag}`, star(p, HOSTS));
        stacks.push(stack);
        await stack.up();
        const settings: Record<string, string> = skip ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};

        const log = newCommandLog(`kill-${tag}`);
        const cli = startCli(stack, ["destroy", "--yes", "--skip-preview"], { PULUMI_NETNS_COMMAND_LOG: log, ...settings });
        await whenCommands(cli, log, "delete", n);
        const killed = killTree(cli.pid);
        expect((await cli.exited).signal).toBe("SIGKILL");
        for (let i = 0; i < 50 && killed.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
        expect(killed.filter(isAlive)).toEqual([]);
        seen.destroyKills++;
        expect((await namespacesWith(p)).length, "the kill stopped the destroy halfway").toBeGreaterThan(0);

        // Unlock as the recovery does, then destroy again with the same settings.
        const where = { backendUrl: env().PULUMI_BACKEND_URL!, project: "netns-fixture", stack: stack.name };
        seen.repaired += repairCheckpoint(where.backendUrl, where.project, where.stack).length;
        expect(locks(where.backendUrl, where.project, where.stack).map((l) => [l.pid, l.alive])).toEqual([[cli.pid, false]]);
        await stack.must(["cancel", "--yes"]);
        const left = (await exportState(stack)).resources.length;
        const again = await stack.run(["destroy", "--yes", "--skip-preview"], settings);
        expect(again.exitCode, printed(again)).toBe(0);
        expect(await namespacesWith(p)).toEqual([]);
        expect((await exportState(stack)).resources).toEqual([]);
        await expectNoLeaks(p, sysctlsBefore());
        console.log(`[reliability] destroy killed after ${n} deletes${skip ? " (PULUMI_SKIP_CHECKPOINTS)" : ""}: ${killed.length} processes killed; ${left} resources still in the state; the second destroy finished`);
    }, 600_000);
});
