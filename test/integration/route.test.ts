// Route against the real kernel: providers.Route, as the engine calls it. Routes are inspected
// with `ip -j route show`, and the commands an update runs are read from the command log.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { commandLog, create, createFails, expectErrorShape, ipj, makeNamespace, removeNamespace, sh, update } from "./helpers";

const prefix = filePrefix("route");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] }); // A and B are made in beforeAll; anything else with the prefix is a leak

interface RouteJson { dst: string; gateway?: string; dev?: string; metric?: number; prefsrc?: string; scope?: string; protocol?: string }

/** The routes to exactly `to` in a table of a namespace, as `ip -j route show` lists them. */
async function routes(ns: string, family: "-4" | "-6", to: string, table: string | number = "main"): Promise<RouteJson[]> {
    return ipj<RouteJson>(ns, [family, "route", "show", "table", String(table), "exact", to]);
}

/** A cable from A to B with v4 and v6 addresses on both ends (made by hand, not by the provider). */
async function wire(ns: string, peerNs: string, dev: string, peerDev: string): Promise<void> {
    await sh(["ip", "-n", ns, "link", "add", dev, "up", "type", "veth", "peer", "name", peerDev, "netns", peerNs]);
    await sh(["ip", "-n", peerNs, "link", "set", "dev", peerDev, "up"]);
    await sh(["ip", "-n", ns, "address", "add", "192.0.2.1/24", "dev", dev]);
    await sh(["ip", "-n", ns, "address", "add", "2001:db8:1::1/64", "dev", dev, "nodad"]);
    await sh(["ip", "-n", peerNs, "address", "add", "192.0.2.2/24", "dev", peerDev]);
    await sh(["ip", "-n", peerNs, "address", "add", "2001:db8:1::2/64", "dev", peerDev, "nodad"]);
}

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
    await wire(A, B, "e0", "e1");
});

describe("Route create", () => {
    it("adds an IPv4 route through a gateway", async () => {
        const { id, outs } = await create("Route", { resourceName: "v4", namespace: A, to: "198.51.100.0/24", via: "192.0.2.2" });
        expect(id).toBe(`${A}/main/198.51.100.0/24`);
        expect(outs).toMatchObject({ to: "198.51.100.0/24", via: "192.0.2.2", table: "main" });
        expect(await routes(A, "-4", "198.51.100.0/24")).toEqual([expect.objectContaining({ dst: "198.51.100.0/24", gateway: "192.0.2.2", dev: "e0" })]);
    });

    it("adds an IPv6 route through a gateway", async () => {
        await create("Route", { resourceName: "v6", namespace: A, to: "2001:db8:2::/64", via: "2001:db8:1::2" });
        expect(await routes(A, "-6", "2001:db8:2::/64")).toEqual([expect.objectContaining({ dst: "2001:db8:2::/64", gateway: "2001:db8:1::2", dev: "e0", metric: 1024 })]);
    });

    it("adds IPv4 and IPv6 default routes", async () => {
        const v4 = await create("Route", { resourceName: "d4", namespace: A, to: "default", via: "192.0.2.2" });
        const v6 = await create("Route", { resourceName: "d6", namespace: A, to: "default", via: "2001:db8:1::2" });
        expect(await routes(A, "-4", "0.0.0.0/0")).toEqual([expect.objectContaining({ dst: "default", gateway: "192.0.2.2", dev: "e0" })]);
        expect(await routes(A, "-6", "::/0")).toEqual([expect.objectContaining({ dst: "default", gateway: "2001:db8:1::2", dev: "e0" })]);
        expect(await providers.Route.read(v4.id, v4.outs)).toEqual({ id: v4.id, props: v4.outs });
        expect(await providers.Route.read(v6.id, v6.outs)).toEqual({ id: v6.id, props: v6.outs });
        await providers.Route.delete(v4.id, v4.outs);
        await providers.Route.delete(v6.id, v6.outs);
        expect(await routes(A, "-4", "0.0.0.0/0")).toEqual([]);
        expect(await routes(A, "-6", "::/0")).toEqual([]);
    });

    it("adds routes with a metric; two metrics to one destination are two routes", async () => {
        const m100 = await create("Route", { resourceName: "m100", namespace: A, to: "203.0.113.0/24", via: "192.0.2.2", metric: 100 });
        const m200 = await create("Route", { resourceName: "m200", namespace: A, to: "203.0.113.0/24", via: "192.0.2.3", metric: 200 });
        expect(m100.id).toBe(`${A}/main/203.0.113.0/24/100`);
        const live = await routes(A, "-4", "203.0.113.0/24");
        expect(live).toHaveLength(2);
        expect(live.find((r) => r.metric === 100)).toMatchObject({ gateway: "192.0.2.2" });
        expect(live.find((r) => r.metric === 200)).toMatchObject({ gateway: "192.0.2.3" });

        // Deleting one removes that one only.
        await providers.Route.delete(m100.id, m100.outs);
        expect(await routes(A, "-4", "203.0.113.0/24")).toEqual([expect.objectContaining({ metric: 200, gateway: "192.0.2.3" })]);
        expect(await providers.Route.read(m100.id, m100.outs)).toEqual({});
        expect(await providers.Route.read(m200.id, m200.outs)).toEqual({ id: m200.id, props: m200.outs });

        const six = await create("Route", { resourceName: "m6", namespace: A, to: "2001:db8:8::/64", via: "2001:db8:1::2", metric: 100 });
        expect(await routes(A, "-6", "2001:db8:8::/64")).toEqual([expect.objectContaining({ metric: 100, gateway: "2001:db8:1::2" })]);
        expect(await providers.Route.read(six.id, six.outs)).toEqual({ id: six.id, props: six.outs });
    });

    it("adds routes with a preferred source address, IPv4 and IPv6", async () => {
        await create("Route", { resourceName: "s4", namespace: A, to: "203.0.113.128/25", via: "192.0.2.2", src: "192.0.2.1" });
        await create("Route", { resourceName: "s6", namespace: A, to: "2001:db8:7::/64", via: "2001:db8:1::2", src: "2001:db8:1::1" });
        expect(await routes(A, "-4", "203.0.113.128/25")).toEqual([expect.objectContaining({ gateway: "192.0.2.2", prefsrc: "192.0.2.1" })]);
        expect(await routes(A, "-6", "2001:db8:7::/64")).toEqual([expect.objectContaining({ gateway: "2001:db8:1::2", prefsrc: "2001:db8:1::1" })]);
    });

    it("adds routes to another table, and not to main", async () => {
        const v4 = await create("Route", { resourceName: "t4", namespace: A, to: "198.51.100.64/26", via: "192.0.2.2", table: 100 });
        const v6 = await create("Route", { resourceName: "t6", namespace: A, to: "2001:db8:9::/64", via: "2001:db8:1::2", table: 100 });
        expect(v4.id).toBe(`${A}/100/198.51.100.64/26`);
        expect(await routes(A, "-4", "198.51.100.64/26", 100)).toEqual([expect.objectContaining({ gateway: "192.0.2.2" })]);
        expect(await routes(A, "-6", "2001:db8:9::/64", 100)).toEqual([expect.objectContaining({ gateway: "2001:db8:1::2" })]);
        expect(await routes(A, "-4", "198.51.100.64/26")).toEqual([]);
        expect(await routes(A, "-6", "2001:db8:9::/64")).toEqual([]);
        expect(await providers.Route.read(v4.id, v4.outs)).toEqual({ id: v4.id, props: v4.outs });
        expect(await providers.Route.read(v6.id, v6.outs)).toEqual({ id: v6.id, props: v6.outs });
    });

    it("adds a route through a device only", async () => {
        await create("Route", { resourceName: "dev", namespace: A, to: "198.51.100.192/26", dev: "e0" });
        const [r] = await routes(A, "-4", "198.51.100.192/26");
        expect(r).toMatchObject({ dev: "e0", scope: "link" });
        expect(r?.gateway).toBeUndefined();
    });

    it("fails with the documented error when the route exists, and leaves it as it was", async () => {
        await sh(["ip", "-n", A, "route", "add", "198.51.100.128/27", "via", "192.0.2.3"]);
        const err = await createFails("Route", { resourceName: "dup", namespace: A, to: "198.51.100.128/27", via: "192.0.2.2" });
        expectErrorShape(err, {
            kind: "Route", name: "dup", op: "create",
            command: new RegExp(`^ip -n ${A} -4 route add 198\\.51\\.100\\.128/27 via 192\\.0\\.2\\.2 table main proto 77$`),
            stderr: /File exists/,
            hint: /already exists.*adopt: true/,
        });
        expect(await routes(A, "-4", "198.51.100.128/27")).toEqual([expect.objectContaining({ gateway: "192.0.2.3" })]);
    });

    it("adopt: true takes over an existing route and sets its gateway, IPv4 and IPv6", async () => {
        await sh(["ip", "-n", A, "route", "add", "198.51.100.160/27", "via", "192.0.2.3"]);
        await sh(["ip", "-n", A, "-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:1::3"]);
        const v4 = await create("Route", { resourceName: "ad4", namespace: A, to: "198.51.100.160/27", via: "192.0.2.2", adopt: true });
        const v6 = await create("Route", { resourceName: "ad6", namespace: A, to: "2001:db8:a::/64", via: "2001:db8:1::2", adopt: true });
        expect(await routes(A, "-4", "198.51.100.160/27")).toEqual([expect.objectContaining({ gateway: "192.0.2.2" })]);
        expect(await routes(A, "-6", "2001:db8:a::/64")).toEqual([expect.objectContaining({ gateway: "2001:db8:1::2" })]);
        await providers.Route.delete(v4.id, v4.outs);
        await providers.Route.delete(v6.id, v6.outs);
        expect(await routes(A, "-4", "198.51.100.160/27")).toEqual([]);
        expect(await routes(A, "-6", "2001:db8:a::/64")).toEqual([]);
    });

    it("fails with the connected-segment hint when the IPv4 gateway is on no connected segment", async () => {
        const err = await createFails("Route", { resourceName: "far4", namespace: A, to: "198.51.100.224/27", via: "203.0.113.1" });
        expectErrorShape(err, {
            kind: "Route", name: "far4", op: "create",
            command: /route add 198\.51\.100\.224\/27 via 203\.0\.113\.1 table main proto 77$/,
            stderr: /Nexthop has invalid gateway/,
            hint: /gateway 203\.0\.113\.1 is on no connected segment of .*add an Address in its subnet/,
        });
        expect(await routes(A, "-4", "198.51.100.224/27")).toEqual([]);
    });

    it("fails with the connected-segment hint when the IPv6 gateway is on no connected segment", async () => {
        const err = await createFails("Route", { resourceName: "far6", namespace: A, to: "2001:db8:b::/64", via: "2001:db8:99::1" });
        expectErrorShape(err, {
            kind: "Route", name: "far6", op: "create",
            command: /-6 route add 2001:db8:b::\/64 via 2001:db8:99::1 table main proto 77$/,
            hint: /gateway 2001:db8:99::1 is on no connected segment of .*add an Address in its subnet/,
        });
        expect(await routes(A, "-6", "2001:db8:b::/64")).toEqual([]);
    });

    it("fails with a hint when src is not an address of the namespace", async () => {
        const err = await createFails("Route", { resourceName: "badsrc", namespace: A, to: "198.51.100.240/28", via: "192.0.2.2", src: "192.0.2.77" });
        expect(err.message).toMatch(/^Route "badsrc" create failed \(ip exited [1-9]\d*\)/);
        expect(err.hint).toMatch(/src 192\.0\.2\.77 is not an address of/);
        expect(await routes(A, "-4", "198.51.100.240/28")).toEqual([]);
    });
});

describe("Route read", () => {
    it("returns the live route and reports a gateway replaced by hand, IPv4 and IPv6", async () => {
        const v4 = await create("Route", { resourceName: "r4", namespace: A, to: "203.0.113.64/26", via: "192.0.2.2" });
        const v6 = await create("Route", { resourceName: "r6", namespace: A, to: "2001:db8:c::/64", via: "2001:db8:1::2" });
        expect(await providers.Route.read(v4.id, v4.outs)).toEqual({ id: v4.id, props: v4.outs });

        await sh(["ip", "-n", A, "route", "replace", "203.0.113.64/26", "via", "192.0.2.3"]);
        await sh(["ip", "-n", A, "-6", "route", "replace", "2001:db8:c::/64", "via", "2001:db8:1::3"]);
        expect(await providers.Route.read(v4.id, v4.outs)).toEqual({ id: v4.id, props: { ...v4.outs, via: "192.0.2.3" } });
        expect(await providers.Route.read(v6.id, v6.outs)).toEqual({ id: v6.id, props: { ...v6.outs, via: "2001:db8:1::3" } });
    });

    it("reports a gateway replaced by hand on a route with a metric", async () => {
        const { id, outs } = await create("Route", { resourceName: "rm", namespace: A, to: "203.0.113.32/27", via: "192.0.2.2", metric: 50 });
        await sh(["ip", "-n", A, "route", "replace", "203.0.113.32/27", "via", "192.0.2.3", "metric", "50"]);
        expect((await providers.Route.read(id, outs)).props).toMatchObject({ via: "192.0.2.3", metric: 50 });
    });

    it("returns {} once the route was removed by hand, or its namespace", async () => {
        const v4 = await create("Route", { resourceName: "g4", namespace: A, to: "203.0.113.16/28", via: "192.0.2.2" });
        const v6 = await create("Route", { resourceName: "g6", namespace: A, to: "2001:db8:d::/64", via: "2001:db8:1::2" });
        await sh(["ip", "-n", A, "route", "del", "203.0.113.16/28"]);
        await sh(["ip", "-n", A, "-6", "route", "del", "2001:db8:d::/64"]);
        expect(await providers.Route.read(v4.id, v4.outs)).toEqual({});
        expect(await providers.Route.read(v6.id, v6.outs)).toEqual({});

        const C = await makeNamespace(`${prefix}rc`);
        const D = await makeNamespace(`${prefix}rd`);
        await wire(C, D, "c0", "c1");
        const gone = await create("Route", { resourceName: "gn", namespace: C, to: "198.51.100.0/24", via: "192.0.2.2" });
        await removeNamespace(C);
        expect(await providers.Route.read(gone.id, gone.outs)).toEqual({});
        await removeNamespace(D);
    });
});

describe("Route update", () => {
    it("changes the gateway in place with `ip route replace`, IPv4 and IPv6", async () => {
        const base4 = { resourceName: "u4", namespace: A, to: "203.0.113.0/28", via: "192.0.2.2", metric: 10 };
        const base6 = { resourceName: "u6", namespace: A, to: "2001:db8:e::/64", via: "2001:db8:1::2" };
        const v4 = await create("Route", base4);
        const v6 = await create("Route", base6);

        let outs4: Record<string, unknown> = {}, outs6: Record<string, unknown> = {};
        const log = await commandLog(async () => {
            outs4 = await update("Route", v4.id, v4.outs, { ...base4, via: "192.0.2.3" });
            outs6 = await update("Route", v6.id, v6.outs, { ...base6, via: "2001:db8:1::3" });
        });
        const mutating = log.filter((a) => a.some((w) => ["add", "del", "delete", "replace", "change", "flush"].includes(w)));
        expect(mutating).toEqual([
            ["ip", "-n", A, "-4", "route", "replace", "203.0.113.0/28", "via", "192.0.2.3", "metric", "10", "table", "main", "proto", "77"],
            ["ip", "-n", A, "-6", "route", "replace", "2001:db8:e::/64", "via", "2001:db8:1::3", "table", "main", "proto", "77"],
        ]);
        expect(await routes(A, "-4", "203.0.113.0/28")).toEqual([expect.objectContaining({ gateway: "192.0.2.3", metric: 10 })]);
        expect(await routes(A, "-6", "2001:db8:e::/64")).toEqual([expect.objectContaining({ gateway: "2001:db8:1::3" })]);
        expect(outs4).toMatchObject({ via: "192.0.2.3" });
        expect(outs6).toMatchObject({ via: "2001:db8:1::3" });
        expect(await providers.Route.read(v4.id, outs4)).toEqual({ id: v4.id, props: outs4 });
    });

    it("changes the source address in place with `ip route replace`", async () => {
        await sh(["ip", "-n", A, "address", "add", "192.0.2.10/24", "dev", "e0"]);
        const base = { resourceName: "us", namespace: A, to: "203.0.113.48/28", via: "192.0.2.2", src: "192.0.2.1" };
        const { id, outs } = await create("Route", base);
        expect(await routes(A, "-4", "203.0.113.48/28")).toEqual([expect.objectContaining({ gateway: "192.0.2.2", prefsrc: "192.0.2.1" })]);
        let after: Record<string, unknown> = {};
        const log = await commandLog(async () => { after = await update("Route", id, outs, { ...base, src: "192.0.2.10" }); });
        const mutating = log.filter((a) => a.some((w) => ["add", "del", "delete", "replace", "change", "flush"].includes(w)));
        expect(mutating).toEqual([["ip", "-n", A, "-4", "route", "replace", "203.0.113.48/28", "via", "192.0.2.2", "src", "192.0.2.10", "table", "main", "proto", "77"]]);
        expect(await routes(A, "-4", "203.0.113.48/28")).toEqual([expect.objectContaining({ gateway: "192.0.2.2", prefsrc: "192.0.2.10" })]);
        expect(after).toMatchObject({ src: "192.0.2.10" });
        expect(await providers.Route.read(id, after)).toEqual({ id, props: after });
    });

    it("diff replaces on destination, table, metric or dev, updates via and src in place, and ignores adopt", async () => {
        const olds = { resourceName: "d", namespace: A, to: "198.51.100.0/24", via: "192.0.2.2", dev: "e0", src: "192.0.2.1", table: "main", adopt: false };
        expect(await providers.Route.diff("x", olds, { ...olds, to: "203.0.113.0/24" })).toMatchObject({ changes: true, replaces: ["to"] });
        expect(await providers.Route.diff("x", olds, { ...olds, metric: 5 })).toMatchObject({ changes: true, replaces: ["metric"] });
        expect(await providers.Route.diff("x", olds, { ...olds, table: 7 })).toMatchObject({ changes: true, replaces: ["table"] });
        // The kernel deletes a route with its device: a new dev replaces (provider/kinds/route.ts).
        expect(await providers.Route.diff("x", olds, { ...olds, dev: "e9" })).toMatchObject({ changes: true, replaces: ["dev"] });
        expect(await providers.Route.diff("x", olds, { ...olds, via: "192.0.2.3" })).toMatchObject({ changes: true, replaces: [] });
        expect(await providers.Route.diff("x", olds, { ...olds, src: "192.0.2.10" })).toMatchObject({ changes: true, replaces: [] });
        expect(await providers.Route.diff("x", olds, { ...olds, adopt: true })).toMatchObject({ changes: false });
    });
});

describe("Route delete", () => {
    it("removes the route and is idempotent, main and other tables, IPv4 and IPv6", async () => {
        const cases = [
            { resourceName: "x4", namespace: A, to: "198.51.100.32/27", via: "192.0.2.2" },
            { resourceName: "x6", namespace: A, to: "2001:db8:f::/64", via: "2001:db8:1::2" },
            { resourceName: "xt", namespace: A, to: "198.51.100.32/27", via: "192.0.2.2", table: 200 },
            { resourceName: "xm", namespace: A, to: "2001:db8:f::/64", via: "2001:db8:1::2", table: 200, metric: 7 },
        ];
        for (const c of cases) {
            const { id, outs } = await create("Route", c);
            const fam = c.to.includes(":") ? "-6" : "-4";
            expect(await routes(A, fam, c.to, c.table ?? "main")).toHaveLength(1);
            await providers.Route.delete(id, outs);
            expect(await routes(A, fam, c.to, c.table ?? "main")).toEqual([]);
            await expect(providers.Route.delete(id, outs)).resolves.toBeUndefined();
        }
    });

    it("removes its own route only, never another route to the same destination with another metric", async () => {
        for (const [fam, to, via, other] of [["-4", "203.0.113.96/27", "192.0.2.2", 200], ["-6", "2001:db8:10::/64", "2001:db8:1::2", 100]] as const) {
            const mine = await create("Route", { resourceName: "mine", namespace: A, to, via });
            const theirs = await create("Route", { resourceName: "theirs", namespace: A, to, via, metric: other });
            expect(await routes(A, fam, to)).toHaveLength(2);

            await providers.Route.delete(mine.id, mine.outs);
            expect(await routes(A, fam, to)).toEqual([expect.objectContaining({ metric: other })]);
            await providers.Route.delete(mine.id, mine.outs); // a second delete takes nothing else
            expect(await routes(A, fam, to)).toEqual([expect.objectContaining({ metric: other })]);
            expect(await providers.Route.read(theirs.id, theirs.outs)).toEqual({ id: theirs.id, props: theirs.outs });
            await providers.Route.delete(theirs.id, theirs.outs);
            expect(await routes(A, fam, to)).toEqual([]);
        }
    });

    it("an IPv6 route given metric 0 (which the kernel stores as 1024) reads back and deletes", async () => {
        const { id, outs } = await create("Route", { resourceName: "z6", namespace: A, to: "2001:db8:11::/64", via: "2001:db8:1::2", metric: 0 });
        expect(await routes(A, "-6", "2001:db8:11::/64")).toEqual([expect.objectContaining({ metric: 1024 })]);
        expect(await providers.Route.read(id, outs)).toEqual({ id, props: outs });
        await providers.Route.delete(id, outs);
        expect(await routes(A, "-6", "2001:db8:11::/64")).toEqual([]);
    });

    it("succeeds after its device or its namespace was removed by hand", async () => {
        const C = await makeNamespace(`${prefix}xc`);
        const D = await makeNamespace(`${prefix}xd`);
        await wire(C, D, "c0", "c1");
        const dev = await create("Route", { resourceName: "xd", namespace: C, to: "198.51.100.0/24", via: "192.0.2.2", dev: "c0" });
        const dev6 = await create("Route", { resourceName: "xd6", namespace: C, to: "2001:db8:2::/64", via: "2001:db8:1::2" });
        await sh(["ip", "-n", C, "link", "del", "dev", "c0"]);
        await expect(providers.Route.delete(dev.id, dev.outs)).resolves.toBeUndefined();
        await expect(providers.Route.delete(dev6.id, dev6.outs)).resolves.toBeUndefined();

        await wire(C, D, "c2", "c3");
        const ns = await create("Route", { resourceName: "xn", namespace: C, to: "198.51.100.0/24", via: "192.0.2.2", table: 100 });
        await removeNamespace(C);
        await expect(providers.Route.delete(ns.id, ns.outs)).resolves.toBeUndefined();
        await removeNamespace(D);
    });
});
