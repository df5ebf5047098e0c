// Tunnel through the real Pulumi CLI: two namespaces joined by a veth underlay (192.0.2.1/30 ---
// 192.0.2.2/30) and a VXLAN between them (inner 198.51.100.1/30 --- 198.51.100.2/30). Steps in
// order: up (the inner addresses ping, the MTU is the underlay's minus 50), a change in place
// (plan "update", ifindex kept), a change that replaces (replaceReasons vni), drift made by hand
// (refresh reports it, up repairs it), a destroy of the tunnels alone (no tunnel device left,
// the underlay stays), an ipip tunnel that this kernel lacks (up fails with its one line), destroy.
import { describe, expect, it } from "vitest";
import { missingFeature } from "../../provider/kinds/tunnel";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { config, destroyOnly, link, linkNames, ref, refreshVerdict, replaceReasons, sh, upFails, type Spec } from "./resource-support";

const prefix = filePrefix("tun");
const { stacks } = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)
const A = `${prefix}a`;
const B = `${prefix}b`;

interface VxJson { ifindex: number; mtu: number; flags: string[]; linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; learning?: boolean } } }
const vx = async (ns: string) => (await link(ns, "vx0")) as unknown as VxJson | undefined;
const ping = (ns: string, to: string) => sh("ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "2", to);

const specs = (ta: Record<string, unknown> = {}, tb: Record<string, unknown> = {}, tunnels = true): Spec[] => [
    { kind: "Namespace", name: "a", args: { name: A } },
    { kind: "Namespace", name: "b", args: { name: B } },
    { kind: "VethPair", name: "under", args: { name: "ua", namespace: ref("a", "name"), peerName: "ub", peerNamespace: ref("b", "name"), addresses: ["192.0.2.1/30"], peerAddresses: ["192.0.2.2/30"] } },
    ...(tunnels ? [
        { kind: "Tunnel" as const, name: "ta", args: { name: "vx0", namespace: ref("a", "name"), type: "vxlan", vni: 42, dev: ref("under", "name"), local: "192.0.2.1", remote: "192.0.2.2", addresses: ["198.51.100.1/30"], ...ta } },
        { kind: "Tunnel" as const, name: "tb", args: { name: "vx0", namespace: ref("b", "name"), type: "vxlan", vni: 42, dev: ref("under", "peerName"), local: "192.0.2.2", remote: "192.0.2.1", addresses: ["198.51.100.2/30"], ...tb } },
    ] : []),
];

describe("Tunnel (vxlan) through the CLI", () => {
    let stack: TestStack;

    it("up makes both ends: the inner addresses ping across the underlay; the MTU output is 1450; a second preview plans nothing", async () => {
        stack = await TestStack.create(`${prefix}stack`, FIXTURE, config(specs()));
        stacks.push(stack);
        await stack.up();
        const a = await vx(A);
        expect(a?.linkinfo?.info_kind).toBe("vxlan");
        expect(a?.mtu).toBe(1450);
        expect((await stack.resource("ta"))?.outputs).toMatchObject({ mtu: 1450, ifindex: a?.ifindex, dstport: 4789, learning: true });
        await ping(A, "198.51.100.2");
        await stack.expectNoChanges();
    });

    it("mtu and learning change in place: plan update, same ifindex, still pings", async () => {
        const before = (await vx(A))!.ifindex;
        await stack.setConfig(config(specs({ mtu: 1400, learning: false })));
        expect(await stack.changes()).toEqual(["update ta"]);
        await stack.up();
        const a = (await vx(A))!;
        expect(a.ifindex).toBe(before);
        expect(a.mtu).toBe(1400);
        expect(a.linkinfo?.info_data?.learning).toBe(false);
        await ping(A, "198.51.100.2");
        await stack.expectNoChanges();
    });

    it("a new VNI replaces both ends, and nothing else; they ping again", async () => {
        await stack.setConfig(config(specs({ mtu: 1400, learning: false, vni: 43 }, { vni: 43 })));
        expect(await stack.changes()).toEqual(["replace ta", "replace tb"]);
        expect(await replaceReasons(stack)).toEqual({ ta: ["vni"], tb: ["vni"] });
        await stack.up();
        expect((await vx(A))?.linkinfo?.info_data?.id).toBe(43);
        await ping(A, "198.51.100.2");
        await stack.expectNoChanges();
    });

    it("drift made by hand (down, another remote) is seen by refresh and repaired by up in place", async () => {
        const before = (await vx(B))!.ifindex;
        await sh("ip", "-n", B, "link", "set", "dev", "vx0", "down");
        await sh("ip", "-n", B, "link", "set", "dev", "vx0", "type", "vxlan", "remote", "192.0.2.9");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Tunnel", "tb")).toBe("updated");
        expect((await stack.resource("tb"))?.outputs).toMatchObject({ up: false, remote: "192.0.2.9" });
        expect(await stack.changes()).toEqual(["update tb"]);
        await stack.up();
        const b = (await vx(B))!;
        expect(b.ifindex).toBe(before);
        expect(b.flags).toContain("UP");
        expect(b.linkinfo?.info_data?.remote).toBe("192.0.2.1");
        await ping(A, "198.51.100.2");
        await stack.expectNoChanges();
    });

    it("destroy of the tunnels leaves no tunnel device, and the underlay", async () => {
        await destroyOnly(stack, "ta", "tb");
        expect(await linkNames(A)).toEqual(["lo", "ua"]);
        expect(await linkNames(B)).toEqual(["lo", "ub"]);
    });

    it("an ipip tunnel on this kernel (no CONFIG_NET_IPIP): up fails with its one line, and makes no tunnel", async () => {
        await stack.setConfig(config([...specs({}, {}, false),
            { kind: "Tunnel", name: "tip", args: { name: "tip0", namespace: ref("a", "name"), type: "ipip", dev: ref("under", "name"), local: "192.0.2.1", remote: "192.0.2.2" } }]));
        const out = await upFails(stack);
        expect(out).toContain(`hint:    ${missingFeature("ipip")}`);
        expect(await linkNames(A)).toEqual(["lo", "ua"]);
    });

    it("destroy removes the rest", async () => {
        await stack.setConfig(config(specs({}, {}, false)));
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(A);
        expect(now).not.toContain(B);
    });
});
