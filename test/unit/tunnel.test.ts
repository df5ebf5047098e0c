// The Tunnel kind without a kernel: its argv for each type, its reading of `ip -j -d link show`
// (vxlan as this kernel prints it; ipip and gre as iproute2 prints them on a kernel that has them),
// what check accepts and refuses, its exact plans, and the one line for a type the kernel lacks.
import { describe, expect, it } from "vitest";
import { validate } from "../../provider/kinds/schemas";
import { providers } from "../../provider/impl";
import { argv, hint, liveInputs, missingFeature, parseLink, tunnel, type TunnelJson, type TunnelSpec } from "../../provider/kinds/tunnel";
import { addMarked } from "../../provider/kinds/link";

type Raw = Record<string, unknown>;
const BASE: Raw = { name: "vx0", namespace: "ns1", type: "vxlan", vni: 42, dev: "veth0", local: "192.0.2.1", remote: "192.0.2.2" };
const inputs = (patch: Raw): Raw => {
    const raw: Raw = { ...BASE, ...patch };
    for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
    return raw;
};
const spec = (patch: Raw): TunnelSpec => {
    const r = validate("Tunnel", inputs(patch));
    expect(r.failures).toEqual([]);
    return tunnel.normalize!(r.inputs as unknown as TunnelSpec); // as check gives it (impl.ts)
};

describe("argv", () => {
    it("vxlan: the ip words in order, with the MTU, the IANA port and learning said", () => {
        expect(argv.add(spec({}), 1450)).toEqual(["ip", "-n", "ns1", "link", "add", "name", "vx0", "mtu", "1450", "up", "type", "vxlan",
            "id", "42", "local", "192.0.2.1", "remote", "192.0.2.2", "dstport", "4789", "learning", "dev", "veth0"]);
        expect(argv.add(spec({ remote: undefined, local: undefined, group: "239.1.1.1", learning: false, dstport: 8472, srcport: { min: 32768, max: 61000 }, up: false }), 1400))
            .toEqual(["ip", "-n", "ns1", "link", "add", "name", "vx0", "mtu", "1400", "type", "vxlan", "id", "42", "group", "239.1.1.1", "dstport", "8472", "srcport", "32768", "61000", "nolearning", "dev", "veth0"]);
    });

    it.each(["ipip", "gre"] as const)("%s: local, remote and dev, no VXLAN words", (type) => {
        expect(argv.add(spec({ type, vni: undefined }), 1480)).toEqual(["ip", "-n", "ns1", "link", "add", "name", "vx0", "mtu", "1480", "up", "type", type, "local", "192.0.2.1", "remote", "192.0.2.2", "dev", "veth0"]);
        expect(argv.setType({ name: "vx0", namespace: "ns1", type }, { remote: "192.0.2.9" })).toEqual(["ip", "-n", "ns1", "link", "set", "dev", "vx0", "type", type, "remote", "192.0.2.9"]);
    });

    it("update: MTU and admin state in one command, the encapsulation in another (the kernel refuses both in one)", () => {
        expect(argv.set({ name: "vx0", namespace: "ns1" }, { mtu: 1400, up: false })).toEqual(["ip", "-n", "ns1", "link", "set", "dev", "vx0", "mtu", "1400", "down"]);
        expect(argv.setType({ name: "vx0", namespace: "ns1", type: "vxlan" }, { local: "192.0.2.5", remote: "192.0.2.9", learning: false }))
            .toEqual(["ip", "-n", "ns1", "link", "set", "dev", "vx0", "type", "vxlan", "local", "192.0.2.5", "remote", "192.0.2.9", "nolearning"]);
    });

    it("with a mark: the add and the alias in one batch; show, underlay, del", () => {
        const m = addMarked(argv.add(spec({}), 1450), "vx0", "pulumi-netns/1 p/s Tunnel t");
        expect(m.argv).toEqual(["ip", "-n", "ns1", "-batch", "-"]);
        expect(m.input).toBe('link add name vx0 mtu 1450 up type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789 learning dev veth0\nlink set dev vx0 alias "pulumi-netns/1 p/s Tunnel t"\n');
        expect(argv.show({ name: "vx0", namespace: "ns1" })).toEqual(["ip", "-n", "ns1", "-j", "-d", "link", "show", "dev", "vx0"]);
        expect(argv.underlay({ namespace: "ns1", dev: "veth0" })).toEqual(["ip", "-n", "ns1", "-j", "link", "show", "dev", "veth0"]);
        expect(argv.del({ name: "vx0", namespace: "ns1" })).toEqual(["ip", "-n", "ns1", "link", "del", "dev", "vx0"]);
    });
});

describe("reading `ip -j -d link show`", () => {
    const vxlan: TunnelJson = { ifindex: 3, flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1450, address: "f6:c1:82:3e:d3:c0", ifalias: "pulumi-netns/1 p/s Tunnel t",
        linkinfo: { info_kind: "vxlan", info_data: { id: 42, remote: "192.0.2.2", local: "192.0.2.1", link: "veth0", port_range: { low: 0, high: 0 }, port: 4789, learning: true } } };
    it("vxlan, as this kernel prints it", () => {
        expect(parseLink(vxlan)).toEqual({ ifindex: 3, mtu: 1450, mac: "f6:c1:82:3e:d3:c0", up: true, alias: "pulumi-netns/1 p/s Tunnel t", type: "vxlan", dev: "veth0", vni: 42,
            local: "192.0.2.1", remote: "192.0.2.2", group: undefined, dstport: 4789, srcport: undefined, learning: true });
        const g = parseLink({ ...vxlan, linkinfo: { info_kind: "vxlan", info_data: { id: 44, group: "239.1.1.1", link: "veth0", port_range: { low: 32768, high: 61000 }, port: 8472, learning: false } } });
        expect(g).toMatchObject({ group: "239.1.1.1", remote: undefined, srcport: { min: 32768, max: 61000 }, dstport: 8472, learning: false });
    });

    it.each(["ipip", "gre"])("%s, as iproute2 prints it (no MAC; remote any is none)", (type) => {
        const l = parseLink({ ifindex: 5, flags: ["POINTOPOINT", "NOARP", "UP"], mtu: 1480, address: "192.0.2.1", linkinfo: { info_kind: type, info_data: { remote: "192.0.2.2", local: "192.0.2.1", link: "veth0" } } });
        expect(l).toMatchObject({ type, mac: "", up: true, remote: "192.0.2.2", local: "192.0.2.1", dev: "veth0", vni: undefined });
        expect(parseLink({ ifindex: 5, flags: [], mtu: 1476, linkinfo: { info_kind: type, info_data: { remote: "any", local: "any" } } })).toMatchObject({ remote: undefined, local: undefined, up: false });
    });

    it("drift is read under the input names: what was given, and the MTU always", () => {
        const stored = { ...spec({}), mtu: 1450, ifindex: 3, mac: "f6:c1:82:3e:d3:c0" } as never;
        const l = parseLink({ ...vxlan, flags: ["BROADCAST"], mtu: 1400, linkinfo: { info_kind: "vxlan", info_data: { ...vxlan.linkinfo!.info_data!, remote: "192.0.2.9", learning: false } } });
        expect(liveInputs(stored, l)).toMatchObject({ up: false, mtu: 1400, remote: "192.0.2.9", learning: false, vni: 42, dstport: 4789, dev: "veth0" });
        const ipip = { ...spec({ type: "ipip", vni: undefined }), mtu: 1480 } as never;
        expect(Object.keys(liveInputs(ipip, parseLink({ ifindex: 5, flags: ["UP"], mtu: 1480, linkinfo: { info_kind: "ipip", info_data: { remote: "192.0.2.2", local: "192.0.2.1", link: "veth0" } } }))))
            .not.toContain("vni");
    });
});

describe("check", () => {
    it.each([
        ["a vxlan with the defaults said", {}, { dstport: 4789, learning: true, up: true }],
        ["a vxlan segment (group, no remote)", { remote: undefined, group: "239.1.1.1" }, { group: "239.1.1.1" }],
        ["an ipip", { type: "ipip", vni: undefined }, { type: "ipip" }],
        ["a gre without local", { type: "gre", vni: undefined, local: undefined }, { type: "gre" }],
        ["the largest VNI and port", { vni: 16777215, dstport: 65535 }, { vni: 16777215 }],
    ])("accepts %s", async (_what, patch, has) => {
        const r = await providers.Tunnel.check({}, inputs(patch));
        expect(r.failures ?? []).toEqual([]);
        expect(r.inputs).toMatchObject(has);
    });

    it.each([
        [{ vni: 0 }, "vni", /is below 1; a VNI is 1-16777215/],
        [{ vni: 16777216 }, "vni", /is above 16777215, the largest VNI/],
        [{ vni: undefined }, "vni", /is required for a vxlan tunnel/],
        [{ dstport: 0 }, "dstport", /is below 1/],
        [{ dstport: 65536 }, "dstport", /is above 65535/],
        [{ srcport: { min: 50000, max: 40000 } }, "srcport", /min 50000 is above max 40000/],
        [{ srcport: { min: 1, max: 70000 } }, "srcport", /is above 65535/],
        [{ remote: "192.0.2.1" }, "remote", /is this end's own address \(local 192\.0\.2\.1\): give the other end's/],
        [{ remote: "0.0.0.0" }, "remote", /names no host/],
        [{ remote: "255.255.255.255" }, "remote", /is the broadcast address/],
        [{ remote: "127.0.0.1" }, "remote", /is a loopback address/],
        [{ remote: "239.1.1.1" }, "remote", /is a multicast address: give it as group/],
        [{ local: "239.1.1.1" }, "local", /is a multicast address: give a unicast address of this end/],
        [{ remote: "240.0.0.1" }, "remote", /reserved/],
        [{ remote: "2001:db8::2" }, "remote", /is not an IPv4 address/],
        [{ remote: undefined, group: "192.0.2.9" }, "group", /is not a multicast address/],
        [{ group: "239.1.1.1" }, "group", /and remote exclude each other/],
        [{ remote: undefined }, "remote", /or group is required for a vxlan tunnel/],
        [{ type: "geneve" }, "type", /"geneve" is not a tunnel type: give "vxlan", "ipip" or "gre"/],
        [{ type: "ipip" }, "vni", /is for vxlan only; an ipip tunnel has none/],
        [{ type: "gre", vni: undefined, learning: false }, "learning", /is for vxlan only; a gre tunnel has none/],
        [{ type: "gre", vni: undefined, remote: undefined }, "remote", /is required for a gre tunnel/],
        [{ dev: "vx0" }, "dev", /is the tunnel itself/],
        [{ dev: "-all" }, "dev", /may contain only/],
        [{ name: "x".repeat(16) }, "name", /longer than 15/],
        [{ mtu: 20 }, "mtu", /is below 68/],
        [{ key: 5 }, "key", /unknown input; Tunnel takes/],
    ] as const)("refuses %j: property %s", (patch, property, reason) => {
        const r = validate("Tunnel", inputs(patch));
        const f = r.failures.find((x) => x.property === property);
        expect(f?.reason, JSON.stringify(r.failures)).toMatch(reason);
    });

    it("does not judge values not known yet (preview): the namespace, the remote", () => {
        const r = validate("Tunnel", inputs({ namespace: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", remote: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }));
        expect(r.failures).toEqual([]);
    });
});

describe("plans", () => {
    const olds = { ...spec({}), mtu: 1450, ifindex: 3, mac: "f6:c1:82:3e:d3:c0" } as Raw;
    it.each([
        [{ vni: 43 }, ["vni"]], [{ type: "ipip", vni: undefined, learning: undefined, dstport: undefined }, ["type", "vni", "dstport"]], [{ dev: "veth9" }, ["dev"]],
        [{ namespace: "ns2" }, ["namespace"]], [{ dstport: 8472 }, ["dstport"]], [{ srcport: { min: 1000, max: 2000 } }, ["srcport"]],
        [{ remote: undefined, group: "239.1.1.1" }, ["group"]],
        [{ remote: "192.0.2.3" }, []], [{ local: "192.0.2.5" }, []], [{ learning: false }, []], [{ mtu: 1400 }, []], [{ up: false }, []],
        [{ addresses: ["198.51.100.1/30"] }, []], [{ routes: [{ to: "203.0.113.0/24" }] }, []],
    ] as const)("%j: replaces %j", async (patch, replaces) => {
        const news = (await providers.Tunnel.check({}, inputs(patch))).inputs;
        const d = await providers.Tunnel.diff("ns1/vx0", olds, news);
        expect(d).toMatchObject({ changes: true, replaces, deleteBeforeReplace: true });
    });

    it("the MTU left out keeps the one in use (the default is the kernel's choice): no change", async () => {
        const news = (await providers.Tunnel.check({}, inputs({}))).inputs;
        expect(await providers.Tunnel.diff("ns1/vx0", olds, news)).toMatchObject({ changes: false });
    });
});

describe("a type the kernel lacks", () => {
    it.each([
        ["ipip", "this kernel has no IP-in-IP tunnels (type ipip): CONFIG_NET_IPIP is not set, or its module is not loaded (modprobe ipip); use a kernel with CONFIG_NET_IPIP, or type vxlan, which needs only CONFIG_VXLAN"],
        ["gre", "this kernel has no GRE tunnels (type gre): CONFIG_NET_IPGRE is not set, or its module is not loaded (modprobe ip_gre); use a kernel with CONFIG_NET_IPGRE, or type vxlan, which needs only CONFIG_VXLAN"],
        ["vxlan", "this kernel has no VXLAN (type vxlan): CONFIG_VXLAN is not set, or its module is not loaded (modprobe vxlan); use a kernel with CONFIG_VXLAN"],
    ] as const)("%s: one line naming the kernel option, from the kernel's \"Unknown device type\"", (type, line) => {
        expect(missingFeature(type)).toBe(line);
        expect(hint(spec(type === "vxlan" ? {} : { type, vni: undefined }), "Error: Unknown device type.\nCommand failed -:1\n")).toBe(line);
        expect(line).not.toContain("\n");
    });
});
