// Tunnel against the real kernel: providers.Tunnel as the engine calls it. Two namespaces joined
// by a veth underlay (192.0.2.1/30 --- 192.0.2.2/30), a VXLAN between them carrying the inner
// 198.51.100.1/30 --- 198.51.100.2/30; ping across the inner addresses, an in-place change that
// keeps the ifindex, drift, adoption and marks, delete. ipip and gre are not in this kernel
// (/work/shared/KERNEL.md): their create fails with one line naming the kernel option.
// The host is inspected with `ip -j` directly, never through the provider's read.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { missingFeature } from "../../provider/kinds/tunnel";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { check, create, createFails, expectErrorShape, link, makeNamespace, sh, update } from "./helpers";

const prefix = filePrefix("tunnel");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] }); // A and B are made in beforeAll; anything else with the prefix is a leak

const mine = { project: "itest", stack: "tunnel" };

interface VxJson { ifindex: number; mtu: number; flags: string[]; ifalias?: string; linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; local?: string; port?: number; learning?: boolean; link?: string } } }
const vx = async (ns: string, dev: string) => (await link(ns, dev)) as unknown as VxJson | undefined;

const ping = (ns: string, to: string) => sh(["ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "2", to]);

const end = (ns: string, name: string, local: string, remote: string, inner: string, extra: Record<string, unknown> = {}) =>
    ({ resourceName: `${name}-${ns.slice(-1)}`, name, namespace: ns, type: "vxlan", vni: 42, dev: ns === A ? "ua" : "ub", local, remote, addresses: [inner], ...extra });

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
    // The underlay: a veth pair with RFC 5737 addresses, made by the provider as a stack would.
    await create("VethPair", { resourceName: "under", name: "ua", namespace: A, peerName: "ub", peerNamespace: B, addresses: ["192.0.2.1/30"], peerAddresses: ["192.0.2.2/30"] });
});

describe("Tunnel, type vxlan", () => {
    it("joins two namespaces across the underlay: the inner addresses ping, the MTU is the underlay's minus 50", async () => {
        const a = await create("Tunnel", end(A, "vx0", "192.0.2.1", "192.0.2.2", "198.51.100.1/30", { __owner: mine }));
        const b = await create("Tunnel", end(B, "vx0", "192.0.2.2", "192.0.2.1", "198.51.100.2/30", { __owner: mine }));
        expect(a.id).toBe(`${A}/vx0`);
        const l = await vx(A, "vx0");
        expect(l?.linkinfo?.info_kind).toBe("vxlan");
        expect(l?.linkinfo?.info_data).toMatchObject({ id: 42, remote: "192.0.2.2", local: "192.0.2.1", port: 4789, learning: true, link: "ua" });
        expect(l?.flags).toContain("UP");
        expect(l?.mtu).toBe(1450);
        expect(l?.ifalias).toBe("pulumi-netns/1 itest/tunnel Tunnel vx0-a");
        expect(a.outs).toMatchObject({ mtu: 1450, dstport: 4789, learning: true, ifindex: l!.ifindex, addresses: ["198.51.100.1/30"] });
        expect(await providers.Tunnel.read(a.id, a.outs)).toEqual({ id: a.id, props: a.outs });
        expect(await providers.Tunnel.read(b.id, b.outs)).toEqual({ id: b.id, props: b.outs });
        await ping(A, "198.51.100.2");
        await ping(B, "198.51.100.1");
    });

    it("plans exactly: the encapsulation's identity replaces, the rest updates in place", async () => {
        const olds = (await check("Tunnel", end(A, "vx0", "192.0.2.1", "192.0.2.2", "198.51.100.1/30"))) as Record<string, unknown>;
        const plan = async (change: Record<string, unknown>) => providers.Tunnel.diff(`${A}/vx0`, olds, await check("Tunnel", { ...end(A, "vx0", "192.0.2.1", "192.0.2.2", "198.51.100.1/30"), ...change }));
        for (const [change, replaces] of [
            [{ vni: 43 }, ["vni"]], [{ dstport: 8472 }, ["dstport"]], [{ dev: "lo" }, ["dev"]], [{ name: "vx9" }, ["name"]],
            [{ srcport: { min: 40000, max: 41000 } }, ["srcport"]], [{ remote: undefined, group: "239.1.1.1" }, ["group"]],
            [{ mtu: 1400 }, []], [{ remote: "192.0.2.3" }, []], [{ learning: false }, []], [{ up: false }, []], [{ addresses: [] }, []],
        ] as const) {
            expect(await plan(change), JSON.stringify(change)).toMatchObject({ changes: true, replaces });
        }
        expect(await plan({})).toMatchObject({ changes: false });
    });

    it("changes MTU, learning and admin state in place, keeping the ifindex; the inner addresses still ping", async () => {
        const before = (await vx(A, "vx0"))!;
        const olds = (await providers.Tunnel.read(`${A}/vx0`, await check("Tunnel", end(A, "vx0", "192.0.2.1", "192.0.2.2", "198.51.100.1/30", { __owner: mine }))) as { props: Record<string, unknown> }).props;
        const outs = await update("Tunnel", `${A}/vx0`, olds, end(A, "vx0", "192.0.2.1", "192.0.2.2", "198.51.100.1/30", { mtu: 1400, learning: false, __owner: mine }));
        const after = (await vx(A, "vx0"))!;
        expect(after.ifindex).toBe(before.ifindex);
        expect(after.mtu).toBe(1400);
        expect(after.linkinfo?.info_data?.learning).toBe(false);
        expect(outs).toMatchObject({ mtu: 1400, learning: false, ifindex: before.ifindex });
        await ping(A, "198.51.100.2");
    });

    it("refresh sees drift made by hand (down, another remote, learning, an inner address removed), and nothing once deleted", async () => {
        const inputs = await check("Tunnel", { ...end(B, "vx0", "192.0.2.2", "192.0.2.1", "198.51.100.2/30"), resourceName: "drift" });
        const { props } = (await providers.Tunnel.read(`${B}/vx0`, inputs)) as { props: Record<string, unknown> };
        await sh(["ip", "-n", B, "link", "set", "dev", "vx0", "down"]);
        await sh(["ip", "-n", B, "link", "set", "dev", "vx0", "type", "vxlan", "remote", "192.0.2.9", "nolearning"]);
        await sh(["ip", "-n", B, "address", "del", "198.51.100.2/30", "dev", "vx0"]);
        const drifted = (await providers.Tunnel.read(`${B}/vx0`, props)) as { props: Record<string, unknown> };
        expect(drifted.props).toEqual({ ...props, up: false, remote: "192.0.2.9", learning: false, addresses: [] });
        // The next up repairs it in place.
        const d = await providers.Tunnel.diff(`${B}/vx0`, drifted.props, inputs);
        expect(d).toMatchObject({ changes: true, replaces: [] });
        const before = (await vx(B, "vx0"))!.ifindex;
        await providers.Tunnel.update(`${B}/vx0`, drifted.props, inputs);
        expect((await vx(B, "vx0"))!.ifindex).toBe(before);
        expect((await vx(B, "vx0"))?.linkinfo?.info_data).toMatchObject({ remote: "192.0.2.1", learning: true });
        await ping(A, "198.51.100.2");
        // Replaced by something that is not a vxlan: gone.
        await sh(["ip", "-n", B, "link", "del", "dev", "vx0"]);
        await sh(["ip", "-n", B, "link", "add", "vx0", "type", "veth", "peer", "name", "vx0p"]);
        expect(await providers.Tunnel.read(`${B}/vx0`, props)).toEqual({});
        await sh(["ip", "-n", B, "link", "del", "dev", "vx0"]);
        expect(await providers.Tunnel.read(`${B}/vx0`, props)).toEqual({});
    });

    it("deletes the tunnel; already gone is success; the underlay stays", async () => {
        const { id, outs } = await create("Tunnel", { resourceName: "del", name: "vxd", namespace: A, type: "vxlan", vni: 7, dev: "ua", remote: "192.0.2.2" });
        await providers.Tunnel.delete(id, outs);
        expect(await vx(A, "vxd")).toBeUndefined();
        await providers.Tunnel.delete(id, outs);
        expect(await link(A, "ua")).toBeDefined();
    });

    it("a multi-end segment: group and nolearning, over the underlay", async () => {
        const { outs } = await create("Tunnel", { resourceName: "seg", name: "vxg", namespace: A, type: "vxlan", vni: 100, dev: "ua", group: "239.1.1.1", learning: false });
        expect((await vx(A, "vxg"))?.linkinfo?.info_data).toMatchObject({ id: 100, learning: false });
        expect(outs).toMatchObject({ group: "239.1.1.1", learning: false, mtu: 1450 });
        await providers.Tunnel.delete(`${A}/vxg`, outs);
    });

    it("refuses what the kernel refuses, with its reason: a missing underlay, a VNI in use on the port; nothing is left", async () => {
        const missing = await createFails("Tunnel", { resourceName: "nounder", name: "vxn", namespace: A, type: "vxlan", vni: 8, dev: "nope0", remote: "192.0.2.2" });
        expect(missing.hint).toBe(`the underlay nope0 does not exist in ${A}: create it first and pass link.name as dev so Pulumi orders the two`);
        const twice = await createFails("Tunnel", { resourceName: "twice", name: "vxt", namespace: A, type: "vxlan", vni: 42, dev: "ua", remote: "192.0.2.2", mtu: 1400 });
        expectErrorShape(twice, { kind: "Tunnel", name: "twice", op: "create", command: /^ip -n \S+ link add name vxt mtu 1400 up type vxlan id 42 remote 192.0.2.2 dstport 4789 learning dev ua$/, stderr: /VNI already exists/,
            hint: new RegExp(`^another VXLAN device in ${A} already uses VNI 42 on port 4789`) });
        expect(await vx(A, "vxn")).toBeUndefined();
        expect(await vx(A, "vxt")).toBeUndefined();
    });

    it("adoption and marks: an unmarked tunnel is refused, then taken over with adopt: true; one of other settings is not", async () => {
        await sh(["ip", "-n", A, "link", "add", "vxh", "type", "vxlan", "id", "55", "remote", "192.0.2.2", "dstport", "4789", "dev", "ua"]);
        const args = { resourceName: "hand", name: "vxh", namespace: A, type: "vxlan", vni: 55, dev: "ua", remote: "192.0.2.2", __owner: mine };
        const refused = await createFails("Tunnel", args);
        expect(refused.hint).toMatch(/^an interface named vxh already exists in \S+; .*set adopt: true to take over an existing tunnel \(it carries no ownership mark: made by hand/);
        const wrong = await createFails("Tunnel", { ...args, vni: 56, adopt: true });
        expect(wrong.hint).toBe("adopt: true found no matching tunnel to take over: its VNI is 55, not 56. Remove it or give this tunnel another name");
        const before = (await vx(A, "vxh"))!.ifindex;
        const { id, outs } = await create("Tunnel", { ...args, adopt: true, mtu: 1300 });
        const l = (await vx(A, "vxh"))!;
        expect(l.ifindex).toBe(before);
        expect(l.mtu).toBe(1300);
        expect(l.flags).toContain("UP");
        expect(l.ifalias).toBe("pulumi-netns/1 itest/tunnel Tunnel hand");
        // Another stack's tunnel is left alone by this one's delete.
        const other = { ...outs, __owner: { project: "itest", stack: "other" } };
        await providers.Tunnel.delete(id, other);
        expect(await vx(A, "vxh")).toBeDefined();
        await providers.Tunnel.delete(id, outs);
        expect(await vx(A, "vxh")).toBeUndefined();
    });
});

describe("Tunnel, types this kernel lacks", () => {
    it.each([
        ["ipip", "this kernel has no IP-in-IP tunnels (type ipip): CONFIG_NET_IPIP is not set, or its module is not loaded (modprobe ipip); use a kernel with CONFIG_NET_IPIP, or type vxlan, which needs only CONFIG_VXLAN"],
        ["gre", "this kernel has no GRE tunnels (type gre): CONFIG_NET_IPGRE is not set, or its module is not loaded (modprobe ip_gre); use a kernel with CONFIG_NET_IPGRE, or type vxlan, which needs only CONFIG_VXLAN"],
    ] as const)("%s: the create fails with one line naming the kernel option, and leaves nothing", async (type, line) => {
        const err = await createFails("Tunnel", { resourceName: `t-${type}`, name: `t${type}`, namespace: A, type, dev: "ua", local: "192.0.2.1", remote: "192.0.2.2", __owner: mine });
        expect(err.hint).toBe(line);
        expect(err.hint).toBe(missingFeature(type));
        expect(err.hint).not.toContain("\n");
        expectErrorShape(err, { kind: "Tunnel", name: `t-${type}`, op: "create", command: new RegExp(`^ip -n \\S+ -batch -$`), stderr: /Unknown device type/, hint: /^this kernel has no / });
        expect(err.message).toContain(`link add name t${type} mtu ${type === "ipip" ? 1480 : 1476} up type ${type} local 192.0.2.1 remote 192.0.2.2 dev ua`);
        expect(await vx(A, `t${type}`)).toBeUndefined();
    });
});
