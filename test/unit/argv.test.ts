// The exact `ip` (and `sysctl`) argument arrays each kind runs, built by the exported `argv`
// builders; and isMutating/quote from provider/host/run.ts. Nothing is run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatMark } from "../../provider/ownership/owner";
import { argv as nsArgv } from "../../provider/kinds/namespace";
import { argv as vethArgv, linkIn } from "../../provider/kinds/veth";
import { argv as addrArgv } from "../../provider/kinds/address";
import { argv as routeArgv, family } from "../../provider/kinds/route";
import { argv as sysctlArgv, normalize } from "../../provider/kinds/sysctl";
import { isMutating, quote } from "../../provider/host/run";
import { addLines, argv as inlineArgv, lines as inlineLines } from "../../provider/kinds/inline";
import type { Inputs } from "../../provider/kinds/schemas";
type AddressArgs = Inputs<"Address">;
type RouteArgs = Inputs<"Route">;
type SysctlArgs = Inputs<"Sysctl">;
type VethPairArgs = Inputs<"VethPair">;

const pair = (p: Partial<VethPairArgs> = {}): VethPairArgs => ({
    name: "veth0", namespace: "ns1", peerName: "veth1", peerNamespace: "ns2", up: true, peerUp: true, adopt: false, ...p,
});
const addr = (p: Partial<AddressArgs> = {}): AddressArgs => ({ namespace: "ns1", dev: "veth0", address: "192.0.2.1/24", adopt: false, ...p });
const route = (p: Partial<RouteArgs> = {}): RouteArgs => ({ namespace: "ns1", to: "198.51.100.0/24", via: "192.0.2.254", table: "main", adopt: false, ...p });
const sysctl = (p: Partial<SysctlArgs> = {}): SysctlArgs => ({ namespace: "ns1", key: "net.ipv4.ip_forward", value: "1", ...p });

const MAC1 = "02:00:00:00:00:01";
const MAC2 = "02:00:00:00:00:02";
// The peer's namespace by its file: iproute2 never reads a path as a process ID (veth.ts netnsPath).
const PEER = ["type", "veth", "peer", "name", "veth1", "netns", "/run/netns/ns2"];

describe("Namespace", () => {
    it.each([
        ["add", nsArgv.add("ns1"), ["ip", "netns", "add", "ns1"]],
        ["loUp", nsArgv.loUp("ns1"), ["ip", "-n", "ns1", "link", "set", "dev", "lo", "up"]],
        ["del", nsArgv.del("ns1"), ["ip", "netns", "del", "ns1"]],
    ])("%s", (_op, got, want) => {
        expect(got).toEqual(want);
    });
});

describe("VethPair", () => {
    // The kernel echoes the new end as JSON (-echo -j): its index, MTU and MAC without a read.
    const ADD = ["ip", "-n", "ns1", "-echo", "-j", "link", "add"];
    it.each([
        { what: "defaults: this end up, the peer brought up by a second command",
            a: pair(), want: [...ADD, "name", "veth0", "up", ...PEER] },
        { what: "down",
            a: pair({ up: false }), want: [...ADD, "name", "veth0", ...PEER] },
        { what: "mtu, address and up before the peer words; the peer's mtu defaults to this end's",
            a: pair({ mtu: 9000, address: MAC1 }),
            want: [...ADD, "name", "veth0", "mtu", "9000", "address", MAC1, "up", ...PEER, "mtu", "9000"] },
        { what: "peer mtu and address after netns PEERNS",
            a: pair({ mtu: 9000, peerMtu: 1400, address: MAC1, peerAddress: MAC2, peerUp: false }),
            want: [...ADD, "name", "veth0", "mtu", "9000", "address", MAC1, "up", ...PEER, "mtu", "1400", "address", MAC2] },
        { what: "only the peer's settings",
            a: pair({ peerMtu: 1280, peerAddress: MAC2, up: false }),
            want: [...ADD, "name", "veth0", ...PEER, "mtu", "1280", "address", MAC2] },
        { what: "both ends in one namespace",
            a: pair({ peerNamespace: "ns1" }),
            want: [...ADD, "name", "veth0", "up", "type", "veth", "peer", "name", "veth1", "netns", "/run/netns/ns1"] },
    ])("add: $what", ({ a, want }) => {
        expect(vethArgv.add(a)).toEqual(want);
    });

    it("add: the word after netns is always a path, never a bare word iproute2 could read as a PID", () => {
        for (const peerNamespace of ["ns2", "0x1g", "router"]) {
            const words = vethArgv.add(pair({ peerNamespace }));
            expect(words[words.indexOf("netns") + 1]).toBe(`/run/netns/${peerNamespace}`);
            const marked = vethArgv.addMarked(pair({ peerNamespace }), "pulumi-netns:p/s");
            expect(marked.input.split("\n")[0]).toContain(` netns /run/netns/${peerNamespace} `.trimEnd());
        }
    });

    const end = { name: "veth1", namespace: "ns2", up: true };
    it.each([
        { what: "up", change: { up: true }, want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1", "up"] },
        { what: "down", change: { up: false }, want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1", "down"] },
        { what: "mtu", change: { mtu: 1400 }, want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1", "mtu", "1400"] },
        { what: "address", change: { address: MAC2 }, want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1", "address", MAC2] },
        { what: "all three in one command", change: { mtu: 1400, address: MAC2, up: false },
            want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1", "mtu", "1400", "address", MAC2, "down"] },
        { what: "nothing", change: {}, want: ["ip", "-n", "ns2", "link", "set", "dev", "veth1"] },
    ])("set: $what", ({ change, want }) => {
        expect(vethArgv.set(end, change)).toEqual(want);
    });

    it("show", () => {
        expect(vethArgv.show({ name: "veth1", namespace: "ns2" })).toEqual(["ip", "-n", "ns2", "-j", "-d", "link", "show", "dev", "veth1"]);
    });

    it("del removes this end (and with it the peer)", () => {
        expect(vethArgv.del(pair())).toEqual(["ip", "-n", "ns1", "link", "del", "dev", "veth0"]);
    });

    // `link add NAME` without the `name` keyword would let ip read a name as one of its keywords:
    // "up" would make a pair named veth0, "a" is read as `address`, "h" prints the usage.
    it("add: the interface name follows the `name` keyword, so that names like up, a, h stay names", () => {
        const got = vethArgv.add(pair({ name: "up" }));
        expect(got.slice(0, 9)).toEqual([...ADD, "name", "up"]);
    });

    it("add without the echo, for an ip that does not know -echo: the same request", () => {
        expect(vethArgv.add(pair({ mtu: 9000 }), false)).toEqual(["ip", "-n", "ns1", "link", "add", "name", "veth0", "mtu", "9000", "up", ...PEER, "mtu", "9000"]);
    });

    it.each([
        { what: "up: set it up, then read it, in one batch", e: { name: "veth1", namespace: "ns2", up: true }, lines: ["link set dev veth1 up", "link show dev veth1"] },
        { what: "down: only the read", e: { name: "veth1", namespace: "ns2", up: false }, lines: ["link show dev veth1"] },
        { what: "a bridge, down", e: { name: "veth1", namespace: "ns2", up: false, master: "br0" }, lines: ["link set dev veth1 master br0", "link show dev veth1"] },
        { what: "a bridge, up", e: { name: "veth1", namespace: "ns2", up: true, master: "br0" }, lines: ["link set dev veth1 master br0 up", "link show dev veth1"] },
    ])("peer: $what", ({ e, lines }) => {
        expect(vethArgv.peer(e)).toEqual({ argv: ["ip", "-n", "ns2", "-j", "-d", "-batch", "-"], input: lines.join("\n") + "\n" });
    });
});

describe("Address", () => {
    it.each([
        { what: "IPv4 add", got: addrArgv.add(addr()), want: ["ip", "-n", "ns1", "address", "add", "192.0.2.1/24", "dev", "veth0"] },
        { what: "IPv6 add with nodad", got: addrArgv.add(addr({ address: "2001:db8::1/64" })), want: ["ip", "-n", "ns1", "address", "add", "2001:db8::1/64", "dev", "veth0", "nodad"] },
        { what: "IPv4-mapped IPv6 add with nodad", got: addrArgv.add(addr({ address: "::ffff:192.0.2.1/96" })), want: ["ip", "-n", "ns1", "address", "add", "::ffff:192.0.2.1/96", "dev", "veth0", "nodad"] },
        { what: "show", got: addrArgv.show(addr()), want: ["ip", "-n", "ns1", "-j", "address", "show", "dev", "veth0"] },
        { what: "IPv4 del", got: addrArgv.del(addr()), want: ["ip", "-n", "ns1", "address", "del", "192.0.2.1/24", "dev", "veth0"] },
        { what: "IPv6 del has no nodad", got: addrArgv.del(addr({ address: "2001:db8::1/64" })), want: ["ip", "-n", "ns1", "address", "del", "2001:db8::1/64", "dev", "veth0"] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });
});

describe("Route", () => {
    it.each([
        { what: "IPv4 network", r: route(), want: "-4" },
        { what: "IPv6 network", r: route({ to: "2001:db8:2::/64", via: "2001:db8::1" }), want: "-6" },
        { what: "IPv6 network through a device", r: route({ to: "2001:db8:2::/64", via: undefined, dev: "veth0" }), want: "-6" },
        { what: "default via IPv4", r: route({ to: "default" }), want: "-4" },
        { what: "default via IPv6", r: route({ to: "default", via: "2001:db8::1" }), want: "-6" },
        { what: "default via IPv6 link-local", r: route({ to: "default", via: "fe80::1", dev: "veth0" }), want: "-6" },
        { what: "default through a device with an IPv6 source", r: route({ to: "default", via: undefined, dev: "veth0", src: "2001:db8::2" }), want: "-6" },
        { what: "default through a device with an IPv4 source", r: route({ to: "default", via: undefined, dev: "veth0", src: "192.0.2.1" }), want: "-4" },
        { what: "default through a device only", r: route({ to: "default", via: undefined, dev: "veth0" }), want: "-4" },
    ])("family: $what -> $want", ({ r, want }) => {
        expect(family(r)).toBe(want);
    });

    const full = route({ dev: "veth0", metric: 100, src: "192.0.2.1" });
    const spec = ["198.51.100.0/24", "via", "192.0.2.254", "dev", "veth0", "metric", "100", "src", "192.0.2.1", "table", "main"];
    it.each([
        { what: "add with everything", got: routeArgv.add(full), want: ["ip", "-n", "ns1", "-4", "route", "add", ...spec, "proto", "77"] },
        { what: "replace with everything", got: routeArgv.replace(full), want: ["ip", "-n", "ns1", "-4", "route", "replace", ...spec, "proto", "77"] },
        { what: "add via only", got: routeArgv.add(route()), want: ["ip", "-n", "ns1", "-4", "route", "add", "198.51.100.0/24", "via", "192.0.2.254", "table", "main", "proto", "77"] },
        { what: "add dev only, numbered table", got: routeArgv.add(route({ via: undefined, dev: "veth0", table: 100 })),
            want: ["ip", "-n", "ns1", "-4", "route", "add", "198.51.100.0/24", "dev", "veth0", "table", "100", "proto", "77"] },
        { what: "add metric 0", got: routeArgv.add(route({ metric: 0 })), want: ["ip", "-n", "ns1", "-4", "route", "add", "198.51.100.0/24", "via", "192.0.2.254", "metric", "0", "table", "main", "proto", "77"] },
        { what: "add IPv6 default", got: routeArgv.add(route({ to: "default", via: "2001:db8::1" })), want: ["ip", "-n", "ns1", "-6", "route", "add", "default", "via", "2001:db8::1", "table", "main", "proto", "77"] },
        { what: "add IPv4 default", got: routeArgv.add(route({ to: "default" })), want: ["ip", "-n", "ns1", "-4", "route", "add", "default", "via", "192.0.2.254", "table", "main", "proto", "77"] },
        { what: "show a network", got: routeArgv.show(route()), want: ["ip", "-n", "ns1", "-j", "-4", "route", "show", "table", "main", "exact", "198.51.100.0/24"] },
        { what: "show an IPv6 network in table 100", got: routeArgv.show(route({ to: "2001:db8:2::/64", via: "2001:db8::1", table: 100 })),
            want: ["ip", "-n", "ns1", "-j", "-6", "route", "show", "table", "100", "exact", "2001:db8:2::/64"] },
        { what: "show the IPv4 default", got: routeArgv.show(route({ to: "default" })), want: ["ip", "-n", "ns1", "-j", "-4", "route", "show", "table", "main", "exact", "0.0.0.0/0"] },
        { what: "show the IPv6 default", got: routeArgv.show(route({ to: "default", via: "2001:db8::1" })), want: ["ip", "-n", "ns1", "-j", "-6", "route", "show", "table", "main", "exact", "::/0"] },
        // The device where given, and the protocol mark for a marked route: the kernel then removes ours, never a hand-made twin.
        { what: "del with metric and device", got: routeArgv.del(full), want: ["ip", "-n", "ns1", "-4", "route", "del", "198.51.100.0/24", "metric", "100", "dev", "veth0", "table", "main"] },
        { what: "del of a marked route", got: routeArgv.del(full, true), want: ["ip", "-n", "ns1", "-4", "route", "del", "198.51.100.0/24", "metric", "100", "dev", "veth0", "table", "main", "proto", "77"] },
        { what: "del without metric", got: routeArgv.del(route()), want: ["ip", "-n", "ns1", "-4", "route", "del", "198.51.100.0/24", "table", "main"] },
        // IPv6 always names the metric (the kernel stores none and 0 as 1024): without one, del removes the first route to `to`.
        { what: "del IPv6 default", got: routeArgv.del(route({ to: "default", via: "2001:db8::1", table: 7 })), want: ["ip", "-n", "ns1", "-6", "route", "del", "default", "metric", "1024", "table", "7"] },
        { what: "del IPv6 metric 0", got: routeArgv.del(route({ to: "2001:db8:2::/64", via: "2001:db8::1", metric: 0 })), want: ["ip", "-n", "ns1", "-6", "route", "del", "2001:db8:2::/64", "metric", "1024", "table", "main"] },
        { what: "del IPv6 metric 5", got: routeArgv.del(route({ to: "2001:db8:2::/64", via: "2001:db8::1", metric: 5 })), want: ["ip", "-n", "ns1", "-6", "route", "del", "2001:db8:2::/64", "metric", "5", "table", "main"] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });
});

describe("Sysctl", () => {
    it.each([
        { what: "get", got: sysctlArgv.get(sysctl()), want: ["ip", "netns", "exec", "ns1", "sysctl", "-n", "net.ipv4.ip_forward"] },
        { what: "set", got: sysctlArgv.set(sysctl(), "1"), want: ["ip", "netns", "exec", "ns1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"] },
        { what: "set a value with spaces as one argument", got: sysctlArgv.set(sysctl({ key: "net.ipv4.tcp_rmem" }), "4096 131072 6291456"),
            want: ["ip", "netns", "exec", "ns1", "sysctl", "-q", "-w", "net.ipv4.tcp_rmem=4096 131072 6291456"] },
        { what: "set an empty value", got: sysctlArgv.set(sysctl(), ""), want: ["ip", "netns", "exec", "ns1", "sysctl", "-q", "-w", "net.ipv4.ip_forward="] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });

    it.each([
        ["1\n", "1"],
        ["4096\t131072\t6291456\n", "4096 131072 6291456"],
        ["  4096   131072 6291456  ", "4096 131072 6291456"],
        ["", ""],
    ])("normalize %j -> %j", (raw, want) => {
        expect(normalize(raw)).toBe(want);
    });
});

describe("isMutating", () => {
    it.each([
        ["ip netns add", nsArgv.add("ns1"), true],
        ["ip link set lo up", nsArgv.loUp("ns1"), true],
        ["ip netns del", nsArgv.del("ns1"), true],
        ["ip link add veth", vethArgv.add(pair()), true],
        ["ip link set", vethArgv.set({ name: "veth1", namespace: "ns2", up: true }, { up: true }), true],
        ["ip link show", vethArgv.show({ name: "veth1", namespace: "ns2" }), false],
        ["ip link del", vethArgv.del(pair()), true],
        ["ip address add", addrArgv.add(addr()), true],
        ["ip address show", addrArgv.show(addr()), false],
        ["ip address del", addrArgv.del(addr()), true],
        ["ip route add", routeArgv.add(route()), true],
        ["ip route replace", routeArgv.replace(route()), true],
        ["ip route show", routeArgv.show(route()), false],
        ["ip route del", routeArgv.del(route()), true],
        ["sysctl -n", sysctlArgv.get(sysctl()), false],
        ["sysctl -w", sysctlArgv.set(sysctl(), "1"), true],
        ["ip -j netns list", ["ip", "-j", "netns", "list"], false],
        ["ip -j link show", ["ip", "-j", "link", "show"], false],
        ["ip route change", ["ip", "route", "change", "default", "via", "192.0.2.1"], true],
        ["ip route flush", ["ip", "-n", "ns1", "route", "flush", "table", "main"], true],
        ["ip address delete", ["ip", "address", "delete", "192.0.2.1/24", "dev", "veth0"], true],
        ["through sudo", ["sudo", "-n", "--", "ip", "netns", "add", "ns1"], true],
        ["empty", [], false],
        // Names are names: read from the grammar (options, OBJECT, VERB), not by word.
        ["a link named add, shown", ["ip", "-n", "ns1", "-j", "-d", "link", "show", "dev", "add"], false],
        ["a namespace named set, listed", ["ip", "-n", "set", "-j", "address", "show", "dev", "del"], false],
        ["a namespace named link, adding", ["ip", "-n", "link", "link", "add", "name", "show", "type", "veth", "peer", "name", "x"], true],
        ["a sysctl read in a namespace named add", sysctlArgv.get(sysctl({ namespace: "add" })), false],
        ["ip netns list-id", ["ip", "-n", "ns1", "-j", "netns", "list-id"], false],
        ["another program", ["rm", "-rf", "/tmp/x"], true],
    ] as const)("%s: %s", (_what, argv, want) => {
        expect(isMutating(argv)).toBe(want);
    });

    it.each([
        ["set, then show", "link set dev veth1 up\nlink show dev veth1\n", true],
        ["show a link named set", "link show dev set\n", false],
        ["blank lines", "\n\n", false],
        ["a route add among reads", "route show\nroute add 198.51.100.0/24 via 192.0.2.1\n", true],
    ])("a batch: %s", (_what, input, want) => {
        expect(isMutating(["ip", "-n", "ns2", "-j", "-d", "-batch", "-"], input)).toBe(want);
    });

    it("reads the lines of a batch too", () => {
        const up = vethArgv.peer({ name: "veth1", namespace: "ns2", up: true });
        const down = vethArgv.peer({ name: "veth1", namespace: "ns2", up: false });
        expect(isMutating(up.argv, up.input)).toBe(true);
        expect(isMutating(down.argv, down.input)).toBe(false);
    });
});

describe("quote (for display only)", () => {
    it.each([
        ["ip", "ip"],
        ["-n", "-n"],
        ["192.0.2.1/24", "192.0.2.1/24"],
        ["2001:db8::1/64", "2001:db8::1/64"],
        ["net.ipv4.ip_forward=1", "net.ipv4.ip_forward=1"],
        [MAC1, MAC1],
        ["a@b%c+d,e", "a@b%c+d,e"],
        ["", "''"],
        ["a b", "'a b'"],
        ["net.ipv4.tcp_rmem=4096 131072", "'net.ipv4.tcp_rmem=4096 131072'"],
        ["it's", "'it'\\''s'"],
        ["''", "''\\'''\\'''"],
        ["$(x)", "'$(x)'"],
        ["`id`", "'`id`'"],
        ["a;b", "'a;b'"],
        ["a|b", "'a|b'"],
        ["a&b", "'a&b'"],
        ["*", "'*'"],
        ["~", "'~'"],
        ["a\nb", "'a\nb'"],
        ["\"x\"", "'\"x\"'"],
    ])("%j -> %s", (arg, want) => {
        expect(quote(arg)).toBe(want);
    });
});

describe("linkIn (the JSON of an echo, or the last answer of a batch)", () => {
    const veth1 = { ifindex: 7, link_index: 9, ifname: "veth1", flags: ["BROADCAST", "UP"], mtu: 1500, address: "02:00:00:00:00:01", link_netnsid: 0 };
    it.each([
        { what: "an echo", stdout: JSON.stringify([veth1]) + "\n", want: veth1 },
        { what: "a batch: an empty answer, then the read", stdout: "[{}]\n" + JSON.stringify([veth1]) + "\n", want: veth1 },
        { what: "an old kernel's empty echo", stdout: "[{}]\n", want: undefined },
        { what: "nothing", stdout: "", want: undefined },
        { what: "another link", stdout: JSON.stringify([{ ...veth1, ifname: "veth2" }]), want: undefined },
        { what: "not JSON", stdout: "[oops\n", want: undefined },
    ])("$what", ({ stdout, want }) => {
        expect(linkIn(stdout, "veth1")).toEqual(want);
    });
});

describe("inline entries (provider/kinds/inline.ts): batch lines with replace, routes with the project's protocol", () => {
    it.each([
        ["an IPv4 address", inlineLines.addAddress("x0", "192.0.2.1/24"), "address replace 192.0.2.1/24 dev x0"],
        ["an IPv6 address, without duplicate address detection", inlineLines.addAddress("x0", "2001:db8::1/64"), "address replace 2001:db8::1/64 dev x0 nodad"],
        ["an address removed", inlineLines.delAddress("x0", "192.0.2.1/24"), "address del 192.0.2.1/24 dev x0"],
        ["an IPv4 default route (the family spelled in the destination)", inlineLines.addRoute("x0", { to: "default", via: "192.0.2.254", table: "main" }), "route replace 0.0.0.0/0 via 192.0.2.254 dev x0 table main proto 77"],
        ["an IPv6 default route through the device alone", inlineLines.addRoute("x0", { to: "default", src: "2001:db8::1", table: 100 }), "route replace ::/0 dev x0 src 2001:db8::1 table 100 proto 77"],
        ["a route with a metric", inlineLines.addRoute("x0", { to: "198.51.100.0/24", via: "192.0.2.254", metric: 10, table: "main" }), "route replace 198.51.100.0/24 via 192.0.2.254 dev x0 metric 10 table main proto 77"],
        ["an IPv4 route removed: metric 0 named, not 'any'", inlineLines.delRoute("x0", { to: "default", via: "192.0.2.254", table: "main" }), "route del 0.0.0.0/0 dev x0 metric 0 table main proto 77"],
        ["an IPv6 route removed: the kernel's metric 1024 named", inlineLines.delRoute("x0", { to: "2001:db8:1::/64", table: "main" }), "route del 2001:db8:1::/64 dev x0 metric 1024 table main proto 77"],
    ])("%s", (_what, got, want) => {
        expect(got).toBe(want);
    });

    it("adds addresses before routes (a gateway needs its segment), in one batch per namespace", () => {
        expect(addLines("x0", { addresses: ["192.0.2.1/24"], routes: [{ to: "default", via: "192.0.2.254", table: "main" }] }))
            .toEqual(["address replace 192.0.2.1/24 dev x0", "route replace 0.0.0.0/0 via 192.0.2.254 dev x0 table main proto 77"]);
        expect(inlineArgv.batch("h1")).toEqual(["ip", "-n", "h1", "-batch", "-"]);
        expect(inlineArgv.sysctlSet("r", { "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1" }))
            .toEqual(["ip", "netns", "exec", "r", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    });

    it("a peer's entries go into the batch that brings it up, before it is read back", () => {
        const y = vethArgv.peer({ name: "y0", namespace: "r", up: true, addresses: ["192.0.2.2/30"], routes: [{ to: "198.51.100.0/24", table: "main" }] });
        expect(y.input).toBe("link set dev y0 up\naddress replace 192.0.2.2/30 dev y0\nroute replace 198.51.100.0/24 dev y0 table main proto 77\nlink show dev y0\n");
    });
});

describe("the reference's inline example (docs/reference.md; issue 21: its comments must be the commands that run)", () => {
    it("lists exactly the commands the provider makes for it", () => {
        const readme = readFileSync(join(__dirname, "../../docs/reference.md"), "utf8");
        const start = readme.indexOf("    # the router's sysctls, after");
        expect(start).toBeGreaterThan(0);
        const block = readme.slice(start, readme.indexOf("\n\n", start)).split("\n").filter((l) => !l.trimStart().startsWith("#")).map((l) => l.trim());
        const mark = formatMark({ project: "my-lab", stack: "dev", kind: "VethPair", name: "h1-router" });
        const peer = vethArgv.peer({ name: "r-h1", namespace: "router", up: true, addresses: ["192.0.2.2/30"] }, mark);
        const route = { to: "default", via: "192.0.2.2", table: "main" as const };
        const expected = [
            inlineArgv.sysctlGet("router", ["net.ipv4.ip_forward"]).join(" "),
            inlineArgv.sysctlSet("router", { "net.ipv4.ip_forward": "1" }).join(" "),
            peer.argv.join(" "), ...peer.input.trim().split("\n"),
            inlineArgv.batch("h1").join(" "), ...addLines("h1-eth0", { addresses: ["192.0.2.1/30"], routes: [route] }),
        ];
        expect(block).toEqual(expected);
    });
});
