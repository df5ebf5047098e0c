// Inline sub-objects against the real kernel (provider/kinds/inline.ts): a VethPair that carries both
// ends' addresses and routes, a Bridge its addresses, a Namespace its sysctls; updates that add
// and remove entries in place; a read after an entry is removed by hand; and an address of a
// standalone Address on the same device left alone.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { exec } from "../../provider/host/run";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { commandLog, create, ipj, makeNamespace, procSys, sh, update } from "./helpers";

const prefix = filePrefix("inl");
const H = `${prefix}h`;
const R = `${prefix}r`;
fileLifecycle(prefix, { fixtures: [H, R] }); // H and R are made in beforeAll; anything else with the prefix is a leak

async function addrs(ns: string, dev: string): Promise<string[]> {
    return (await ipj<{ addr_info: { local: string; prefixlen: number; scope: string }[] }>(ns, ["address", "show", "dev", dev]))
        .flatMap((l) => l.addr_info).filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`);
}

async function routes(ns: string, fam: "-4" | "-6"): Promise<{ dst: string; gateway?: string; dev: string; protocol?: string; metric?: number }[]> {
    return ipj(ns, [fam, "route", "show", "table", "all", "proto", "77"]);
}

async function ping(ns: string, to: string): Promise<number> {
    return (await exec({ kind: "Test", name: "ping", op: "read" }, ["ip", "netns", "exec", ns, "ping", "-n", "-c", "1", "-W", "2", to])).exitCode;
}

beforeAll(async () => {
    await makeNamespace(H);
    await makeNamespace(R);
});

describe("VethPair with inline addresses and routes", () => {
    const base = { resourceName: "host", name: "h0", namespace: H, peerName: "r0", peerNamespace: R,
        addresses: ["192.0.2.1/29", "2001:db8:7::1/64"], peerAddresses: ["192.0.2.2/29"],
        routes: [{ to: "default", via: "192.0.2.2" }], peerRoutes: [{ to: "198.51.100.0/24" }] };
    let id = "";
    let outs: Record<string, unknown> = {};

    it("create makes the pair and every entry, the peer's in the process that brings it up: three processes in all", async () => {
        let made: Awaited<ReturnType<typeof create>> | undefined;
        const log = await commandLog(async () => (made = await create("VethPair", base)));
        ({ id, outs } = made!);
        expect(outs).toMatchObject({ addresses: base.addresses, peerAddresses: base.peerAddresses, routes: [{ to: "default", via: "192.0.2.2", table: "main" }], peerRoutes: [{ to: "198.51.100.0/24", table: "main" }] });
        expect(await addrs(H, "h0")).toEqual(expect.arrayContaining(["192.0.2.1/29", "2001:db8:7::1/64"]));
        expect(await addrs(R, "r0")).toEqual(["192.0.2.2/29"]);
        expect(await routes(H, "-4")).toEqual([expect.objectContaining({ dst: "default", gateway: "192.0.2.2", dev: "h0" })]);
        expect(await routes(R, "-4")).toEqual([expect.objectContaining({ dst: "198.51.100.0/24", dev: "r0" })]);
        expect(await ping(H, "192.0.2.2")).toBe(0);
        // link add, the peer's batch (up, its entries, read back), this end's batch; then the link-local reads.
        const making = log.filter((a) => !a.includes("show"));
        expect(making.map((a) => a.slice(a.indexOf("ip"), a.indexOf("ip") + 5).join(" "))).toEqual([
            `ip -n ${H} -echo -j`, `ip -n ${R} -j -d`, `ip -n ${H} -batch -`,
        ]);
    });

    it("read returns the entries as made (no drift)", async () => {
        expect(await providers.VethPair.read(id, outs)).toEqual({ id, props: outs });
    });

    it("update adds an address and a route in place: same ifindex, a standalone address on the device left alone", async () => {
        // A standalone Address (and one by hand) on the same device: not ours to manage.
        const extra = await create("Address", { resourceName: "extra", namespace: H, dev: "h0", address: "203.0.113.9/24" });
        const news = { ...base, addresses: [...base.addresses, "192.0.2.5/29"], routes: [...base.routes, { to: "203.0.113.128/25", via: "192.0.2.2" }] };
        const after = await update("VethPair", id, outs, news);
        expect(after.ifindex).toBe(outs.ifindex);
        expect(await addrs(H, "h0")).toEqual(expect.arrayContaining(["192.0.2.1/29", "192.0.2.5/29", "2001:db8:7::1/64", "203.0.113.9/24"]));
        expect((await routes(H, "-4")).map((r) => r.dst).sort()).toEqual(["203.0.113.128/25", "default"]);
        outs = after;

        // Removing them again removes only those two; the standalone address stays.
        const back = await update("VethPair", id, outs, base);
        expect(back.ifindex).toBe(outs.ifindex);
        expect((await addrs(H, "h0")).sort()).toEqual(["192.0.2.1/29", "2001:db8:7::1/64", "203.0.113.9/24"].sort());
        expect((await routes(H, "-4")).map((r) => r.dst)).toEqual(["default"]);
        expect(back).toMatchObject({ addresses: base.addresses, routes: [{ to: "default", via: "192.0.2.2", table: "main" }] });
        outs = back;
        expect(await providers.Address.read(extra.id, extra.outs)).toEqual({ id: extra.id, props: extra.outs });
        await providers.Address.delete(extra.id, extra.outs);
    });

    it("a changed route (another gateway) and a removed peer list are done in place", async () => {
        await sh(["ip", "-n", R, "address", "add", "192.0.2.6/29", "dev", "r0"]); // a second gateway, by hand
        const news = { ...base, routes: [{ to: "default", via: "192.0.2.6" }], peerRoutes: undefined };
        const after = await update("VethPair", id, outs, news);
        expect(await routes(H, "-4")).toEqual([expect.objectContaining({ dst: "default", gateway: "192.0.2.6" })]);
        expect(await routes(R, "-4")).toEqual([]);
        expect(after).not.toHaveProperty("peerRoutes");
        outs = after;
    });

    it("read after a hand removal leaves the removed entry out; update puts it back", async () => {
        await sh(["ip", "-n", H, "address", "del", "2001:db8:7::1/64", "dev", "h0"]);
        await sh(["ip", "-n", H, "route", "del", "default"]);
        const r = await providers.VethPair.read(id, outs);
        expect(r.props).toMatchObject({ addresses: ["192.0.2.1/29"], routes: [] });
        const refreshed = r.props!;
        const after = await update("VethPair", id, refreshed, { ...base, routes: [{ to: "default", via: "192.0.2.6" }], peerRoutes: undefined });
        expect(after).toMatchObject({ addresses: base.addresses, routes: [{ to: "default", via: "192.0.2.6", table: "main" }] });
        expect(await addrs(H, "h0")).toEqual(expect.arrayContaining(["2001:db8:7::1/64"]));
        expect(await routes(H, "-4")).toHaveLength(1);
        outs = after;
    });

    it("a bad inline route fails the create and leaves no pair behind", async () => {
        const bad = { resourceName: "bad", name: "h9", namespace: H, peerName: "r9", peerNamespace: R, addresses: ["198.51.100.1/24"], routes: [{ to: "default", via: "203.0.113.1", metric: 7 }] };
        const inputs = (await providers.VethPair.check({}, bad)).inputs;
        const err = await providers.VethPair.create(inputs).then(() => undefined, (e: Error) => e);
        expect(err?.message).toMatch(/^VethPair "bad" create failed \(ip exited 1\)\n {2}command: (?:sudo -n -- )?ip -n \S+ -batch -\n {2}input: {3}address replace 198\.51\.100\.1\/24 dev h9\n {11}route replace 0\.0\.0\.0\/0 via 203\.0\.113\.1 dev h9 metric 7 table main proto 77\n/);
        expect(err?.message).toMatch(/hint: {4}a route's gateway is on no connected segment/);
        expect(await ipj(H, ["link", "show", "dev", "h9"]).catch(() => [])).toEqual([]);
    });

    it("delete removes the pair with its entries", async () => {
        await providers.VethPair.delete(id, outs);
        expect(await routes(H, "-4")).toEqual([]);
    });
});

describe("Bridge addresses and Namespace sysctls", () => {
    it("a bridge carries its addresses; adding and removing one is in place", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "br", name: "br0", namespace: R, addresses: ["203.0.113.1/24"] });
        expect(await addrs(R, "br0")).toEqual(["203.0.113.1/24"]);
        const more = await update("Bridge", id, outs, { resourceName: "br", name: "br0", namespace: R, addresses: ["203.0.113.1/24", "2001:db8:8::1/64"] });
        expect(more.ifindex).toBe(outs.ifindex);
        expect(await addrs(R, "br0")).toEqual(["203.0.113.1/24", "2001:db8:8::1/64"]);
        const less = await update("Bridge", id, more, { resourceName: "br", name: "br0", namespace: R, addresses: ["2001:db8:8::1/64"] });
        expect(await addrs(R, "br0")).toEqual(["2001:db8:8::1/64"]);
        await providers.Bridge.delete(id, less);
    });

    it("a namespace carries its sysctls; a removed key gets its previous value back; read sees a hand change", async () => {
        const name = `${prefix}s`;
        const { id, outs } = await create("Namespace", { resourceName: "router", name, sysctls: { "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1" } });
        try {
            expect(outs.previousSysctls).toEqual({ "net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "0" });
            expect(await procSys(name, "net/ipv4/ip_forward")).toBe("1");
            await sh(["ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"]);
            const r = await providers.Namespace.read(id, outs);
            expect(r.props?.sysctls).toEqual({ "net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "1" });
            const after = await update("Namespace", id, r.props!, { resourceName: "router", name, sysctls: { "net.ipv4.ip_forward": "1" } });
            expect(await procSys(name, "net/ipv4/ip_forward")).toBe("1");
            expect(await procSys(name, "net/ipv6/conf/all/forwarding")).toBe("0");
            expect(after.previousSysctls).toEqual({ "net.ipv4.ip_forward": "0" });
            await providers.Namespace.delete(id, after);
        } finally {
            await exec({ kind: "Test", name: "cleanup", op: "delete" }, ["ip", "netns", "del", name]);
        }
    });
});
