// Each resource kind (Namespace, VethPair, Address, Route, Sysctl, Bridge, Rule) through the
// real Pulumi CLI, one stack per kind, steps in order:
//   up, then a preview that plans nothing; a change made in place (plan "update X", identity kept);
//   a change that replaces (plan "replace X", old object gone, new one there); drift made by hand
//   (refresh reports it, up repairs it); a destroy of that resource alone, then of the stack.
// Adoption is in adoption.test.ts, rejected inputs in validation.test.ts.
//
// What the CLI prints, as observed with pulumi 3.259: `preview --json` shows a replacement as one
// step with op "replace" (the create-replacement/delete-replaced pair is collapsed) and
// replaceReasons naming the inputs; an in-place change is op "update" with no diffReasons (the
// dynamic provider returns no per-property diff). `refresh` prints "<type> <name> deleted" for an
// object that is gone (it leaves the state) and "<type> <name> updated" when its state changed.
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import {
    addresses, config, destroyOnly, link, linkNames, ref, refreshVerdict, replaceReasons, route, rules, sh, stateResources, sysctl, type Spec,
} from "./resource-support";

const prefix = filePrefix("res");
const { stacks } = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

async function newStack(tag: string, specs: Spec[]): Promise<TestStack> {
    const s = await TestStack.create(`${prefix}${tag}`, FIXTURE, config(specs));
    stacks.push(s);
    return s;
}

async function idOf(stack: TestStack, name: string): Promise<string | undefined> {
    return (await stack.resource(name))?.id;
}

describe("Namespace", () => {
    let stack: TestStack;
    const n1 = `${prefix}n1`;
    const n2 = `${prefix}n2`;
    const specs = (name: string, extra: Record<string, unknown> = {}): Spec[] => [{ kind: "Namespace", name: "n", args: { name, ...extra } }];

    it("up creates it with lo up, and a second preview plans no change", async () => {
        stack = await newStack("ns", specs(n1));
        await stack.up();
        expect(await namespaces()).toContain(n1);
        expect(await linkNames(n1)).toEqual(["lo"]);
        expect((await link(n1, "lo"))?.flags).toContain("UP");
        expect(await idOf(stack, "n")).toBe(n1);
        await stack.expectNoChanges();
    });

    it("has no in-place property: its name is its identity, and adopt alone changes nothing", async () => {
        // A namespace has nothing to update in place: `name` replaces it, and `adopt` only matters
        // at create time, so flipping it plans no step at all.
        await stack.setConfig(config(specs(n1, { adopt: true })));
        expect(await stack.changes()).toEqual([]);
        await stack.expectNoChanges();
    });

    it("a new name replaces it: the old namespace is gone and the new one exists", async () => {
        await stack.setConfig(config(specs(n2)));
        expect(await stack.changes()).toEqual(["replace n"]);
        expect(await replaceReasons(stack)).toEqual({ n: ["name"] });
        await stack.up();
        const now = await namespaces();
        expect(now).toContain(n2);
        expect(now).not.toContain(n1);
        expect(await idOf(stack, "n")).toBe(n2);
        await stack.expectNoChanges();
    });

    it("refresh drops it after `ip netns del`, and up makes it again", async () => {
        await sh("ip", "netns", "del", n2);
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Namespace", "n")).toBe("deleted");
        expect(await stack.resource("n")).toBeUndefined();
        expect(await stack.changes()).toEqual(["create n"]);
        await stack.up();
        expect(await namespaces()).toContain(n2);
        expect((await link(n2, "lo"))?.flags).toContain("UP");
        await stack.expectNoChanges();
    });

    it("destroy removes it", async () => {
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(n1);
        expect(now).not.toContain(n2);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("VethPair", () => {
    let stack: TestStack;
    const a = `${prefix}v-a`;
    const b = `${prefix}v-b`;
    const specs = (pair: Record<string, unknown> = {}, peerName = "vb"): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Namespace", name: "b", args: { name: b } },
        { kind: "VethPair", name: "v", args: { name: "va", namespace: ref("a", "name"), peerName, peerNamespace: ref("b", "name"), ...pair } },
    ];
    const inPlace = { mtu: 1400, address: "02:00:00:00:00:0a", peerUp: false };

    it("up creates both ends, peers of each other and up, and a second preview plans no change", async () => {
        stack = await newStack("veth", specs());
        await stack.up();
        const [x, y] = [await link(a, "va"), await link(b, "vb")];
        expect(x?.linkinfo?.info_kind).toBe("veth");
        expect(y?.linkinfo?.info_kind).toBe("veth");
        expect(x?.link_index).toBe(y?.ifindex);
        expect(y?.link_index).toBe(x?.ifindex);
        expect(x?.flags).toContain("UP");
        expect(y?.flags).toContain("UP");
        await stack.expectNoChanges();
    });

    it("mtu, MAC address and admin state change in place: same ifindex on both ends", async () => {
        const [x0, y0] = [await link(a, "va"), await link(b, "vb")];
        const id = await idOf(stack, "v");
        await stack.setConfig(config(specs(inPlace)));
        expect(await stack.changes()).toEqual(["update v"]);
        await stack.up();
        const [x, y] = [await link(a, "va"), await link(b, "vb")];
        expect(x?.ifindex).toBe(x0?.ifindex);
        expect(y?.ifindex).toBe(y0?.ifindex);
        expect(x?.mtu).toBe(1400);
        expect(y?.mtu).toBe(1400); // the peer follows mtu unless peerMtu is given
        expect(x?.address).toBe("02:00:00:00:00:0a");
        expect(x?.flags).toContain("UP");
        expect(y?.flags).not.toContain("UP");
        expect(await idOf(stack, "v")).toBe(id);
        expect((await stack.resource("v"))?.outputs).toMatchObject({ ifindex: x0?.ifindex, peerIfindex: y0?.ifindex });
        await stack.expectNoChanges();
    });

    it("renaming an end replaces the pair: the old end is gone, the new pair exists", async () => {
        await stack.setConfig(config(specs(inPlace, "vc")));
        expect(await stack.changes()).toEqual(["replace v"]);
        expect(await replaceReasons(stack)).toEqual({ v: ["peerName"] });
        await stack.up();
        expect(await link(b, "vb")).toBeUndefined();
        const [x, y] = [await link(a, "va"), await link(b, "vc")];
        expect(y?.linkinfo?.info_kind).toBe("veth");
        expect(x?.link_index).toBe(y?.ifindex);
        expect(y?.link_index).toBe(x?.ifindex);
        expect([x?.mtu, y?.mtu]).toEqual([1400, 1400]);
        expect(y?.flags).not.toContain("UP");
        expect(await linkNames(b)).toEqual(["lo", "vc"]);
        await stack.expectNoChanges();
    });

    it("refresh drops it after `ip link del`, and up makes it again", async () => {
        await sh("ip", "-n", a, "link", "del", "dev", "va"); // takes the peer with it
        expect(await linkNames(b)).toEqual(["lo"]);
        const r = await stack.refresh();
        expect(refreshVerdict(r, "VethPair", "v")).toBe("deleted");
        expect(refreshVerdict(r, "Namespace", "a")).toBe("unchanged");
        expect(await stack.resource("v")).toBeUndefined();
        expect(await stack.changes()).toEqual(["create v"]);
        await stack.up();
        const [x, y] = [await link(a, "va"), await link(b, "vc")];
        expect(x?.link_index).toBe(y?.ifindex);
        expect([x?.mtu, y?.mtu]).toEqual([1400, 1400]);
        await stack.expectNoChanges();
    });

    it("refresh drops it when two unrelated veths took its names and settings (each with its peer elsewhere), and up refuses them as unmarked", async () => {
        const [c, d] = [`${prefix}v-c`, `${prefix}v-d`];
        const [x0, y0] = [await link(a, "va"), await link(b, "vc")];
        await sh("ip", "-n", a, "link", "del", "dev", "va");
        await sh("ip", "netns", "add", c);
        await sh("ip", "netns", "add", d);
        try {
            // va's peer is index 3902 in c and vc's peer index 3901 in d: as the kernel numbers
            // per namespace, the indexes alone would say "peers".
            await sh("ip", "-n", a, "link", "add", "name", "va", "index", "3901", "mtu", "1400", "address", x0!.address, "up", "type", "veth", "peer", "name", "vx", "index", "3902", "netns", c);
            await sh("ip", "-n", b, "link", "add", "name", "vc", "index", "3902", "mtu", "1400", "address", y0!.address, "type", "veth", "peer", "name", "vy", "index", "3901", "netns", d);
            const r = await stack.refresh();
            expect(refreshVerdict(r, "VethPair", "v")).toBe("deleted");
            expect(await stack.resource("v")).toBeUndefined();
            const up = await stack.run(["up", "--yes", "--skip-preview"]);
            expect(up.exitCode).not.toBe(0);
            expect(`${up.stdout}\n${up.stderr}`).toMatch(/carries no ownership mark/);
            expect((await link(a, "va"))?.ifindex).toBe(3901); // refused: left as it was
        } finally {
            // Whatever of the hand-made scene exists (a failure above may have come first).
            for (const argv of [["-n", a, "link", "del", "dev", "va"], ["-n", b, "link", "del", "dev", "vc"], ["netns", "del", c], ["netns", "del", d]]) {
                await sh("ip", ...argv).catch(() => undefined);
            }
        }
        await stack.up();
        const [x, y] = [await link(a, "va"), await link(b, "vc")];
        expect(x?.link_index).toBe(y?.ifindex);
        await stack.expectNoChanges();
    });

    it("destroy removes both ends, then the namespaces", async () => {
        await destroyOnly(stack, "v");
        expect(await linkNames(a)).toEqual(["lo"]);
        expect(await linkNames(b)).toEqual(["lo"]);
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(a);
        expect(now).not.toContain(b);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("Address", () => {
    let stack: TestStack;
    const a = `${prefix}a-a`;
    const b = `${prefix}a-b`;
    const specs = (v4: string, extra: Record<string, unknown> = {}): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Namespace", name: "b", args: { name: b } },
        { kind: "VethPair", name: "v", args: { name: "va", namespace: ref("a", "name"), peerName: "vb", peerNamespace: ref("b", "name") } },
        { kind: "Address", name: "ad", args: { namespace: ref("a", "name"), dev: ref("v", "name"), address: v4, ...extra } },
        { kind: "Address", name: "ad6", args: { namespace: ref("a", "name"), dev: ref("v", "name"), address: "2001:db8::1/64" } },
    ];

    it("up adds an IPv4 and an IPv6 address, and a second preview plans no change", async () => {
        stack = await newStack("addr", specs("192.0.2.1/24"));
        await stack.up();
        expect(await addresses(a, "va")).toEqual(["192.0.2.1/24", "2001:db8::1/64"]);
        await stack.expectNoChanges();
    });

    it("has no in-place property: every input is part of its identity, and adopt alone changes nothing", async () => {
        // An address is known to the kernel by (namespace, dev, address): each of these replaces
        // it. `adopt` only matters at create time, so flipping it plans no step.
        await stack.setConfig(config(specs("192.0.2.1/24", { adopt: true })));
        expect(await stack.changes()).toEqual([]);
        await stack.expectNoChanges();
    });

    it("a new address replaces it: the old one is gone, the new one is there", async () => {
        await stack.setConfig(config(specs("192.0.2.9/24")));
        expect(await stack.changes()).toEqual(["replace ad"]);
        expect(await replaceReasons(stack)).toEqual({ ad: ["address"] });
        await stack.up();
        expect(await addresses(a, "va")).toEqual(["192.0.2.9/24", "2001:db8::1/64"]);
        await stack.expectNoChanges();
    });

    it("refresh drops them after `ip address del`, and up adds them again", async () => {
        await sh("ip", "-n", a, "address", "del", "192.0.2.9/24", "dev", "va");
        await sh("ip", "-n", a, "address", "del", "2001:db8::1/64", "dev", "va");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Address", "ad")).toBe("deleted");
        expect(refreshVerdict(r, "Address", "ad6")).toBe("deleted");
        expect(refreshVerdict(r, "VethPair", "v")).toBe("unchanged");
        expect(await stack.resource("ad")).toBeUndefined();
        expect(await stack.resource("ad6")).toBeUndefined();
        expect(await stack.changes()).toEqual(["create ad", "create ad6"]);
        await stack.up();
        expect(await addresses(a, "va")).toEqual(["192.0.2.9/24", "2001:db8::1/64"]);
        await stack.expectNoChanges();
    });

    it("destroy removes the addresses (the interface stays), then everything", async () => {
        await destroyOnly(stack, "ad", "ad6");
        expect(await link(a, "va")).toBeDefined();
        expect(await addresses(a, "va")).toEqual([]);
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(a);
        expect(now).not.toContain(b);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("Route", () => {
    let stack: TestStack;
    const a = `${prefix}r-a`;
    const b = `${prefix}r-b`;
    const specs = (to: string, via: string): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Namespace", name: "b", args: { name: b } },
        { kind: "VethPair", name: "v", args: { name: "va", namespace: ref("a", "name"), peerName: "vb", peerNamespace: ref("b", "name") } },
        { kind: "Address", name: "ad", args: { namespace: ref("a", "name"), dev: ref("v", "name"), address: "192.0.2.1/24" } },
        { kind: "Address", name: "ad6", args: { namespace: ref("a", "name"), dev: ref("v", "name"), address: "2001:db8::1/64" } },
        { kind: "Route", name: "r", args: { namespace: ref("a", "name"), to, via }, dependsOn: ["ad"] },
        { kind: "Route", name: "r6", args: { namespace: ref("a", "name"), to: "2001:db8:2::/64", via: "2001:db8::2" }, dependsOn: ["ad6"] },
    ];

    it("up adds IPv4 and IPv6 routes through gateways, and a second preview plans no change", async () => {
        stack = await newStack("route", specs("198.51.100.0/24", "192.0.2.2"));
        await stack.up();
        expect(await route(a, "198.51.100.0/24")).toMatchObject({ gateway: "192.0.2.2", dev: "va" });
        expect(await route(a, "2001:db8:2::/64")).toMatchObject({ gateway: "2001:db8::2", dev: "va" });
        await stack.expectNoChanges();
    });

    it("a new gateway on the same segment changes it in place", async () => {
        const id = await idOf(stack, "r");
        await stack.setConfig(config(specs("198.51.100.0/24", "192.0.2.3")));
        expect(await stack.changes()).toEqual(["update r"]);
        await stack.up();
        expect(await route(a, "198.51.100.0/24")).toMatchObject({ gateway: "192.0.2.3", dev: "va" });
        expect((await stack.resource("r"))?.id).toBe(id);
        await stack.expectNoChanges();
    });

    it("a new destination replaces it: the old route is gone, the new one is there", async () => {
        await stack.setConfig(config(specs("203.0.113.0/24", "192.0.2.3")));
        expect(await stack.changes()).toEqual(["replace r"]);
        expect(await replaceReasons(stack)).toEqual({ r: ["to"] });
        await stack.up();
        expect(await route(a, "198.51.100.0/24")).toBeUndefined();
        expect(await route(a, "203.0.113.0/24")).toMatchObject({ gateway: "192.0.2.3", dev: "va" });
        await stack.expectNoChanges();
    });

    it("refresh drops them after `ip route del`, and up adds them again", async () => {
        await sh("ip", "-n", a, "-4", "route", "del", "203.0.113.0/24");
        await sh("ip", "-n", a, "-6", "route", "del", "2001:db8:2::/64");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Route", "r")).toBe("deleted");
        expect(refreshVerdict(r, "Route", "r6")).toBe("deleted");
        expect(refreshVerdict(r, "Address", "ad")).toBe("unchanged");
        expect(await stack.resource("r")).toBeUndefined();
        expect(await stack.changes()).toEqual(["create r", "create r6"]);
        await stack.up();
        expect(await route(a, "203.0.113.0/24")).toMatchObject({ gateway: "192.0.2.3" });
        expect(await route(a, "2001:db8:2::/64")).toMatchObject({ gateway: "2001:db8::2" });
        await stack.expectNoChanges();
    });

    it("refresh records a gateway changed by hand, and up sets it back in place", async () => {
        await sh("ip", "-n", a, "-4", "route", "replace", "203.0.113.0/24", "via", "192.0.2.4");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Route", "r")).toBe("updated");
        expect((await stack.resource("r"))?.outputs.via).toBe("192.0.2.4");
        expect(await stack.changes()).toEqual(["update r"]);
        await stack.up();
        expect(await route(a, "203.0.113.0/24")).toMatchObject({ gateway: "192.0.2.3" });
        await stack.expectNoChanges();
    });

    it("destroy removes the routes (the connected route stays), then everything", async () => {
        await destroyOnly(stack, "r", "r6");
        expect(await route(a, "203.0.113.0/24")).toBeUndefined();
        expect(await route(a, "2001:db8:2::/64")).toBeUndefined();
        expect(await route(a, "192.0.2.0/24")).toMatchObject({ dev: "va", protocol: "kernel" });
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(a);
        expect(now).not.toContain(b);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("Sysctl", () => {
    let stack: TestStack;
    const a = `${prefix}s-a`;
    const TTL = "net.ipv4.ip_default_ttl";
    const HOPS = "net.ipv6.conf.default.hop_limit";
    const specs = (key: string, value: string): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Sysctl", name: "s", args: { namespace: ref("a", "name"), key, value } },
    ];

    it("up sets the value and records the one it found, and a second preview plans no change", async () => {
        stack = await newStack("sysctl", specs(TTL, "65"));
        await stack.up();
        expect(await sysctl(a, TTL)).toBe("65");
        expect((await stack.resource("s"))?.outputs).toMatchObject({ value: "65", previous: "64" });
        await stack.expectNoChanges();
    });

    it("a new value changes it in place", async () => {
        const id = await idOf(stack, "s");
        await stack.setConfig(config(specs(TTL, "66")));
        expect(await stack.changes()).toEqual(["update s"]);
        await stack.up();
        expect(await sysctl(a, TTL)).toBe("66");
        expect((await stack.resource("s"))?.id).toBe(id);
        expect((await stack.resource("s"))?.outputs).toMatchObject({ value: "66", previous: "64" });
        await stack.expectNoChanges();
    });

    it("a new key replaces it: the old key is set back, the new one is set", async () => {
        await stack.setConfig(config(specs(HOPS, "66")));
        expect(await stack.changes()).toEqual(["replace s"]);
        expect(await replaceReasons(stack)).toEqual({ s: ["key"] });
        await stack.up();
        expect(await sysctl(a, TTL)).toBe("64");
        expect(await sysctl(a, HOPS)).toBe("66");
        await stack.expectNoChanges();
    });

    it("refresh records a value set back by hand, and up sets it again", async () => {
        await sh("ip", "netns", "exec", a, "sysctl", "-q", "-w", `${HOPS}=64`);
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Sysctl", "s")).toBe("updated");
        expect((await stack.resource("s"))?.outputs.value).toBe("64");
        expect(await stack.changes()).toEqual(["update s"]);
        await stack.up();
        expect(await sysctl(a, HOPS)).toBe("66");
        await stack.expectNoChanges();
    });

    it("destroy restores the value found before create, then removes the namespace", async () => {
        await destroyOnly(stack, "s");
        expect(await sysctl(a, HOPS)).toBe("64");
        await stack.destroy();
        expect(await namespaces()).not.toContain(a);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("Bridge", () => {
    let stack: TestStack;
    const a = `${prefix}b-a`;
    const b = `${prefix}b-b`;
    // A bridge with one port: the end of a pair whose master is the bridge's name output.
    const specs = (bridge: Record<string, unknown> = {}, name = "br0"): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Namespace", name: "b", args: { name: b } },
        { kind: "Bridge", name: "br", args: { name, namespace: ref("a", "name"), ...bridge } },
        { kind: "VethPair", name: "v", args: { name: "port0", namespace: ref("a", "name"), peerName: "eth0", peerNamespace: ref("b", "name"), master: ref("br", "name") } },
    ];

    it("up creates it, up, with its port, and a second preview plans no change", async () => {
        stack = await newStack("bridge", specs());
        await stack.up();
        const br = await link(a, "br0");
        expect(br?.linkinfo?.info_kind).toBe("bridge");
        expect(br?.flags).toContain("UP");
        expect((await link(a, "port0"))?.master).toBe("br0");
        expect((await stack.resource("br"))?.outputs).toMatchObject({ ifindex: br?.ifindex });
        await stack.expectNoChanges();
    });

    it("mtu and admin state change in place: same ifindex, the port stays", async () => {
        const br0 = await link(a, "br0");
        await stack.setConfig(config(specs({ mtu: 1400, up: false })));
        expect(await stack.changes()).toEqual(["update br"]);
        await stack.up();
        const br = await link(a, "br0");
        expect(br?.ifindex).toBe(br0?.ifindex);
        expect(br?.mtu).toBe(1400);
        expect(br?.flags).not.toContain("UP");
        expect((await link(a, "port0"))?.master).toBe("br0");
        await stack.expectNoChanges();
    });

    it("a new name replaces it: the old bridge is gone, the port joins the new one", async () => {
        await stack.setConfig(config(specs({ mtu: 1400, up: false }, "br1")));
        const plan = await stack.changes();
        expect(plan).toContain("replace br");
        // The kernel releases a deleted bridge's ports, so the pair on it is replaced with it
        // (replaceWith, docs/reference.md "Replaced and deleted together"): no property of its own changed.
        expect(plan).toContain("replace v");
        expect(await replaceReasons(stack)).toEqual({ br: ["name"], v: [] });
        await stack.up();
        expect(await link(a, "br0")).toBeUndefined();
        const br = await link(a, "br1");
        expect(br?.linkinfo?.info_kind).toBe("bridge");
        expect(br?.mtu).toBe(1400);
        expect((await link(a, "port0"))?.master).toBe("br1");
        await stack.expectNoChanges();
    });

    it("refresh drops it after `ip link del`, and up makes it again", async () => {
        await sh("ip", "-n", a, "link", "del", "dev", "br1");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Bridge", "br")).toBe("deleted");
        expect(await stack.resource("br")).toBeUndefined();
        await stack.up();
        expect((await link(a, "br1"))?.linkinfo?.info_kind).toBe("bridge");
        expect((await link(a, "port0"))?.master).toBe("br1"); // deleting the bridge released the port; up set it again
        await stack.expectNoChanges();
    });

    it("destroy removes it, then everything", async () => {
        await destroyOnly(stack, "v", "br");
        expect(await linkNames(a)).toEqual(["lo"]);
        await stack.destroy();
        const now = await namespaces();
        expect(now).not.toContain(a);
        expect(now).not.toContain(b);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("Rule", () => {
    let stack: TestStack;
    const a = `${prefix}u-a`;
    const specs = (rule: Record<string, unknown>): Spec[] => [
        { kind: "Namespace", name: "a", args: { name: a } },
        { kind: "Rule", name: "rl", args: { namespace: ref("a", "name"), priority: 1000, from: "192.0.2.0/28", lookup: 100, ...rule } },
    ];

    it("up adds it, and a second preview plans no change", async () => {
        stack = await newStack("rule", specs({}));
        await stack.up();
        expect(await rules(a, 1000)).toEqual([expect.objectContaining({ src: "192.0.2.0", srclen: 28, table: "100" })]);
        await stack.expectNoChanges();
    });

    it("a new table changes it in place: one rule at the priority, the new table", async () => {
        const id = (await stack.resource("rl"))?.id;
        await stack.setConfig(config(specs({ lookup: 200 })));
        expect(await stack.changes()).toEqual(["update rl"]);
        await stack.up();
        expect(await rules(a, 1000)).toEqual([expect.objectContaining({ src: "192.0.2.0", srclen: 28, table: "200" })]);
        expect((await stack.resource("rl"))?.id).toBe(id);
        await stack.expectNoChanges();
    });

    it("a new selector replaces it: the old rule is gone, the new one is there", async () => {
        await stack.setConfig(config(specs({ lookup: 200, from: "192.0.2.16/28" })));
        expect(await stack.changes()).toEqual(["replace rl"]);
        expect(await replaceReasons(stack)).toEqual({ rl: ["from"] });
        await stack.up();
        expect(await rules(a, 1000)).toEqual([expect.objectContaining({ src: "192.0.2.16", srclen: 28, table: "200" })]);
        await stack.expectNoChanges();
    });

    it("refresh drops it after `ip rule del`, and up adds it again", async () => {
        await sh("ip", "-n", a, "-4", "rule", "del", "priority", "1000");
        expect(await rules(a, 1000)).toEqual([]);
        const r = await stack.refresh();
        expect(refreshVerdict(r, "Rule", "rl")).toBe("deleted");
        expect(await stack.changes()).toEqual(["create rl"]);
        await stack.up();
        expect(await rules(a, 1000)).toEqual([expect.objectContaining({ src: "192.0.2.16", table: "200" })]);
        await stack.expectNoChanges();
    });

    it("destroy removes it (the kernel's own rules stay), then the namespace", async () => {
        await destroyOnly(stack, "rl");
        expect(await rules(a, 1000)).toEqual([]);
        expect((await rules(a, 32766)).map((x) => x.table)).toEqual(["main"]);
        await stack.destroy();
        expect(await namespaces()).not.toContain(a);
        expect(await stateResources(stack)).toEqual([]);
    });
});
