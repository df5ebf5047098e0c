// LinkShaping against the real kernel: a veth pair between two namespaces of this stack, a tbf
// on one end added, read back, changed in place (the link's ifindex kept), drift seen, deleted;
// netem failing with its one line on this kernel; ownership (a foreign root qdisc, an unmarked
// link). The host is inspected with `tc -j` directly. The rate is checked once with iperf3 as a
// measured fact (a generous tolerance), never as a timing of the test itself.
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { NO_NETEM } from "../../provider/kinds/shaping";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { commandLog, create, createFails, link, sh, update } from "./helpers";

const prefix = filePrefix("tc");
fileLifecycle(prefix);
const A = `${prefix}a`, B = `${prefix}b`;
const mine = { project: "tctest", stack: "a" };
const theirs = { project: "tctest", stack: "b" };

interface Q { kind: string; handle: string; root?: boolean; parent?: string; options?: Record<string, unknown> }
const qdiscs = async (ns: string, dev: string): Promise<Q[]> => JSON.parse((await sh(["tc", "-n", ns, "-raw", "-j", "qdisc", "show", "dev", dev])).trim() || "[]") as Q[];
const rootOf = async (ns: string, dev: string) => (await qdiscs(ns, dev)).find((q) => q.root);

/**
 * What iperf3 measures from `from` to `toAddr` over `seconds`, in bits per second (the receiver's
 * count). The server runs for one test (`-1`) and is stopped by its PID on every path.
 */
async function measuredThroughput(from: string, serverNs: string, toAddr: string, seconds = 2): Promise<number> {
    const server = spawn("ip", ["netns", "exec", serverNs, "iperf3", "-s", "-1", "--forceflush", "-B", toAddr, "-p", "5399"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
        await new Promise<void>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error("iperf3 -s did not start listening within 10 s")), 10_000);
            server.stdout.on("data", (d: Buffer) => { if (/listening/i.test(d.toString())) { clearTimeout(t); resolve(); } });
            server.on("exit", (c) => { clearTimeout(t); reject(new Error(`iperf3 -s exited ${c}`)); });
        });
        const out = await sh(["ip", "netns", "exec", from, "iperf3", "-c", toAddr, "-p", "5399", "-t", String(seconds), "-J"]);
        return (JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
    } finally {
        if (server.exitCode === null && server.pid !== undefined) process.kill(server.pid, "SIGTERM");
    }
}

beforeAll(async () => {
    await create("Namespace", { resourceName: "a", name: A, __owner: mine });
    await create("Namespace", { resourceName: "b", name: B, __owner: mine });
    await create("VethPair", { resourceName: "cable", name: "va", namespace: A, peerName: "vb", peerNamespace: B, addresses: ["192.0.2.1/24"], peerAddresses: ["192.0.2.2/24"], __owner: mine });
});

describe("LinkShaping (tbf)", () => {
    it("adds a root tbf on one end, reads it back, changes it in place with the ifindex kept, sees drift, and deletes it", async () => {
        const before = await link(A, "va");
        const c = await create("LinkShaping", { resourceName: "shape", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        expect(c.id).toBe(`${A}/va/root`);
        let root = await rootOf(A, "va");
        expect(root).toMatchObject({ kind: "tbf", handle: "4d:", options: { rate: 1_000_000, lat: 50_000 } });
        expect(c.outs).toMatchObject({ rate: "8mbit", burst: "16kb", latency: "50ms", ifindex: before!.ifindex, qdisc: "tbf", rateBytes: 1_000_000 });
        // The other direction is not shaped: egress only.
        expect((await rootOf(B, "vb"))?.kind).not.toBe("tbf");
        expect(await providers.LinkShaping.read(c.id, c.outs)).toEqual({ id: c.id, props: c.outs });

        // In place: `tc qdisc change`, no link command, the same ifindex.
        let outs: Record<string, unknown> = {};
        const log = await commandLog(async () => {
            outs = await update("LinkShaping", c.id, c.outs, { ...c.inputs, rate: "16mbit", latency: undefined, limit: 100_000 });
        });
        expect(log.filter((a) => a[0] === "tc" && a.includes("change"))).toHaveLength(1);
        expect(log.some((a) => a[0] === "ip" && a.includes("link") && (a.includes("del") || a.includes("add")))).toBe(false);
        root = await rootOf(A, "va");
        expect(root).toMatchObject({ kind: "tbf", handle: "4d:", options: { rate: 2_000_000, limit: 100_000 } });
        expect((await link(A, "va"))!.ifindex).toBe(before!.ifindex);
        expect(outs).toMatchObject({ rate: "16mbit", limit: 100_000, ifindex: before!.ifindex });

        // Drift: changed by hand; refresh reports the live values under the input names.
        await sh(["tc", "-n", A, "qdisc", "change", "dev", "va", "root", "handle", "4d:", "tbf", "rate", "4mbit", "burst", "16384", "limit", "100000"]);
        const drifted = await providers.LinkShaping.read(c.id, outs);
        expect(drifted?.props).toMatchObject({ rate: "4000000bit", limit: 100_000, rateBytes: 500_000 });
        const d = await providers.LinkShaping.diff(c.id, drifted!.props!, outs);
        expect(d).toMatchObject({ changes: true, replaces: [] });

        // Removed by hand: gone, so refresh drops it.
        await sh(["tc", "-n", A, "qdisc", "del", "dev", "va", "root"]);
        expect(await providers.LinkShaping.read(c.id, outs)).toEqual({});
        await sh(["tc", "-n", A, "qdisc", "add", "dev", "va", "root", "handle", "4d:", "tbf", "rate", "16mbit", "burst", "16384", "limit", "100000"]);

        await providers.LinkShaping.delete(c.id, outs);
        expect((await rootOf(A, "va"))?.handle).toBe("0:");
        await providers.LinkShaping.delete(c.id, outs); // already gone: success
        expect((await link(A, "va"))!.ifindex).toBe(before!.ifindex);
    });

    it("limits what leaves the end to its rate (iperf3: within a generous tolerance)", async () => {
        const c = await create("LinkShaping", { resourceName: "rate", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "100ms", __owner: mine });
        try {
            const bps = await measuredThroughput(A, B, "192.0.2.2");
            // A check of the fact, not of timing: TCP through tbf gets most of the rate, never much more.
            expect(bps).toBeGreaterThan(8e6 * 0.5);
            expect(bps).toBeLessThan(8e6 * 1.2);
        } finally {
            await providers.LinkShaping.delete(c.id, c.outs);
        }
    }, 30_000);

    it("refuses a root qdisc it did not make, and replaces it only with adopt: true", async () => {
        await sh(["tc", "-n", A, "qdisc", "add", "dev", "va", "root", "handle", "1:", "htb"]);
        const err = await createFails("LinkShaping", { resourceName: "foreign", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        expect(err.hint).toMatch(/already has a root qdisc of its own \(htb, handle 1:\).*adopt: true/);
        expect((await rootOf(A, "va"))?.kind).toBe("htb"); // left alone
        const c = await create("LinkShaping", { resourceName: "foreign", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", adopt: true, __owner: mine });
        expect((await rootOf(A, "va"))).toMatchObject({ kind: "tbf", handle: "4d:" });
        await providers.LinkShaping.delete(c.id, c.outs);
        expect((await rootOf(A, "va"))?.handle).toBe("0:");
    });

    it("leaves a root qdisc someone replaced in place on delete", async () => {
        const c = await create("LinkShaping", { resourceName: "gone", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        await sh(["tc", "-n", A, "qdisc", "replace", "dev", "va", "root", "handle", "1:", "htb"]);
        await providers.LinkShaping.delete(c.id, c.outs);
        expect((await rootOf(A, "va"))?.kind).toBe("htb");
        await sh(["tc", "-n", A, "qdisc", "del", "dev", "va", "root"]);
    });

    it("refuses another stack's link, and an unmarked link in an unmarked namespace without adopt", async () => {
        const err = await createFails("LinkShaping", { resourceName: "theirs", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: theirs });
        expect(err.hint).toMatch(/belongs to stack tctest\/a/);
        const C = `${prefix}c`;
        await sh(["ip", "netns", "add", C]);
        await sh(["ip", "-n", C, "link", "add", "h0", "type", "veth", "peer", "name", "h1"]);
        const e2 = await createFails("LinkShaping", { resourceName: "hand", namespace: C, dev: "h0", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        expect(e2.hint).toMatch(/carries an ownership mark.*adopt: true/);
        const c = await create("LinkShaping", { resourceName: "hand", namespace: C, dev: "h0", rate: "8mbit", burst: "16kb", latency: "50ms", adopt: true, __owner: mine });
        expect((await rootOf(C, "h0"))?.kind).toBe("tbf");
        try {
            await providers.LinkShaping.delete(c.id, c.outs);
        } finally {
            await sh(["ip", "netns", "del", C]);
        }
    });

    it("fails with one clear line where the kernel has no netem, and leaves nothing", async () => {
        const err = await createFails("LinkShaping", { resourceName: "netem", namespace: A, dev: "va", delay: "20ms", jitter: "5ms", loss: 1, __owner: mine });
        expect(err.stderr).toMatch(/Error: Specified qdisc kind is unknown\./);
        expect(err.hint.startsWith(NO_NETEM)).toBe(true);
        expect(err.message).toMatch(/command: tc -n \S+ qdisc add dev va root handle 4d: netem delay 20000us 5000us loss 1%/);
        expect((await rootOf(A, "va"))?.handle).toBe("0:");
        // With a rate too: the netem root fails first, and nothing is left.
        // An update that adds netem to a tbf: the new root cannot be added, the tbf is put back.
        const c = await create("LinkShaping", { resourceName: "back", namespace: A, dev: "va", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        const news = await providers.LinkShaping.check({}, { ...c.inputs, delay: "20ms" });
        const up = await providers.LinkShaping.update(c.id, c.outs, news.inputs).then(() => undefined, (e: unknown) => e as Error);
        expect(up?.message).toMatch(/hint: +this kernel has no netem qdisc/);
        expect(await rootOf(A, "va")).toMatchObject({ kind: "tbf", handle: "4d:", options: { rate: 1_000_000, lat: 50_000 } });
        await providers.LinkShaping.delete(c.id, c.outs);
        const e2 = await createFails("LinkShaping", { resourceName: "both", namespace: A, dev: "va", delay: "20ms", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        expect(e2.hint.startsWith(NO_NETEM)).toBe(true);
        expect((await rootOf(A, "va"))?.handle).toBe("0:");
    });

    it("the device gone with its namespace: read is gone, delete succeeds", async () => {
        const c = await create("LinkShaping", { resourceName: "ns", namespace: B, dev: "vb", rate: "8mbit", burst: "16kb", latency: "50ms", __owner: mine });
        await providers.VethPair.delete(`${A}/va`, { name: "va", namespace: A, peerName: "vb", peerNamespace: B, __owner: mine });
        expect(await providers.LinkShaping.read(c.id, c.outs)).toEqual({});
        await providers.LinkShaping.delete(c.id, c.outs);
        await sh(["ip", "netns", "del", A]);
        await sh(["ip", "netns", "del", B]);
    });
});
