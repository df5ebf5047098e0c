// What `check` accepts and refuses, through validate() from provider/kinds/schemas.ts. Every refusal is
// pinned to the property it is reported against and to a reason that says why.
import { describe, expect, it } from "vitest";
import { onConnectedSegment, UNKNOWN, validate } from "../../provider/kinds/schemas";
import { readsAsProcessId } from "../../provider/engine/fields";

type Raw = Record<string, unknown>;
/** The kinds this file covers. */
type Kind = "Namespace" | "VethPair" | "Address" | "Route" | "Sysctl";

/** One valid set of inputs per kind; each case below changes only what it is about. */
const BASE: { [K in Kind]: Raw } = {
    Namespace: { name: "ns1" },
    VethPair: { name: "veth0", namespace: "ns1", peerName: "veth1", peerNamespace: "ns2" },
    Address: { namespace: "ns1", dev: "veth0", address: "192.0.2.1/24" },
    Route: { namespace: "ns1", to: "198.51.100.0/24", via: "192.0.2.254" },
    Sysctl: { namespace: "ns1", key: "net.ipv4.ip_forward", value: "1" },
};

/** The base inputs of a kind with some properties replaced; a value of undefined removes the property. */
function inputs(kind: Kind, patch: Raw): Raw {
    const raw: Raw = { ...BASE[kind], ...patch };
    for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
    return raw;
}

export interface HostileCase {
    /** What the input tries. */
    what: string;
    kind: Kind;
    /** Changes to the kind's valid base inputs. */
    patch: Raw;
    /** The property the failure must be reported against. */
    property: string;
    /** What the reason must say. */
    reason: RegExp;
}

const NAME_RULE = /may contain only letters, digits, '_', '\.' and '-', starting with a letter or digit/;
const NOT_PER_NS = /is not a per-network-namespace key; only net\.ipv4\.\*.*\(others change the whole host\)/;
const ONE_LINE = /may contain only printable ASCII on one line \(no newline or control characters\)/;

/** Inputs that must be refused. Every row is one distinct hostile input. */
export const HOSTILE_INPUTS: HostileCase[] = [
    // Names that `ip` would read as options.
    { what: "namespace name -all (ip -all netns ...)", kind: "Namespace", patch: { name: "-all" }, property: "name", reason: NAME_RULE },
    { what: "namespace name --help", kind: "Namespace", patch: { name: "--help" }, property: "name", reason: NAME_RULE },
    { what: "interface name -all", kind: "VethPair", patch: { name: "-all" }, property: "name", reason: NAME_RULE },
    { what: "peer name --help", kind: "VethPair", patch: { peerName: "--help" }, property: "peerName", reason: NAME_RULE },
    { what: "route device -h", kind: "Route", patch: { dev: "-h" }, property: "dev", reason: NAME_RULE },
    { what: "sysctl namespace -n", kind: "Sysctl", patch: { namespace: "-n" }, property: "namespace", reason: NAME_RULE },
    // `ip netns del all` deletes every namespace on the host.
    { what: "namespace named all", kind: "Namespace", patch: { name: "all" }, property: "name", reason: /"all" is reserved: 'ip netns del all' deletes every namespace on the host/ },
    { what: "veth peer namespace named all", kind: "VethPair", patch: { peerNamespace: "all" }, property: "peerNamespace", reason: /reserved/ },
    // Shell metacharacters.
    { what: "namespace name a;b", kind: "Namespace", patch: { name: "a;b" }, property: "name", reason: NAME_RULE },
    { what: "namespace name $(x)", kind: "Namespace", patch: { name: "$(x)" }, property: "name", reason: NAME_RULE },
    { what: "namespace name with backticks", kind: "Namespace", patch: { name: "`id`" }, property: "name", reason: NAME_RULE },
    { what: "namespace name a|b", kind: "Namespace", patch: { name: "a|b" }, property: "name", reason: NAME_RULE },
    { what: "interface name a;b", kind: "VethPair", patch: { name: "a;b" }, property: "name", reason: NAME_RULE },
    { what: "address device $(reboot)", kind: "Address", patch: { dev: "$(reboot)" }, property: "dev", reason: NAME_RULE },
    { what: "route namespace a|b", kind: "Route", patch: { namespace: "a|b" }, property: "namespace", reason: NAME_RULE },
    { what: "peer namespace with backticks", kind: "VethPair", patch: { peerNamespace: "`reboot`" }, property: "peerNamespace", reason: NAME_RULE },
    // Paths.
    { what: "namespace name a/b", kind: "Namespace", patch: { name: "a/b" }, property: "name", reason: NAME_RULE },
    { what: "namespace name ../etc", kind: "Namespace", patch: { name: "../etc" }, property: "name", reason: NAME_RULE },
    { what: "namespace name ..", kind: "Namespace", patch: { name: ".." }, property: "name", reason: NAME_RULE },
    { what: "namespace name .", kind: "Namespace", patch: { name: "." }, property: "name", reason: NAME_RULE },
    { what: "interface name ..", kind: "VethPair", patch: { name: ".." }, property: "name", reason: NAME_RULE },
    { what: "interface name .", kind: "Address", patch: { dev: "." }, property: "dev", reason: NAME_RULE },
    { what: "interface name eth0/1", kind: "VethPair", patch: { peerName: "eth0/1" }, property: "peerName", reason: NAME_RULE },
    { what: "interface alias eth0:1", kind: "VethPair", patch: { name: "eth0:1" }, property: "name", reason: NAME_RULE },
    // Whitespace.
    { what: "namespace name with a space", kind: "Namespace", patch: { name: "a b" }, property: "name", reason: NAME_RULE },
    { what: "interface name with a newline", kind: "VethPair", patch: { name: "a\nb" }, property: "name", reason: NAME_RULE },
    { what: "interface name with a tab", kind: "Route", patch: { dev: "a\tb" }, property: "dev", reason: NAME_RULE },
    { what: "namespace name with a trailing space", kind: "Sysctl", patch: { namespace: "ns1 " }, property: "namespace", reason: NAME_RULE },
    // Empty and overlong.
    { what: "empty namespace name", kind: "Namespace", patch: { name: "" }, property: "name", reason: /must not be empty/ },
    { what: "empty interface name", kind: "VethPair", patch: { name: "" }, property: "name", reason: /must not be empty/ },
    { what: "16-character interface name", kind: "VethPair", patch: { name: "a".repeat(16) }, property: "name", reason: /longer than 15 characters.*IFNAMSIZ/ },
    { what: "16-character address device", kind: "Address", patch: { dev: "d".repeat(16) }, property: "dev", reason: /longer than 15 characters/ },
    { what: "65-character namespace name", kind: "Namespace", patch: { name: "n".repeat(65) }, property: "name", reason: /longer than 64 characters/ },
    // Addresses and networks that are not.
    { what: "address without a prefix length", kind: "Address", patch: { address: "192.0.2.1" }, property: "address", reason: /"192\.0\.2\.1" is not an address with a prefix length/ },
    { what: "IPv4 prefix length 33", kind: "Address", patch: { address: "192.0.2.1/33" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "octet 300", kind: "Address", patch: { address: "300.1.1.1/24" }, property: "address", reason: /"300\.1\.1\.1\/24" is not an address with a prefix length/ },
    { what: "IPv6 prefix length 129", kind: "Address", patch: { address: "2001:db8::/129" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "address abc", kind: "Address", patch: { address: "abc" }, property: "address", reason: /"abc" is not an address with a prefix length/ },
    { what: "address with a zone index", kind: "Address", patch: { address: "fe80::1%eth0/64" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "prefix length with a leading zero", kind: "Address", patch: { address: "192.0.2.1/024" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "route to abc", kind: "Route", patch: { to: "abc" }, property: "to", reason: /"abc" is neither "default" nor a network/ },
    { what: "route to 192.0.2.1/33", kind: "Route", patch: { to: "192.0.2.1/33" }, property: "to", reason: /is neither "default" nor a network/ },
    { what: "route to a bare address", kind: "Route", patch: { to: "198.51.100.1" }, property: "to", reason: /is neither "default" nor a network/ },
    { what: "gateway with a prefix length", kind: "Route", patch: { via: "192.0.2.254/24" }, property: "via", reason: /"192\.0\.2\.254\/24" is not an IPv4 or IPv6 address/ },
    { what: "gateway abc", kind: "Route", patch: { via: "abc" }, property: "via", reason: /"abc" is not an IPv4 or IPv6 address/ },
    { what: "source 300.0.0.1", kind: "Route", patch: { src: "300.0.0.1" }, property: "src", reason: /"300\.0\.0\.1" is not an IPv4 or IPv6 address/ },
    // A network address where a host is needed, and the reverse.
    { what: "IPv4 network address as an interface address", kind: "Address", patch: { address: "192.0.2.0/24" }, property: "address", reason: /"192\.0\.2\.0\/24" is the network address of its subnet; give a host address, such as 192\.0\.2\.1\/24$/ },
    { what: "IPv6 network address as an interface address", kind: "Address", patch: { address: "2001:db8::/64" }, property: "address", reason: /is the network address of its subnet; give a host address, such as 2001:db8::1\/64$/ },
    { what: "network address of a /26", kind: "Address", patch: { address: "192.0.2.64/26" }, property: "address", reason: /is the network address of its subnet; give a host address, such as 192\.0\.2\.65\/26$/ },
    { what: "uncompressed IPv6 network address", kind: "Address", patch: { address: "2001:db8:1:0:0:0:0:0/64" }, property: "address", reason: /such as 2001:db8:1::1\/64$/ },
    { what: "broadcast address", kind: "Address", patch: { address: "192.0.2.255/24" }, property: "address", reason: /"192\.0\.2\.255\/24" is the broadcast address of its subnet/ },
    { what: "broadcast address of a /30", kind: "Address", patch: { address: "192.0.2.3/30" }, property: "address", reason: /is the broadcast address of its subnet/ },
    { what: "route to an address with host bits", kind: "Route", patch: { to: "192.0.2.1/24" }, property: "to", reason: /"192\.0\.2\.1\/24" has host bits set; a route goes to a network/ },
    { what: "route to an IPv6 address with host bits", kind: "Route", patch: { to: "2001:db8::1/64", via: "2001:db8::fe" }, property: "to", reason: /has host bits set/ },
    // Mixed families.
    { what: "IPv4 destination via an IPv6 gateway", kind: "Route", patch: { via: "2001:db8::1" }, property: "via", reason: /is IPv6 but the destination 198\.51\.100\.0\/24 is IPv4/ },
    { what: "IPv6 destination via an IPv4 gateway", kind: "Route", patch: { to: "2001:db8:2::/64", via: "192.0.2.254" }, property: "via", reason: /is IPv4 but the destination 2001:db8:2::\/64 is IPv6/ },
    { what: "IPv6 source for an IPv4 destination", kind: "Route", patch: { src: "2001:db8::1" }, property: "src", reason: /is IPv6 but the destination 198\.51\.100\.0\/24 is IPv4/ },
    { what: "IPv4 source for a default route via IPv6", kind: "Route", patch: { to: "default", via: "2001:db8::1", src: "192.0.2.1" }, property: "src", reason: /is IPv4 but the gateway 2001:db8::1 is IPv6/ },
    // Routes that are not routes.
    { what: "route with neither via nor dev", kind: "Route", patch: { via: undefined }, property: "via", reason: /a route needs a gateway \(via\) or a device \(dev\)/ },
    { what: "route in the kernel's local table", kind: "Route", patch: { table: 255 }, property: "table", reason: /255 is the kernel's local table/ },
    { what: "route table by another name", kind: "Route", patch: { table: "local" }, property: "table", reason: /must be "main" or a table number from 1 to 4294967295/ },
    { what: "route table 0", kind: "Route", patch: { table: 0 }, property: "table", reason: /must be "main" or a table number/ },
    { what: "negative metric", kind: "Route", patch: { metric: -1 }, property: "metric", reason: /must not be negative/ },
    { what: "fractional metric", kind: "Route", patch: { metric: 1.5 }, property: "metric", reason: /must be an integer/ },
    { what: "metric above 2^32-1", kind: "Route", patch: { metric: 4294967296 }, property: "metric", reason: /is above 4294967295/ },
    // Sysctl keys that belong to the host, or are not keys.
    { what: "sysctl kernel.hostname", kind: "Sysctl", patch: { key: "kernel.hostname" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl vm.swappiness", kind: "Sysctl", patch: { key: "vm.swappiness" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl net.core.rmem_max", kind: "Sysctl", patch: { key: "net.core.rmem_max" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl fs.file-max", kind: "Sysctl", patch: { key: "fs.file-max" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl key in slash form climbing out of net", kind: "Sysctl", patch: { key: "net/ipv4/../../kernel/hostname" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl key carrying its own value", kind: "Sysctl", patch: { key: "net.ipv4.ip_forward=1 kernel.hostname" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl key that is an option", kind: "Sysctl", patch: { key: "-p" }, property: "key", reason: NOT_PER_NS },
    // Sysctl values that are not one line of text.
    { what: "sysctl value with a newline", kind: "Sysctl", patch: { value: "1\nkernel.hostname=x" }, property: "value", reason: ONE_LINE },
    { what: "sysctl value with a tab", kind: "Sysctl", patch: { value: "1\t2" }, property: "value", reason: ONE_LINE },
    { what: "sysctl value with NUL", kind: "Sysctl", patch: { value: "1\u0000" }, property: "value", reason: ONE_LINE },
    { what: "sysctl value with an escape sequence", kind: "Sysctl", patch: { value: "\u001b[31m1" }, property: "value", reason: ONE_LINE },
    { what: "sysctl value with DEL", kind: "Sysctl", patch: { value: "1\u007f" }, property: "value", reason: ONE_LINE },
    { what: "sysctl value of 257 characters", kind: "Sysctl", patch: { value: "1".repeat(257) }, property: "value", reason: /is longer than 256 characters/ },
    { what: "sysctl value as a number", kind: "Sysctl", patch: { value: 1 }, property: "value", reason: /must be a string/ },
    // Inputs that do not exist, or have the wrong type.
    { what: "unknown input", kind: "Namespace", patch: { path: "/etc" }, property: "path", reason: /unknown input; Namespace takes name, sysctls, adopt, adoptFrom$/ },
    { what: "unknown input on a route", kind: "Route", patch: { gateway: "192.0.2.1" }, property: "gateway", reason: /unknown input; Route takes namespace, to, via, dev, metric, src, table, adopt$/ },
    { what: "mtu as a string", kind: "VethPair", patch: { mtu: "1500" }, property: "mtu", reason: /must be a number/ },
    { what: "up as \"yes\"", kind: "VethPair", patch: { up: "yes" }, property: "up", reason: /must be true or false/ },
    { what: "adopt as \"true\"", kind: "Address", patch: { adopt: "true" }, property: "adopt", reason: /must be true or false/ },
    { what: "namespace name as a number", kind: "Namespace", patch: { name: 42 }, property: "name", reason: /must be a string/ },
    { what: "address as an object", kind: "Address", patch: { address: { ip: "192.0.2.1" } }, property: "address", reason: /must be a string/ },
    // MAC addresses.
    { what: "multicast MAC", kind: "VethPair", patch: { address: "01:00:5e:00:00:01" }, property: "address", reason: /is a multicast address/ },
    { what: "broadcast MAC", kind: "VethPair", patch: { peerAddress: "ff:ff:ff:ff:ff:ff" }, property: "peerAddress", reason: /is a multicast address/ },
    { what: "all-zero MAC", kind: "VethPair", patch: { address: "00:00:00:00:00:00" }, property: "address", reason: /is the all-zero address, which the kernel refuses/ },
    { what: "all-zero peer MAC", kind: "VethPair", patch: { peerAddress: "00:00:00:00:00:00" }, property: "peerAddress", reason: /is the all-zero address/ },
    { what: "MAC with five bytes", kind: "VethPair", patch: { address: "02:00:00:00:00" }, property: "address", reason: /must be a MAC address such as 02:00:00:00:00:01/ },
    { what: "MAC with dashes", kind: "VethPair", patch: { address: "02-00-00-00-00-01" }, property: "address", reason: /must be a MAC address/ },
    { what: "MAC with a non-hex digit", kind: "VethPair", patch: { peerAddress: "02:00:00:00:00:0g" }, property: "peerAddress", reason: /must be a MAC address/ },
    // MTU out of range.
    { what: "mtu 67", kind: "VethPair", patch: { mtu: 67 }, property: "mtu", reason: /is below 68/ },
    { what: "mtu 0", kind: "VethPair", patch: { mtu: 0 }, property: "mtu", reason: /is below 68/ },
    { what: "peer mtu 65536", kind: "VethPair", patch: { peerMtu: 65536 }, property: "peerMtu", reason: /is above 65535/ },
    { what: "fractional mtu", kind: "VethPair", patch: { mtu: 1500.5 }, property: "mtu", reason: /must be an integer/ },
    // Two ends that are one.
    { what: "peer with the same name in the same namespace", kind: "VethPair", patch: { peerName: "veth0", peerNamespace: "ns1" }, property: "peerName", reason: /is the same as name in the same namespace \(ns1\)/ },
];

describe("hostile inputs", () => {
    it("are at least 40 distinct cases", () => {
        expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(40);
        const distinct = new Set(HOSTILE_INPUTS.map((c) => `${c.kind} ${JSON.stringify(c.patch)}`));
        expect(distinct.size).toBe(HOSTILE_INPUTS.length);
    });

    it.each(HOSTILE_INPUTS)("$kind: $what -> $property", ({ kind, patch, property, reason }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.inputs).toBeUndefined();
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]?.property).toBe(property);
        expect(r.failures[0]?.reason).toMatch(reason);
    });
});

// `ip link ... netns WORD` reads WORD as a process ID (strtol base 0) when /run/netns/WORD does
// not exist: "0x1" is PID 1, the host's own namespace. Every namespace input refuses every such
// word, with one reason, whatever else is wrong with it (" 7" and "+5" break the name rule too).
const PID_WORDS = ["0x1", "0X9a2", "0xdeadBEEF", "012", "0", "1", "2466", " 7", "\t7", "+5", "-0", "-1", "+0x1", "08", "1".repeat(70)];
const NAMESPACE_INPUTS: [Kind, string][] = [["Namespace", "name"], ["VethPair", "namespace"], ["VethPair", "peerNamespace"], ["Address", "namespace"], ["Route", "namespace"], ["Sysctl", "namespace"]];

describe("namespace words that iproute2 would read as a process ID", () => {
    const cases = NAMESPACE_INPUTS.flatMap(([kind, property]) => PID_WORDS.map((word) => ({ kind, property, word })));
    it.each(cases)("$kind $property = $word", ({ kind, property, word }) => {
        const r = validate(kind, inputs(kind, { [property]: word }));
        expect(r.inputs).toBeUndefined();
        expect(r.failures).toEqual([{ property, reason: expect.stringMatching(/reads as a number: 'ip link \.\.\. netns N' takes a number \(decimal, 0x hex or 0 octal\) as a process ID .*start the name with a letter$/) }]);
        expect(r.failures[0]!.reason.startsWith(`${JSON.stringify(word)} reads as a number`)).toBe(true);
    });

    it.each(["ns1", "0x", "0x1g", "1a", "a0x1", "x1"])("%s is a name", (word) => {
        expect(readsAsProcessId(word)).toBe(false);
    });
});

const VALID: { what: string; kind: Kind; patch: Raw }[] = [
    { what: "a plain namespace", kind: "Namespace", patch: {} },
    { what: "a one-character namespace", kind: "Namespace", patch: { name: "n" } },
    { what: "a namespace that starts with digits but is no number", kind: "Namespace", patch: { name: "0x1g" } },
    { what: "a namespace 0x, which strtol reads as 0 and a rest", kind: "VethPair", patch: { peerNamespace: "0x" } },
    { what: "a namespace of digits and a letter", kind: "Sysctl", patch: { namespace: "12a" } },
    { what: "a 64-character namespace", kind: "Namespace", patch: { name: "n".repeat(64) } },
    { what: "a namespace with _ . -", kind: "Namespace", patch: { name: "Lab_1.test-ns" } },
    { what: "a namespace that merely contains all", kind: "Namespace", patch: { name: "all-of-them" } },
    { what: "an adopted namespace", kind: "Namespace", patch: { adopt: true } },
    { what: "a plain pair", kind: "VethPair", patch: {} },
    { what: "a 15-character interface name", kind: "VethPair", patch: { name: "a".repeat(15) } },
    { what: "the same name at both ends in two namespaces", kind: "VethPair", patch: { peerName: "veth0" } },
    { what: "both ends in one namespace", kind: "VethPair", patch: { peerNamespace: "ns1" } },
    { what: "mtu 68 and 65535", kind: "VethPair", patch: { mtu: 68, peerMtu: 65535 } },
    { what: "locally administered MACs", kind: "VethPair", patch: { address: "02:00:00:00:00:01", peerAddress: "02:00:00:00:00:02" } },
    { what: "ends down", kind: "VethPair", patch: { up: false, peerUp: false } },
    { what: "an IPv4 host address", kind: "Address", patch: {} },
    { what: "an IPv6 host address", kind: "Address", patch: { address: "2001:db8::1/64" } },
    { what: "a /31 point-to-point address", kind: "Address", patch: { address: "192.0.2.0/31" } },
    { what: "the other end of a /31", kind: "Address", patch: { address: "192.0.2.1/31" } },
    { what: "a /32", kind: "Address", patch: { address: "192.0.2.255/32" } },
    { what: "an IPv6 /127", kind: "Address", patch: { address: "2001:db8::/127" } },
    { what: "an IPv6 /128", kind: "Address", patch: { address: "2001:db8::/128" } },
    { what: "x.x.x.255 that is not a broadcast", kind: "Address", patch: { address: "10.0.0.255/16" } },
    { what: "an IPv4-mapped IPv6 address", kind: "Address", patch: { address: "::ffff:192.0.2.1/96" } },
    { what: "a route via a gateway", kind: "Route", patch: {} },
    { what: "a route through a device", kind: "Route", patch: { via: undefined, dev: "veth0" } },
    { what: "a default route via IPv4", kind: "Route", patch: { to: "default" } },
    { what: "a default route via IPv6", kind: "Route", patch: { to: "default", via: "2001:db8::1", src: "2001:db8::2" } },
    { what: "0.0.0.0/0", kind: "Route", patch: { to: "0.0.0.0/0", dev: "veth0", via: undefined } },
    { what: "an IPv6 network via an IPv6 gateway", kind: "Route", patch: { to: "2001:db8:2::/64", via: "fe80::1", dev: "veth0" } },
    { what: "metric 0, table 100, a source", kind: "Route", patch: { metric: 0, table: 100, src: "192.0.2.1" } },
    { what: "the largest table and metric", kind: "Route", patch: { metric: 4294967295, table: 4294967295 } },
    { what: "net.ipv4.ip_forward", kind: "Sysctl", patch: {} },
    { what: "an interface key", kind: "Sysctl", patch: { key: "net.ipv4.conf.veth0.rp_filter", value: "0" } },
    { what: "an IPv6 key", kind: "Sysctl", patch: { key: "net.ipv6.conf.all.forwarding" } },
    { what: "net.core.somaxconn", kind: "Sysctl", patch: { key: "net.core.somaxconn", value: "1024" } },
    { what: "a netfilter key", kind: "Sysctl", patch: { key: "net.netfilter.nf_conntrack_max", value: "65536" } },
    { what: "net.unix.max_dgram_qlen", kind: "Sysctl", patch: { key: "net.unix.max_dgram_qlen", value: "512" } },
    { what: "a value of several words", kind: "Sysctl", patch: { key: "net.ipv4.tcp_rmem", value: "4096 131072 6291456" } },
    { what: "a value of 256 characters", kind: "Sysctl", patch: { value: "1".repeat(256) } },
];

describe("valid inputs", () => {
    it.each(VALID)("$kind: $what", ({ kind, patch }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.failures).toEqual([]);
        expect(r.inputs).toBeDefined();
    });

    it("passes the engine's __provider through unchecked and leaves it out of the inputs", () => {
        const r = validate("Namespace", { name: "ns1", __provider: "serialized code" });
        expect(r).toEqual({ inputs: { name: "ns1", adopt: false }, failures: [] });
    });

    it("accepts resourceName", () => {
        expect(validate("Namespace", { name: "ns1", resourceName: "lab" }).inputs).toEqual({ name: "ns1", resourceName: "lab", adopt: false });
    });

    it("writes MAC addresses in lower case", () => {
        const r = validate("VethPair", inputs("VethPair", { address: "02:AB:CD:EF:00:01" }));
        expect(r.inputs?.address).toBe("02:ab:cd:ef:00:01");
    });

    it("reports one failure per property, each against its own property", () => {
        const r = validate("VethPair", { name: "", namespace: "a;b", peerName: "-x", peerNamespace: "ns2", mtu: 10 });
        expect(r.failures.map((f) => f.property)).toEqual(["name", "namespace", "peerName", "mtu"]);
        expect(r.failures[0]?.reason).toBe("must not be empty");
    });

    it("reports every unknown input by its own name", () => {
        const r = validate("Namespace", { name: "ns1", foo: 1, bar: 2 });
        expect(r.failures.map((f) => f.property)).toEqual(["foo", "bar"]);
    });

    it("reports a missing required input against it", () => {
        const r = validate("Sysctl", { key: "net.ipv4.ip_forward", value: "1" });
        expect(r.failures).toEqual([{ property: "namespace", reason: "must be a string" }]);
    });
});

describe("defaults", () => {
    it.each([
        { kind: "Namespace" as Kind, want: { adopt: false } },
        { kind: "VethPair" as Kind, want: { up: true, peerUp: true, adopt: false } },
        { kind: "Address" as Kind, want: { adopt: false } },
        { kind: "Route" as Kind, want: { table: "main", adopt: false } },
    ])("$kind: $want", ({ kind, want }) => {
        expect(validate(kind, BASE[kind]).inputs).toEqual({ ...BASE[kind], ...want });
    });

    it("an explicit value wins over the default", () => {
        expect(validate("VethPair", inputs("VethPair", { up: false, peerUp: false, adopt: true })).inputs).toMatchObject({ up: false, peerUp: false, adopt: true });
        expect(validate("Route", inputs("Route", { table: 100 })).inputs?.table).toBe(100);
    });

    it("optional properties stay absent", () => {
        const v = validate("VethPair", BASE.VethPair).inputs!;
        for (const k of ["mtu", "peerMtu", "address", "peerAddress"]) expect(v).not.toHaveProperty(k);
        const r = validate("Route", BASE.Route).inputs!;
        for (const k of ["dev", "metric", "src"]) expect(r).not.toHaveProperty(k);
    });
});

describe("values not known during preview", () => {
    const everyProperty = (Object.keys(BASE) as Kind[]).flatMap((kind) => Object.keys(BASE[kind]).map((property) => ({ kind, property })));
    const optional: { kind: Kind; property: string }[] = [
        { kind: "VethPair", property: "mtu" }, { kind: "VethPair", property: "peerMtu" },
        { kind: "VethPair", property: "address" }, { kind: "VethPair", property: "peerAddress" },
        { kind: "VethPair", property: "up" }, { kind: "VethPair", property: "peerUp" },
        { kind: "Route", property: "dev" }, { kind: "Route", property: "metric" }, { kind: "Route", property: "src" },
        { kind: "Route", property: "table" }, { kind: "Namespace", property: "adopt" }, { kind: "Address", property: "adopt" },
    ];

    it.each([...everyProperty, ...optional])("$kind.$property unknown: no failure, inputs passed through", ({ kind, property }) => {
        const raw = inputs(kind, { [property]: UNKNOWN });
        const r = validate(kind, raw);
        expect(r.failures).toEqual([]);
        expect(r.inputs).toMatchObject({ [property]: UNKNOWN });
    });

    it("every property unknown at once", () => {
        for (const kind of Object.keys(BASE) as Kind[]) {
            const raw = Object.fromEntries(Object.keys(BASE[kind]).map((k) => [k, UNKNOWN]));
            expect(validate(kind, raw).failures).toEqual([]);
        }
    });

    it.each([
        { what: "a hostile name next to an unknown namespace", kind: "VethPair" as Kind, patch: { namespace: UNKNOWN, name: "-all" }, property: "name", reason: NAME_RULE },
        { what: "a network address next to an unknown device", kind: "Address" as Kind, patch: { dev: UNKNOWN, address: "192.0.2.0/24" }, property: "address", reason: /network address/ },
        { what: "host bits next to an unknown namespace", kind: "Route" as Kind, patch: { namespace: UNKNOWN, to: "192.0.2.1/24" }, property: "to", reason: /host bits/ },
        { what: "a source of the wrong family next to an unknown gateway", kind: "Route" as Kind, patch: { via: UNKNOWN, src: "2001:db8::1" }, property: "src", reason: /is IPv6 but the destination 198\.51\.100\.0\/24 is IPv4/ },
        { what: "a gateway of the wrong family next to an unknown destination", kind: "Route" as Kind, patch: { to: UNKNOWN, via: "2001:db8::1", src: "192.0.2.1" }, property: "src", reason: /is IPv4 but the gateway 2001:db8::1 is IPv6/ },
        { what: "a host key next to an unknown namespace", kind: "Sysctl" as Kind, patch: { namespace: UNKNOWN, key: "kernel.hostname" }, property: "key", reason: NOT_PER_NS },
        { what: "a control character next to an unknown key", kind: "Sysctl" as Kind, patch: { key: UNKNOWN, value: "1\n" }, property: "value", reason: ONE_LINE },
        { what: "an mtu out of range next to an unknown peer", kind: "VethPair" as Kind, patch: { peerName: UNKNOWN, mtu: 10 }, property: "mtu", reason: /below 68/ },
        { what: "an unknown input whose value is unknown", kind: "Namespace" as Kind, patch: { path: UNKNOWN }, property: "path", reason: /unknown input/ },
    ])("still checks the rest: $what", ({ kind, patch, property, reason }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.inputs).toBeUndefined();
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]?.property).toBe(property);
        expect(r.failures[0]?.reason).toMatch(reason);
    });

    it("two unknown namespaces are not the same namespace (the same name at both ends is fine)", () => {
        const r = validate("VethPair", { name: "veth0", namespace: UNKNOWN, peerName: "veth0", peerNamespace: UNKNOWN });
        expect(r.failures).toEqual([]);
    });

    it("a route to an unknown destination still needs via or dev", () => {
        const r = validate("Route", { namespace: "ns1", to: UNKNOWN });
        expect(r.failures).toEqual([{ property: "via", reason: "a route needs a gateway (via) or a device (dev), or both" }]);
    });
});

describe("onConnectedSegment", () => {
    it.each([
        { gw: "192.0.2.254", nets: ["192.0.2.1/24"], want: true },
        { gw: "192.0.3.1", nets: ["192.0.2.1/24"], want: false },
        { gw: "192.0.3.1", nets: ["192.0.2.1/24", "192.0.3.2/30"], want: true },
        { gw: "2001:db8::fe", nets: ["2001:db8::1/64"], want: true },
        { gw: "2001:db8:1::fe", nets: ["2001:db8::1/64"], want: false },
        { gw: "192.0.2.254", nets: ["2001:db8::1/64"], want: false },
        { gw: "not-an-ip", nets: ["192.0.2.1/24"], want: false },
        { gw: "192.0.2.254", nets: ["garbage"], want: false },
        { gw: "192.0.2.254", nets: [], want: false },
    ])("$gw in $nets: $want", ({ gw, nets, want }) => {
        expect(onConnectedSegment(gw, nets)).toBe(want);
    });
});

// Inline sub-objects (provider/kinds/inline.ts): the Address, Route and Sysctl rules, applied per entry,
// and no entry twice in one list. Failures are reported against the list property.
const INLINE_HOSTILE: HostileCase[] = [
    { what: "an address without a prefix", kind: "VethPair", patch: { addresses: ["192.0.2.1"] }, property: "addresses", reason: /"192\.0\.2\.1" is not an address with a prefix length/ },
    { what: "a network address", kind: "VethPair", patch: { peerAddresses: ["192.0.2.0/24"] }, property: "peerAddresses", reason: /is the network address of its subnet/ },
    { what: "the same address twice, spelled two ways", kind: "VethPair", patch: { addresses: ["2001:db8::1/64", "2001:db8:0::1/64"] }, property: "addresses", reason: /lists 2001:db8:0::1\/64 twice \(entries 0 and 1\)/ },
    { what: "addresses not a list", kind: "VethPair", patch: { addresses: "192.0.2.1/24" }, property: "addresses", reason: /must be a list of addresses/ },
    { what: "a route that is null", kind: "VethPair", patch: { routes: [{ to: "default", via: "192.0.2.254" }, null] }, property: "routes", reason: /^entry 1 must be a route such as \{ to: "default", via: "192\.0\.2\.254" \}, not null$/ },
    { what: "a route that is a string", kind: "VethPair", patch: { peerRoutes: ["default"] }, property: "peerRoutes", reason: /^entry 0 must be a route such as .*, not string$/ },
    { what: "a route with host bits", kind: "VethPair", patch: { routes: [{ to: "198.51.100.1/24" }] }, property: "routes", reason: /has host bits set/ },
    { what: "a route whose gateway is of the other family", kind: "VethPair", patch: { peerRoutes: [{ to: "198.51.100.0/24", via: "2001:db8::1" }] }, property: "peerRoutes", reason: /is IPv6 but the destination 198\.51\.100\.0\/24 is IPv4/ },
    { what: "a route with an unknown field (dev is the end's)", kind: "VethPair", patch: { routes: [{ to: "default", via: "192.0.2.254", dev: "eth0" }] }, property: "routes", reason: /^entry 0: Unrecognized key: "dev"$/ },
    { what: "two routes to one destination, table and metric (IPv4 metric 0 is none)", kind: "VethPair", patch: { routes: [{ to: "default", via: "192.0.2.254" }, { to: "default", via: "192.0.2.253", metric: 0 }] }, property: "routes", reason: /lists a route to default \(table main, metric 0\) twice/ },
    { what: "a route in the kernel's local table", kind: "VethPair", patch: { routes: [{ to: "default", via: "192.0.2.254", table: 255 }] }, property: "routes", reason: /255 is the kernel's local table/ },
    { what: "a host sysctl key", kind: "Namespace", patch: { sysctls: { "kernel.panic": "1" } }, property: "sysctls", reason: NOT_PER_NS },
    { what: "a global net.core key", kind: "Namespace", patch: { sysctls: { "net.core.rmem_max": "1" } }, property: "sysctls", reason: NOT_PER_NS },
    { what: "a sysctl value with a newline", kind: "Namespace", patch: { sysctls: { "net.ipv4.ip_forward": "1\nkernel.panic=1" } }, property: "sysctls", reason: ONE_LINE },
    { what: "a sysctl value that is a number", kind: "Namespace", patch: { sysctls: { "net.ipv4.ip_forward": 1 } }, property: "sysctls", reason: /must be a string/ },
];

describe("inline sub-objects", () => {
    it.each(INLINE_HOSTILE)("$kind: $what -> $property", ({ kind, patch, property, reason }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.inputs).toBeUndefined();
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]?.property).toBe(property);
        expect(r.failures[0]?.reason).toMatch(reason);
    });

    it("refuses an address twice on a bridge", () => {
        const r = validate("Bridge", { name: "br0", namespace: "ns1", addresses: ["192.0.2.1/24", "192.0.2.1/24"] });
        expect(r.failures).toEqual([{ property: "addresses", reason: expect.stringMatching(/lists 192\.0\.2\.1\/24 twice/) }]);
    });

    it("accepts the inline form of a star host and router, with defaults filled in per route", () => {
        const pair = validate("VethPair", inputs("VethPair", {
            addresses: ["192.0.2.1/30", "2001:db8::1/64"], peerAddresses: ["192.0.2.2/30"],
            routes: [{ to: "default", via: "192.0.2.2" }, { to: "2001:db8:1::/64", via: "2001:db8::2", metric: 5 }],
            peerRoutes: [{ to: "198.51.100.0/24" }, { to: "198.51.100.0/24", metric: 10 }],
        }));
        expect(pair.failures).toEqual([]);
        expect(pair.inputs?.routes).toEqual([{ to: "default", via: "192.0.2.2", table: "main" }, { to: "2001:db8:1::/64", via: "2001:db8::2", metric: 5, table: "main" }]);
        const ns = validate("Namespace", { name: "router", sysctls: { "net.ipv4.ip_forward": "1", "net.ipv4.tcp_rmem": "4096  131072 6291456" } });
        expect(ns.failures).toEqual([]);
        expect(ns.inputs?.sysctls).toEqual({ "net.ipv4.ip_forward": "1", "net.ipv4.tcp_rmem": "4096 131072 6291456" });
        expect(validate("Bridge", { name: "br0", namespace: "ns1", addresses: [] }).failures).toEqual([]);
    });

    it("refuses default and 0.0.0.0/0 (or ::/0) in one list: one destination to the kernel", () => {
        const v4 = validate("VethPair", inputs("VethPair", { routes: [{ to: "default", via: "192.0.2.2" }, { to: "0.0.0.0/0", via: "192.0.2.3" }] }));
        expect(v4.failures).toEqual([{ property: "routes", reason: expect.stringMatching(/lists a route to 0\.0\.0\.0\/0 \(table main, metric 0\) twice \(entries 0 and 1\)/) }]);
        const v6 = validate("VethPair", inputs("VethPair", { peerRoutes: [{ to: "::/0", via: "2001:db8::1" }, { to: "default", via: "2001:db8::2" }] }));
        expect(v6.failures).toEqual([{ property: "peerRoutes", reason: expect.stringMatching(/lists a route to default \(table main, metric 1024\) twice/) }]);
        expect(validate("VethPair", inputs("VethPair", { routes: [{ to: "0.0.0.0/0", via: "192.0.2.2" }, { to: "::/0", via: "2001:db8::1" }] })).failures).toEqual([]);
    });

    it("leaves the lists out when they are not given (nothing managed)", () => {
        expect(validate("VethPair", inputs("VethPair", {})).inputs).not.toHaveProperty("addresses");
        expect(validate("Namespace", { name: "ns1" }).inputs).not.toHaveProperty("sysctls");
    });

    it("checks a list with an entry not known during preview once it is known", () => {
        const r = validate("VethPair", inputs("VethPair", { addresses: ["192.0.2.1/24", UNKNOWN], routes: [{ to: "default", via: UNKNOWN }] }));
        expect(r.failures).toEqual([]);
    });
});
