// Never touch what is not ours (issue 21, items 1, 3 and 7), against the real kernel:
//   - a namespace word is never read as a process ID by iproute2 (`netns 0x1` is PID 1's namespace);
//   - every provider method refuses a namespace file bound to the host's namespace, not only check;
//   - Namespace delete tells "gone" from "failed", and refuses while processes run inside.
// The host is never the target: a sandbox process (`unshare -n sleep 600`, started here and killed
// by its PID on every path; never PID 1) stands for it. Its namespace is what a hex PID would reach,
// and the one the host guard is told to treat as the host's (hostns.ts hostNamespacePaths).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readlinkSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { HostNamespaceError, hostNamespacePaths, isHostNamespace } from "../../provider/host/hostns";
import { removeLeftover } from "../../provider/leftovers";
import { formatMark } from "../../provider/ownership/owner";
import { NetnsError } from "../../provider/host/run";
import { recover, type Cli } from "../../lab/recover";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { create, link, linkNames, makeNamespace, netnsList, procSys, removeNamespace, sh } from "./helpers";

const prefix = filePrefix("nw");
fileLifecycle(prefix); // leak check before clean-up (test/support/lifecycle.ts)

const OWNER = { project: "nwproj", stack: "nwstack" };

/** Every process this file started, killed by PID in afterAll if a test did not already. */
const started = new Set<ChildProcess>();
afterAll(async () => {
    for (const p of started) await stop(p);
});

async function stop(p: ChildProcess): Promise<void> {
    if (p.exitCode === null && p.signalCode === null) {
        const exited = new Promise((r) => p.once("exit", r));
        p.kill("SIGKILL"); // by its PID (child_process keeps it), never by name
        await exited;
    }
    started.delete(p);
}

const nsOf = (path: string) => readlinkSync(path);
/** The namespace of PID 1, or undefined when this container may not read it (then it cannot be the sandbox's either way). */
const pid1Ns = () => { try { return nsOf("/proc/1/ns/net"); } catch { return undefined; } };

/** Starts `argv` (which must exec `sleep`) and waits until it is sleep. */
async function sleeper(argv: string[]): Promise<ChildProcess & { pid: number }> {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
    started.add(p);
    if (p.pid === undefined) throw new Error(`${argv.join(" ")} did not start`);
    for (let i = 0; i < 100; i++) {
        let comm = "";
        try { comm = readFileSync(`/proc/${p.pid}/comm`, "utf8").trim(); } catch { /* not there yet */ }
        if (comm === "sleep") return p as ChildProcess & { pid: number };
        await new Promise((r) => setTimeout(r, 50));
    }
    await stop(p);
    throw new Error(`${argv.join(" ")} never became sleep`);
}

/** A process in a network namespace of its own: the stand-in for the host. Never PID 1, never the host's namespace. */
async function sandbox(): Promise<ChildProcess & { pid: number }> {
    const p = await sleeper(["unshare", "-n", "sleep", "600"]);
    const mine = nsOf(`/proc/${p.pid}/ns/net`);
    if (p.pid === 1 || mine === nsOf("/proc/self/ns/net") || mine === pid1Ns()) {
        await stop(p);
        throw new Error(`sandbox ${p.pid} is not in a namespace of its own (${mine}): refusing to go on`);
    }
    return p;
}

/** Runs a command inside the sandbox's network namespace. */
const inBox = (pid: number, argv: string[]) => sh(["nsenter", "-t", String(pid), "-n", ...argv]);
const boxLinks = async (pid: number) => (JSON.parse(await inBox(pid, ["ip", "-j", "link", "show"])) as { ifname: string }[]).map((l) => l.ifname).sort();

/**
 * Watches the sandbox's links (`ip -o monitor link` inside it) while `fn` runs: what appeared there
 * even for a moment (a create that fails later removes its pair again). A probe link shows the
 * monitor is live before `fn` starts.
 */
async function watchBox(pid: number, fn: () => Promise<void>): Promise<string> {
    const m = spawn("nsenter", ["-t", String(pid), "-n", "ip", "-o", "monitor", "link"], { stdio: ["ignore", "pipe", "ignore"] });
    started.add(m);
    let seen = "";
    m.stdout!.on("data", (d: Buffer) => { seen += d.toString(); });
    try {
        for (let i = 0; i < 100 && !seen.includes("nwprobe"); i++) {
            await inBox(pid, ["ip", "link", "add", "nwprobe", "type", "veth", "peer", "name", "nwprobe1"]);
            await inBox(pid, ["ip", "link", "del", "nwprobe"]);
            await new Promise((r) => setTimeout(r, 50));
        }
        if (!seen.includes("nwprobe")) throw new Error("ip monitor in the sandbox saw nothing");
        seen = "";
        await fn();
        await new Promise((r) => setTimeout(r, 200));
        return seen;
    } finally {
        await stop(m);
    }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e, "the call was expected to fail").toBeInstanceOf(Error);
    return e as Error;
}

describe("a namespace word is never read as a process ID (item 1)", () => {
    it("check refuses a sandbox's PID in hex as peerNamespace; create called without check puts nothing into the sandbox's namespace", async () => {
        const box = await sandbox();
        const A = `${prefix}pa`;
        try {
            await makeNamespace(A);
            const hex = `0x${box.pid.toString(16)}`;
            const raw = { resourceName: "pid", name: "nwp0", namespace: A, peerName: "nwp1", peerNamespace: hex };
            const checked = await providers.VethPair.check({}, raw);
            expect(checked.failures).toEqual([{ property: "peerNamespace", reason: expect.stringMatching(new RegExp(`^"${hex}" reads as a number: 'ip link \\.\\.\\. netns N' takes a number`)) }]);
            expect(await boxLinks(box.pid)).toEqual(["lo"]);
            // Past check (a provider of an older state, a bug elsewhere): the argv itself never lets the word be a PID.
            for (const owner of [undefined, OWNER]) {
                const inputs = { ...raw, up: true, peerUp: true, adopt: false, ...(owner ? { __owner: owner } : {}) };
                let err: Error | undefined;
                const seen = await watchBox(box.pid, async () => { err = await rejection(providers.VethPair.create(inputs)); });
                expect(seen, "links that appeared in the sandbox's namespace").toBe("");
                expect(err).toBeInstanceOf(NetnsError);
                expect((err as unknown as NetnsError).stderr).toMatch(new RegExp(`argument "/run/netns/${hex}" is wrong: Invalid "netns" value`));
                expect((err as unknown as NetnsError).hint).toMatch(new RegExp(`the peer namespace ${hex} does not exist`));
                expect(await boxLinks(box.pid)).toEqual(["lo"]);
                expect(await linkNames(A)).toEqual(["lo"]);
            }
        } finally {
            await stop(box);
            await removeNamespace(A);
        }
    });
});

describe("the host guard runs in every method, not only in check (item 3)", () => {
    it("with /run/netns/G re-bound to a namespace treated as the host's, every method refuses before running anything, and nothing in that namespace changes", async () => {
        const box = await sandbox();
        const [G, H] = [`${prefix}g`, `${prefix}h`];
        const hostPath = `/proc/${box.pid}/ns/net`;
        let bound = false;
        hostNamespacePaths.push(hostPath); // the sandbox stands for the host
        try {
            await makeNamespace(G);
            await makeNamespace(H);
            const owned = { __owner: OWNER };
            const veth = await create("VethPair", { resourceName: "gv", name: "nwg0", namespace: G, peerName: "nwg1", peerNamespace: H, ...owned });
            const addr = await create("Address", { resourceName: "ga", namespace: G, dev: "nwg0", address: "192.0.2.1/24", ...owned });
            const sys = await create("Sysctl", { resourceName: "gs", namespace: G, key: "net.ipv4.ip_forward", value: "1", ...owned });
            const ns = await create("Namespace", { resourceName: "gn", name: G, adopt: true, ...owned });
            expect(sys.outs.previous).toBe("0");
            // "The host" holds objects of the same names, with values a delete would change:
            // a veth nwg0 marked by this stack, 192.0.2.1/24 on it, ip_forward 1 (delete would write 0).
            await inBox(box.pid, ["ip", "link", "add", "nwg0", "type", "veth", "peer", "name", "nwgx"]);
            await inBox(box.pid, ["ip", "link", "set", "dev", "nwg0", "alias", formatMark({ ...OWNER, kind: "VethPair", name: "gv" })]);
            await inBox(box.pid, ["ip", "address", "add", "192.0.2.1/24", "dev", "nwg0"]);
            await inBox(box.pid, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
            const hostBefore = await inBox(box.pid, ["ip", "-j", "-d", "address", "show"]);

            // Re-bound after create, as `ip netns attach G PID` would (stacked: the umount below undoes it).
            await sh(["mount", "--bind", hostPath, `/run/netns/${G}`]);
            bound = true;
            expect(await isHostNamespace(G)).toBe(true);
            expect(statSync(`/run/netns/${G}`).ino).toBe(statSync(hostPath).ino);

            const refused = async (what: string, p: Promise<unknown>, op: string, property: string) => {
                const e = await rejection(p);
                expect(e, what).toBeInstanceOf(HostNamespaceError);
                expect(e.message.split("\n")[0], what).toMatch(new RegExp(`^\\w+ "g[vasn]" ${op} refused: ${property} "${G}" is the host's own network namespace$`));
                expect(e.message).toContain(`/run/netns/${G} is the namespace of ${hostPath}`);
                expect((e as HostNamespaceError).hint).toMatch(/^nothing was run: pulumi-netns never acts on the host's network/);
            };
            await refused("Sysctl delete", providers.Sysctl.delete(sys.id, sys.outs), "delete", "namespace");
            await refused("Address delete", providers.Address.delete(addr.id, addr.outs), "delete", "namespace");
            await refused("VethPair delete", providers.VethPair.delete(veth.id, veth.outs), "delete", "namespace");
            await refused("Namespace delete", providers.Namespace.delete(ns.id, ns.outs), "delete", "name");
            await refused("Sysctl read", providers.Sysctl.read(sys.id, sys.outs), "read", "namespace");
            await refused("VethPair read", providers.VethPair.read(veth.id, veth.outs), "read", "namespace");
            await refused("Sysctl update", providers.Sysctl.update(sys.id, sys.outs, { ...sys.inputs, value: "0" }), "update", "namespace");
            await refused("Address create", providers.Address.create({ ...addr.inputs, address: "192.0.2.2/24" }), "create", "namespace");
            // The peer end's namespace is guarded as well.
            await refused("VethPair create", providers.VethPair.create({ ...veth.inputs, name: "nwg2", namespace: H, peerName: "nwg3", peerNamespace: G }), "create", "peerNamespace");
            // And check, as before.
            expect((await providers.Sysctl.check({}, { namespace: G, key: "net.ipv4.ip_forward", value: "0" })).failures).toEqual([
                { property: "namespace", reason: expect.stringMatching(/is the host's own network namespace/) }]);

            // The leftover remover and recovery refuse it too.
            const did = await removeLeftover({ object: { kind: "VethPair", namespace: G, name: "nwg0", alias: formatMark({ ...OWNER, kind: "VethPair", name: "gv" }), mark: { ...OWNER } }, reason: "test" });
            expect(did).toMatch(new RegExp(`^kept veth nwg0 in ${G}: /run/netns/${G} is the host's own network namespace`));
            const upEnv: Record<string, string>[] = [];
            const cli: Cli = async (args, env = {}) => {
                if (args[0] === "up") upEnv.push(env);
                return { exitCode: 0, stdout: args[0] === "stack" ? JSON.stringify({ deployment: { resources: [], pending_operations: [] } }) : "", stderr: "" };
            };
            const log: string[] = [];
            const r = await recover(cli, { backendUrl: "", project: OWNER.project, stack: OWNER.stack }, (l) => log.push(l), async () => [{ namespace: G, mark: { ...OWNER } }]);
            expect(r.adoptedNamespaces).toEqual([]);
            expect((JSON.parse(upEnv[0]?.PULUMI_NETNS_RECOVERY ?? "{}") as { namespaces?: string[] }).namespaces).toEqual([]);
            expect(log.join("\n")).toContain(`left out ${G}: /run/netns/${G} is the host's own network namespace`);

            // Nothing changed in "the host".
            expect(await boxLinks(box.pid)).toEqual(["lo", "nwg0", "nwgx"]);
            expect(await inBox(box.pid, ["ip", "-j", "-d", "address", "show"])).toBe(hostBefore);
            expect((await inBox(box.pid, ["sysctl", "-n", "net.ipv4.ip_forward"])).trim()).toBe("1");

            // Unbound again, the same resources are ours and delete as usual.
            await sh(["umount", `/run/netns/${G}`]);
            bound = false;
            expect(await procSys(G, "net.ipv4.ip_forward")).toBe("1");
            await providers.Sysctl.delete(sys.id, sys.outs);
            expect(await procSys(G, "net.ipv4.ip_forward")).toBe("0");
            await providers.Address.delete(addr.id, addr.outs);
            await providers.VethPair.delete(veth.id, veth.outs);
            expect(await link(H, "nwg1")).toBeUndefined();
            await providers.Namespace.delete(ns.id, ns.outs);
            expect(await netnsList()).not.toContain(G);
        } finally {
            if (bound) await sh(["umount", `/run/netns/${G}`]);
            hostNamespacePaths.splice(hostNamespacePaths.indexOf(hostPath), 1);
            await stop(box);
            await removeNamespace(G);
            await removeNamespace(H);
        }
    });
});

describe("Namespace delete tells gone from failed (item 7)", () => {
    it("a namespace with a process inside is not deleted: the error names the PID and what to do; once it ends, delete removes it", async () => {
        const name = `${prefix}busy`;
        const peer = await makeNamespace(`${prefix}busyp`);
        const { id, outs } = await create("Namespace", { resourceName: "busy", name });
        await sh(["ip", "-n", name, "link", "add", "nwb0", "type", "veth", "peer", "name", "nwb1", "netns", `/run/netns/${peer}`]);
        const p = await sleeper(["ip", "netns", "exec", name, "sleep", "600"]);
        try {
            expect(nsOf(`/proc/${p.pid}/ns/net`)).toBe(`net:[${statSync(`/run/netns/${name}`).ino}]`);
            const err = await rejection(providers.Namespace.delete(id, outs));
            expect(err).toBeInstanceOf(NetnsError);
            expect(err.message.split("\n")[0]).toBe(`Namespace "busy" delete failed`);
            expect(err.message).toContain(`command: ip netns pids ${name}`);
            expect((err as NetnsError).hint).toBe(`process ${p.pid} still runs in ${name}: deleting its name would leave the namespace alive, unnamed, with its interfaces; `
                + `stop it (kill ${p.pid}, or end what started it), then run the command again`);
            // Still there, still named, its veth still connected.
            expect(await netnsList()).toContain(name);
            expect(await link(name, "nwb0")).toBeDefined();
            expect(await link(peer, "nwb1")).toBeDefined();
            await stop(p);
            await providers.Namespace.delete(id, outs);
            expect(await netnsList()).not.toContain(name);
            // Went with the namespace: the kernel tears a namespace down in a work queue after its
            // last reference goes, so the peer end vanishes a moment after the delete returns.
            let gone = false;
            for (let i = 0; i < 50 && !gone; i++) {
                gone = (await link(peer, "nwb1")) === undefined;
                if (!gone) await new Promise((r) => setTimeout(r, 100));
            }
            expect(await link(peer, "nwb1")).toBeUndefined();
        } finally {
            await stop(p);
            await removeNamespace(name);
            await removeNamespace(peer);
        }
    });

    it("an unlink that fails (EBUSY: a second mount on the file) is a failure, not \"already gone\"", async () => {
        const name = `${prefix}stuck`;
        const other = await makeNamespace(`${prefix}stucko`);
        const { id, outs } = await create("Namespace", { resourceName: "stuck", name });
        await sh(["mount", "--bind", `/run/netns/${other}`, `/run/netns/${name}`]);
        let stacked = true;
        try {
            const err = await rejection(providers.Namespace.delete(id, outs));
            stacked = false; // `ip netns del` detached the top mount before its unlink failed
            expect(err).toBeInstanceOf(NetnsError);
            expect((err as NetnsError).stderr).toMatch(/Cannot remove namespace file .*Device or resource busy/);
            expect(err.message).toContain(`command: ip netns del ${name}`);
            expect((err as NetnsError).hint).toMatch(new RegExp(`^/run/netns/${name} is still there`));
            expect(await netnsList()).toContain(name);
            // Deleted for real, then gone: a second delete of what is gone succeeds.
            await providers.Namespace.delete(id, outs);
            expect(await netnsList()).not.toContain(name);
            await providers.Namespace.delete(id, outs);
        } finally {
            if (stacked) await sh(["umount", `/run/netns/${name}`]).catch(() => undefined);
            await removeNamespace(name);
            await removeNamespace(other);
        }
    });
});
