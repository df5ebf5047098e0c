// VethPair against the real kernel: providers.VethPair, as the engine calls it. Every end is
// inspected with `ip -j -d link show` in its namespace, never through the provider's read.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { check, commandLog, create, createFails, expectErrorShape, link, linkLocal, linkNames, makeNamespace, nsidName, removeNamespace, sh, update, itInjecting, withFailingIp, type LinkJson } from "./helpers";

const prefix = filePrefix("veth");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] }); // A and B are made in beforeAll; anything else with the prefix is a leak

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
});

/** Both ends exist, are veths, and are each other's peer (ifindex and namespace). */
async function expectPeers(ns: string, name: string, peerNs: string, peerName: string): Promise<[LinkJson, LinkJson]> {
    const x = await link(ns, name);
    const y = await link(peerNs, peerName);
    expect(x, `${name} in ${ns}`).toBeDefined();
    expect(y, `${peerName} in ${peerNs}`).toBeDefined();
    expect(x!.linkinfo?.info_kind).toBe("veth");
    expect(y!.linkinfo?.info_kind).toBe("veth");
    if (ns === peerNs) {
        // A peer in the same namespace is named (`link`), not numbered.
        expect(x!.link).toBe(peerName);
        expect(y!.link).toBe(name);
        expect(x!.link_netnsid).toBeUndefined();
        expect(y!.link_netnsid).toBeUndefined();
    } else {
        expect(x!.link_index).toBe(y!.ifindex);
        expect(y!.link_index).toBe(x!.ifindex);
        expect(await nsidName(ns, x!.link_netnsid!)).toBe(peerNs);
        expect(await nsidName(peerNs, y!.link_netnsid!)).toBe(ns);
    }
    return [x!, y!];
}

/** A pair made by hand, both ends down, with the kernel's default MTU. */
async function handPair(ns: string, name: string, peerNs: string, peerName: string): Promise<[LinkJson, LinkJson]> {
    await sh(["ip", "-n", ns, "link", "add", name, "type", "veth", "peer", "name", peerName, "netns", peerNs]);
    return expectPeers(ns, name, peerNs, peerName);
}

describe("VethPair create", () => {
    it("makes both ends in their namespaces, up, with the MTU and MACs asked, peers of each other", async () => {
        const { id, outs } = await create("VethPair", {
            resourceName: "p1", name: "p1a", namespace: A, peerName: "p1b", peerNamespace: B,
            mtu: 1400, address: "02:00:00:00:01:01", peerAddress: "02:00:00:00:01:02",
        });
        expect(id).toBe(`${A}/p1a`);
        const [x, y] = await expectPeers(A, "p1a", B, "p1b");
        for (const end of [x, y]) {
            expect(end.flags).toContain("UP");
            expect(end.flags).toContain("LOWER_UP"); // both ends up: the cable is connected
            expect(end.mtu).toBe(1400);
        }
        expect(x.address).toBe("02:00:00:00:01:01");
        expect(y.address).toBe("02:00:00:00:01:02");
        expect(outs).toMatchObject({ ifindex: x.ifindex, peerIfindex: y.ifindex, mtu: 1400, mac: "02:00:00:00:01:01", peerMac: "02:00:00:00:01:02", up: true, peerUp: true });
        // Both ends up: each has its IPv6 link-local address by the time create returns.
        expect(outs.linkLocal).toBe(await linkLocal(A, "p1a"));
        expect(outs.peerLinkLocal).toBe(await linkLocal(B, "p1b"));
        expect(outs.linkLocal).toBe("fe80::ff:fe00:101"); // EUI-64 of 02:00:00:00:01:01
        // Nothing else appeared: one end in each namespace.
        expect(await linkNames(A)).toEqual(["lo", "p1a"]);
        expect(await linkNames(B)).toEqual(["lo", "p1b"]);
    });

    it("runs two processes to make the pair: the add, whose echo gives this end, and one batch for the peer; then reads the link-local addresses; the outputs are the live values", async () => {
        let outs: Record<string, unknown> = {};
        const cmds = await commandLog(async () => {
            ({ outs } = await create("VethPair", { resourceName: "q4", name: "q4a", namespace: A, peerName: "q4b", peerNamespace: B }));
        });
        expect(cmds.slice(0, 2)).toEqual([
            ["ip", "-n", A, "-echo", "-j", "link", "add", "name", "q4a", "up", "type", "veth", "peer", "name", "q4b", "netns", `/run/netns/${B}`],
            ["ip", "-n", B, "-j", "-d", "-batch", "-"],
        ]);
        // Then only reads of the link-local addresses (one per end, more while the kernel has not assigned them yet).
        const reads = cmds.slice(2).map((c) => c.join(" "));
        expect(reads).toContain(`ip -n ${A} -j address show dev q4a scope link`);
        expect(reads).toContain(`ip -n ${B} -j address show dev q4b scope link`);
        for (const r of reads) expect(r).toMatch(/ -j address show dev q4[ab] scope link$/);
        const [x, y] = await expectPeers(A, "q4a", B, "q4b");
        expect(outs).toMatchObject({ ifindex: x.ifindex, peerIfindex: y.ifindex, mac: x.address, peerMac: y.address,
            linkLocal: await linkLocal(A, "q4a"), peerLinkLocal: await linkLocal(B, "q4b") });
        expect(outs.linkLocal).toMatch(/^fe80::/);
        expect(y.flags).toContain("UP");
    });

    itInjecting("with an ip that has no -echo, sends the same request without it and reads this end back", async () => {
        let outs: Record<string, unknown> = {};
        const cmds = await withFailingIp([["-n", A, "-echo"]], () => commandLog(async () => {
            ({ outs } = await create("VethPair", { resourceName: "q5", name: "q5a", namespace: A, peerName: "q5b", peerNamespace: B, mtu: 1450 }));
        }), { stderr: 'Option "-echo" is unknown, try "ip -help".', exitCode: 255 });
        expect(cmds.slice(0, 4).map((c) => c.slice(0, 7))).toEqual([
            ["ip", "-n", A, "-echo", "-j", "link", "add"],
            ["ip", "-n", A, "link", "add", "name", "q5a"],
            ["ip", "-n", B, "-j", "-d", "-batch", "-"],
            ["ip", "-n", A, "-j", "-d", "link", "show"],
        ]);
        const [x, y] = await expectPeers(A, "q5a", B, "q5b");
        expect(x.mtu).toBe(1450);
        expect(outs).toMatchObject({ ifindex: x.ifindex, peerIfindex: y.ifindex, mtu: 1450, peerMtu: 1450, mac: x.address, peerMac: y.address });
    });

    it("gives the peer its own MTU and leaves ends down when asked", async () => {
        await create("VethPair", {
            resourceName: "p2", name: "p2a", namespace: A, peerName: "p2b", peerNamespace: B,
            mtu: 1300, peerMtu: 9000, up: false, peerUp: false,
        });
        const [x, y] = await expectPeers(A, "p2a", B, "p2b");
        expect(x.mtu).toBe(1300);
        expect(y.mtu).toBe(9000);
        expect(x.flags).not.toContain("UP");
        expect(y.flags).not.toContain("UP");
    });

    it("makes a pair with both ends in one namespace", async () => {
        await create("VethPair", { resourceName: "p3", name: "p3a", namespace: A, peerName: "p3b", peerNamespace: A });
        const [x, y] = await expectPeers(A, "p3a", A, "p3b");
        expect(x.flags).toContain("UP");
        expect(y.flags).toContain("UP");
    });

    it("fails with the documented error when the pair exists, and leaves it as it was", async () => {
        const [x0, y0] = await handPair(A, "p4a", B, "p4b");
        const err = await createFails("VethPair", { resourceName: "p4", name: "p4a", namespace: A, peerName: "p4b", peerNamespace: B, mtu: 1400 });
        expectErrorShape(err, {
            kind: "VethPair", name: "p4", op: "create",
            command: new RegExp(`^ip -n ${A} -echo -j link add name p4a mtu 1400 up type veth peer name p4b netns /run/netns/${B} mtu 1400$`),
            stderr: /File exists/,
            hint: /already exists.*adopt: true/,
        });
        const [x, y] = await expectPeers(A, "p4a", B, "p4b");
        expect([x.ifindex, y.ifindex, x.mtu, y.mtu]).toEqual([x0.ifindex, y0.ifindex, x0.mtu, y0.mtu]);
        expect(x.flags).not.toContain("UP");
    });

    it("adopt: true takes over a matching pair in place (same ifindexes) and applies MTU, MAC and state", async () => {
        const [x0, y0] = await handPair(A, "p5a", B, "p5b");
        const { id, outs } = await create("VethPair", {
            resourceName: "p5", name: "p5a", namespace: A, peerName: "p5b", peerNamespace: B,
            mtu: 1280, peerAddress: "02:00:00:00:05:02", adopt: true,
        });
        expect(id).toBe(`${A}/p5a`);
        const [x, y] = await expectPeers(A, "p5a", B, "p5b");
        expect(x.ifindex).toBe(x0.ifindex);
        expect(y.ifindex).toBe(y0.ifindex);
        expect([x.mtu, y.mtu]).toEqual([1280, 1280]);
        expect(y.address).toBe("02:00:00:00:05:02");
        expect(x.flags).toContain("UP");
        expect(y.flags).toContain("UP");
        expect(outs).toMatchObject({ ifindex: x0.ifindex, peerIfindex: y0.ifindex });
    });

    it("adopt: true takes over a matching pair whose ends share one namespace", async () => {
        const [x0, y0] = await handPair(A, "p5c", A, "p5d");
        await create("VethPair", { resourceName: "p5s", name: "p5c", namespace: A, peerName: "p5d", peerNamespace: A, mtu: 1280, adopt: true });
        const [x, y] = await expectPeers(A, "p5c", A, "p5d");
        expect([x.ifindex, y.ifindex]).toEqual([x0.ifindex, y0.ifindex]);
        expect([x.mtu, y.mtu]).toEqual([1280, 1280]);
        expect(x.flags).toContain("UP");
        expect(y.flags).toContain("UP");
    });

    it("adopt: true fails clearly when the existing ends are not peers of each other, and changes nothing", async () => {
        // p6a <-> p6z and p6b <-> p6w: both names exist, but they belong to two other pairs.
        await handPair(A, "p6a", B, "p6z");
        await handPair(B, "p6b", A, "p6w");
        const linksA = await linkNames(A), linksB = await linkNames(B);
        const err = await createFails("VethPair", { resourceName: "p6", name: "p6a", namespace: A, peerName: "p6b", peerNamespace: B, mtu: 1400, adopt: true });
        expect(err.message).toMatch(/^VethPair "p6" create failed/);
        expect(err.hint).toMatch(/adopt: true found no matching pair.*p6a and p6b are not peers of each other/);
        expect(await linkNames(A)).toEqual(linksA);
        expect(await linkNames(B)).toEqual(linksB);
        for (const [ns, dev] of [[A, "p6a"], [B, "p6b"]] as const) {
            const l = await link(ns, dev);
            expect(l?.mtu).toBe(1500);
            expect(l?.flags).not.toContain("UP");
        }
    });

    it("adopt: true fails when an end is not a veth, and when the peer does not exist", async () => {
        await sh(["ip", "-n", A, "link", "add", "p7a", "type", "bridge"]);
        await sh(["ip", "-n", B, "link", "add", "p7b", "type", "bridge"]);
        const notVeth = await createFails("VethPair", { resourceName: "p7", name: "p7a", namespace: A, peerName: "p7b", peerNamespace: B, adopt: true });
        expect(notVeth.hint).toMatch(/adopt: true found no matching pair.*not a veth/);
        expect((await link(A, "p7a"))?.linkinfo?.info_kind).toBe("bridge");
        expect((await link(B, "p7b"))?.linkinfo?.info_kind).toBe("bridge");

        // p7a exists in A, p7c exists nowhere: nothing to adopt, and nothing is made.
        const missing = await createFails("VethPair", { resourceName: "p7", name: "p7a", namespace: A, peerName: "p7c", peerNamespace: B, adopt: true });
        expect(missing.hint).toMatch(/p7c does not exist in/);
        expect(await link(B, "p7c")).toBeUndefined();
    });

    it("adopt: true refuses two ends whose ifindexes match but whose peers live in other namespaces", async () => {
        // Four fresh namespaces: ifindexes are per namespace, so pa<->pw (C, E) and pb<->pv (D, F)
        // get the same numbers, and pa's peer index equals pb's index (and the reverse).
        const [C, D, E, F] = await Promise.all(["c", "d", "e", "f"].map((t) => makeNamespace(`${prefix}${t}`)));
        const [a, w] = await handPair(C!, "pa", E!, "pw");
        const [b, v] = await handPair(D!, "pb", F!, "pv");
        expect(a.link_index).toBe(b.ifindex); // the coincidence the check must not be fooled by
        expect(b.link_index).toBe(a.ifindex);

        const err = await createFails("VethPair", { resourceName: "pab", name: "pa", namespace: C!, peerName: "pb", peerNamespace: D!, mtu: 1400, adopt: true });
        expect(err.hint).toMatch(/adopt: true found no matching pair.*not peers of each other/);
        expect((await link(C!, "pa"))?.mtu).toBe(1500);
        expect((await link(D!, "pb"))?.mtu).toBe(1500);
        await expectPeers(C!, "pa", E!, "pw");
        await expectPeers(D!, "pb", F!, "pv");
        void w; void v;
        for (const ns of [C!, D!, E!, F!]) await removeNamespace(ns);
    });

    it("transactional: a peer name taken in the peer namespace leaves no end behind", async () => {
        await sh(["ip", "-n", B, "link", "add", "p8b", "type", "bridge"]);
        const before = await link(B, "p8b");
        const err = await createFails("VethPair", { resourceName: "p8", name: "p8a", namespace: A, peerName: "p8b", peerNamespace: B });
        expectErrorShape(err, {
            kind: "VethPair", name: "p8", op: "create",
            command: new RegExp(`^ip -n ${A} -echo -j link add name p8a up type veth peer name p8b netns /run/netns/${B}$`),
            stderr: /File exists/,
            hint: /p8b in .*adopt: true/,
        });
        expect(await link(A, "p8a")).toBeUndefined();
        expect(await linkNames(A)).not.toContain("p8a");
        const after = await link(B, "p8b");
        expect(after?.ifindex).toBe(before?.ifindex);
        expect(after?.linkinfo?.info_kind).toBe("bridge");
    });

    it("transactional: a peer name taken in the peer namespace with adopt: true makes nothing either", async () => {
        await sh(["ip", "-n", B, "link", "add", "p9b", "type", "bridge"]);
        const err = await createFails("VethPair", { resourceName: "p9", name: "p9a", namespace: A, peerName: "p9b", peerNamespace: B, adopt: true });
        expect(err.hint).toMatch(/p9a does not exist in/);
        expect(await link(A, "p9a")).toBeUndefined();
        expect((await link(B, "p9b"))?.linkinfo?.info_kind).toBe("bridge");
    });

    itInjecting("transactional: when bringing the peer up fails, both ends are removed", async () => {
        const err = await withFailingIp([["-n", B, "-j", "-d", "-batch", "-"]],
            () => createFails("VethPair", { resourceName: "px", name: "pxa", namespace: A, peerName: "pxb", peerNamespace: B }));
        expectErrorShape(err, {
            kind: "VethPair", name: "px", op: "create",
            command: new RegExp(`^ip -n ${B} -j -d -batch -$`),
            stderr: /Operation not permitted/,
            hint: /root/,
        });
        // The lines the batch read are part of the error.
        expect(err.input).toBe("link set dev pxb up\nlink show dev pxb\n");
        expect(err.message.split("\n")[2]).toBe("  input:   link set dev pxb up");
        expect(await link(A, "pxa")).toBeUndefined();
        expect(await link(B, "pxb")).toBeUndefined();
    });

    it("fails with a hint when a namespace does not exist, and makes nothing", async () => {
        const err = await createFails("VethPair", { resourceName: "pn", name: "pna", namespace: A, peerName: "pnb", peerNamespace: `${prefix}nowhere` });
        expect(err.message).toMatch(/^VethPair "pn" create failed \(ip exited [1-9]\d*\)/);
        expect(await link(A, "pna")).toBeUndefined();
    });
});

describe("VethPair read", () => {
    it("returns the live pair and reports drift made by hand", async () => {
        const { id, outs } = await create("VethPair", { resourceName: "r1", name: "r1a", namespace: A, peerName: "r1b", peerNamespace: B, mtu: 1400 });
        const fresh = await providers.VethPair.read(id, outs);
        expect(fresh).toMatchObject({ id, props: { up: true, peerUp: true, mtu: 1400, ifindex: outs.ifindex, peerIfindex: outs.peerIfindex } });

        await sh(["ip", "-n", A, "link", "set", "dev", "r1a", "down"]);
        expect((await providers.VethPair.read(id, outs)).props).toMatchObject({ up: false, peerUp: true });

        await sh(["ip", "-n", B, "link", "set", "dev", "r1b", "down"]);
        expect((await providers.VethPair.read(id, outs)).props).toMatchObject({ up: false, peerUp: false });

        await sh(["ip", "-n", A, "link", "set", "dev", "r1a", "mtu", "1280"]);
        expect((await providers.VethPair.read(id, outs)).props).toMatchObject({ mtu: 1280, peerMtu: 1400 });
    });

    it("reports a MAC changed by hand", async () => {
        const { id, outs } = await create("VethPair", { resourceName: "r2", name: "r2a", namespace: A, peerName: "r2b", peerNamespace: B, address: "02:00:00:00:02:01" });
        expect(outs).toMatchObject({ mac: "02:00:00:00:02:01", linkLocal: "fe80::ff:fe00:201" });
        await sh(["ip", "-n", A, "link", "set", "dev", "r2a", "address", "02:00:00:00:02:99"]);
        // Refresh reads the computed values again: the MAC, and the link-local address the kernel has now.
        expect((await providers.VethPair.read(id, outs)).props).toMatchObject({ address: "02:00:00:00:02:99", mac: "02:00:00:00:02:99", linkLocal: await linkLocal(A, "r2a") });
    });

    it("gives the kernel's MAC when none is given, and an empty link-local address for an end whose IPv6 is disabled", async () => {
        await sh(["ip", "netns", "exec", B, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"]);
        try {
            const { outs } = await create("VethPair", { resourceName: "l9", name: "l9a", namespace: A, peerName: "l9b", peerNamespace: B });
            const [x, y] = await expectPeers(A, "l9a", B, "l9b");
            expect(outs).toMatchObject({ mac: x.address, peerMac: y.address, linkLocal: await linkLocal(A, "l9a"), peerLinkLocal: "" });
            expect(outs.linkLocal).toMatch(/^fe80::/);
        } finally {
            await sh(["ip", "netns", "exec", B, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=0"]);
        }
    });

    it("returns {} once the pair was removed by hand, from either end", async () => {
        const one = await create("VethPair", { resourceName: "r3", name: "r3a", namespace: A, peerName: "r3b", peerNamespace: B });
        await sh(["ip", "-n", A, "link", "del", "dev", "r3a"]);
        expect(await providers.VethPair.read(one.id, one.outs)).toEqual({});

        const two = await create("VethPair", { resourceName: "r4", name: "r4a", namespace: A, peerName: "r4b", peerNamespace: B });
        await sh(["ip", "-n", B, "link", "del", "dev", "r4b"]);
        expect(await providers.VethPair.read(two.id, two.outs)).toEqual({});
    });

    it("returns {} when the pair was replaced by hand with two unrelated veths of the same names and addresses, each with its peer elsewhere (indexes chosen to match)", async () => {
        const C = await makeNamespace(`${prefix}rpc`);
        const D = await makeNamespace(`${prefix}rpd`);
        try {
            const { id, outs } = await create("VethPair", { resourceName: "r6", name: "r6a", namespace: A, peerName: "r6b", peerNamespace: B,
                addresses: ["192.0.2.61/24"], peerAddresses: ["192.0.2.62/24"] });
            expect(await providers.VethPair.read(id, outs)).toMatchObject({ id, props: { addresses: ["192.0.2.61/24"], peerAddresses: ["192.0.2.62/24"] } });
            await sh(["ip", "-n", A, "link", "del", "dev", "r6a"]);
            // r6a's peer is index 3902 in C and r6b's peer index 3901 in D: the indexes say "peers"
            // (r6a is 3901, r6b is 3902), only the peers' namespaces tell that they are not.
            await sh(["ip", "-n", A, "link", "add", "name", "r6a", "index", "3901", "up", "type", "veth", "peer", "name", "r6c", "index", "3902", "netns", C]);
            await sh(["ip", "-n", B, "link", "add", "name", "r6b", "index", "3902", "up", "type", "veth", "peer", "name", "r6d", "index", "3901", "netns", D]);
            await sh(["ip", "-n", A, "address", "add", "192.0.2.61/24", "dev", "r6a"]);
            await sh(["ip", "-n", B, "address", "add", "192.0.2.62/24", "dev", "r6b"]);
            const [x, y] = [await link(A, "r6a"), await link(B, "r6b")];
            expect([x?.link_index, y?.link_index]).toEqual([y?.ifindex, x?.ifindex]);
            expect(await providers.VethPair.read(id, outs)).toEqual({});
        } finally {
            await removeNamespace(C);
            await removeNamespace(D);
        }
        await expect.poll(() => link(A, "r6a"), { timeout: 10_000 }).toBeUndefined();
        await expect.poll(() => link(B, "r6b"), { timeout: 10_000 }).toBeUndefined();
    });

    it("returns {} when a pair in one namespace was replaced by two unrelated veths, and when its ends were replaced by bridges", async () => {
        const one = await create("VethPair", { resourceName: "r7", name: "r7a", namespace: A, peerName: "r7b", peerNamespace: A });
        await sh(["ip", "-n", A, "link", "del", "dev", "r7a"]);
        await sh(["ip", "-n", A, "link", "add", "r7a", "type", "veth", "peer", "name", "r7x"]);
        await sh(["ip", "-n", A, "link", "add", "r7b", "type", "veth", "peer", "name", "r7y"]);
        expect(await providers.VethPair.read(one.id, one.outs)).toEqual({});
        await sh(["ip", "-n", A, "link", "del", "dev", "r7a"]);
        await sh(["ip", "-n", A, "link", "del", "dev", "r7b"]);

        const two = await create("VethPair", { resourceName: "r8", name: "r8a", namespace: A, peerName: "r8b", peerNamespace: B });
        await sh(["ip", "-n", A, "link", "del", "dev", "r8a"]);
        await sh(["ip", "-n", A, "link", "add", "r8a", "type", "bridge"]);
        await sh(["ip", "-n", B, "link", "add", "r8b", "type", "bridge"]);
        expect(await providers.VethPair.read(two.id, two.outs)).toEqual({});
        await sh(["ip", "-n", A, "link", "del", "dev", "r8a"]);
        await sh(["ip", "-n", B, "link", "del", "dev", "r8b"]);
    });

    it("returns {} once the peer namespace was removed by hand", async () => {
        const C = await makeNamespace(`${prefix}rc`);
        const { id, outs } = await create("VethPair", { resourceName: "r5", name: "r5a", namespace: A, peerName: "r5b", peerNamespace: C });
        await removeNamespace(C);
        expect(await providers.VethPair.read(id, outs)).toEqual({});
        // The kernel tears a namespace down asynchronously: the end in A goes shortly after.
        await expect.poll(() => link(A, "r5a"), { timeout: 10_000 }).toBeUndefined();
    });
});

describe("VethPair update", () => {
    it("changes MTU in place on both ends, keeping the ifindexes", async () => {
        const { id, outs } = await create("VethPair", { resourceName: "u1", name: "u1a", namespace: A, peerName: "u1b", peerNamespace: B, mtu: 1400 });
        const [x0, y0] = await expectPeers(A, "u1a", B, "u1b");
        const news = { resourceName: "u1", name: "u1a", namespace: A, peerName: "u1b", peerNamespace: B, mtu: 1280 };
        const after = await update("VethPair", id, outs, news);
        const [x, y] = await expectPeers(A, "u1a", B, "u1b");
        expect([x.ifindex, y.ifindex]).toEqual([x0.ifindex, y0.ifindex]);
        expect([x.mtu, y.mtu]).toEqual([1280, 1280]);
        expect(after).toMatchObject({ mtu: 1280, ifindex: x0.ifindex, peerIfindex: y0.ifindex });
    });

    it("changes admin state and MAC in place, keeping the ifindexes", async () => {
        const base = { resourceName: "u2", name: "u2a", namespace: A, peerName: "u2b", peerNamespace: B };
        const { id, outs } = await create("VethPair", base);
        const [x0, y0] = await expectPeers(A, "u2a", B, "u2b");

        const downed = await update("VethPair", id, outs, { ...base, up: false });
        let [x, y] = await expectPeers(A, "u2a", B, "u2b");
        expect(x.flags).not.toContain("UP");
        expect(y.flags).toContain("UP");
        expect([x.ifindex, y.ifindex]).toEqual([x0.ifindex, y0.ifindex]);

        const upped = await update("VethPair", id, downed, { ...base, up: true, peerAddress: "02:00:00:00:0b:02" });
        [x, y] = await expectPeers(A, "u2a", B, "u2b");
        expect(x.flags).toContain("UP");
        expect(y.address).toBe("02:00:00:00:0b:02");
        expect([x.ifindex, y.ifindex]).toEqual([x0.ifindex, y0.ifindex]);
        expect(upped).toMatchObject({ up: true, peerAddress: "02:00:00:00:0b:02" });
    });

    it("diff replaces on a name or namespace change and ignores adopt", async () => {
        const olds = await check("VethPair", { resourceName: "d", name: "da", namespace: A, peerName: "db", peerNamespace: B });
        expect(await providers.VethPair.diff(`${A}/da`, olds, { ...olds, peerName: "dc" })).toMatchObject({ changes: true, replaces: ["peerName"] });
        expect(await providers.VethPair.diff(`${A}/da`, olds, { ...olds, adopt: true })).toMatchObject({ changes: false });
    });
});

describe("VethPair delete", () => {
    it("removes both ends and is idempotent", async () => {
        const { id, outs } = await create("VethPair", { resourceName: "x1", name: "x1a", namespace: A, peerName: "x1b", peerNamespace: B });
        await providers.VethPair.delete(id, outs);
        expect(await link(A, "x1a")).toBeUndefined();
        expect(await link(B, "x1b")).toBeUndefined();
        await expect(providers.VethPair.delete(id, outs)).resolves.toBeUndefined();
    });

    it("succeeds after either namespace was removed by hand", async () => {
        const C = await makeNamespace(`${prefix}xc`);
        const D = await makeNamespace(`${prefix}xd`);
        const one = await create("VethPair", { resourceName: "x2", name: "x2a", namespace: C, peerName: "x2b", peerNamespace: B });
        await removeNamespace(C);
        await expect(providers.VethPair.delete(one.id, one.outs)).resolves.toBeUndefined();
        await expect.poll(() => link(B, "x2b"), { timeout: 10_000 }).toBeUndefined(); // asynchronous namespace teardown

        const two = await create("VethPair", { resourceName: "x3", name: "x3a", namespace: A, peerName: "x3b", peerNamespace: D });
        await removeNamespace(D);
        await expect(providers.VethPair.delete(two.id, two.outs)).resolves.toBeUndefined();
        await expect.poll(() => link(A, "x3a"), { timeout: 10_000 }).toBeUndefined();
    });
});
