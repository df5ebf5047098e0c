// Hostile input, through the real CLI: each case is rejected by `pulumi preview` with a message
// that names the resource and the property, without a stack trace, and nothing is created (no
// namespace with the prefix, checked after every preview). The schemas' own table is in
// test/unit/schemas.test.ts; this proves the same through the engine.
//
// The engine stops a preview at the first resource whose `check` fails, so each of those cases
// gets its own preview (three stacks take turns). The whole-stack checks of the program
// (provider/checks/declared.ts: duplicates, gateways on no connected segment) are all reported by one
// preview, so they share one.
//
// "The host's own namespace": a name under /run/netns bound to the host's network namespace
// (`ip netns attach NAME PID`, made here for the test under our prefix, and only a name: deleting
// it unmounts the name, the host's namespace stays) is refused for every kind; so is a peer
// namespace of digits, which `ip link ... netns N` would read as a process ID. There is no opt-in.
import { beforeAll, describe, expect, it } from "vitest";
import { type TestStack } from "../e2e/harness";
import { sh } from "../e2e/resource-support";
import { filePrefix } from "../support/prefix";
import { fileLifecycle, fixtureStack, namespacesWith, printed, type Spec } from "./support";

const prefix = filePrefix("hostile");
const HOST_ALIAS = `${prefix}hostns`;
const WORKERS = 3;
const pool: TestStack[] = [];
const idle: TestStack[] = [];
const waiting: ((s: TestStack) => void)[] = [];
let rejected = 0;
/** The problems of the one whole-stack preview below. */
const WHOLE_STACK_PROBLEMS = 9;
// The name for the host's namespace is a fixture: the clean-up deletes the name (only the name).
const { stacks } = fileLifecycle(prefix, () => `[reliability] hostile input: ${rejected} cases rejected at preview through the CLI, nothing created`, { fixtures: [HOST_ALIAS] });

async function withStack<T>(f: (s: TestStack) => Promise<T>): Promise<T> {
    const s = idle.pop() ?? (await new Promise<TestStack>((resolve) => waiting.push(resolve)));
    try {
        return await f(s);
    } finally {
        const next = waiting.shift();
        if (next) next(s);
        else idle.push(s);
    }
}

beforeAll(async () => {
    for (let i = 0; i < WORKERS; i++) {
        const s = await fixtureStack(`${prefix}w${i}`, []);
        pool.push(s);
        stacks.push(s);
        idle.push(s);
    }
    // A name for the host's own namespace (this test process runs in it).
    await sh("ip", "netns", "attach", HOST_ALIAS, String(process.pid));
}, 600_000);

const P = (s: string) => `${prefix}${s}`;

/** A valid resource of each kind; each case changes one input. */
const BASE: Record<string, Record<string, unknown>> = {
    Namespace: { name: P("ok") },
    VethPair: { name: "veth0", namespace: P("a"), peerName: "veth1", peerNamespace: P("b") },
    Address: { namespace: P("a"), dev: "veth0", address: "192.0.2.1/24" },
    Route: { namespace: P("a"), to: "198.51.100.0/24", via: "192.0.2.254" },
    Sysctl: { namespace: P("a"), key: "net.ipv4.ip_forward", value: "1" },
    Bridge: { name: "br0", namespace: P("a") },
    Rule: { namespace: P("a"), priority: 1000, from: "192.168.1.0/28", lookup: 100 },
    LinkShaping: { namespace: P("a"), dev: "veth0", rate: "10mbit", burst: "32kb", latency: "50ms" },
    Tunnel: { name: "vx0", namespace: P("a"), type: "vxlan", vni: 42, dev: "veth0", local: "192.0.2.1", remote: "192.0.2.2" },
};

interface Case {
    what: string;
    kind: keyof typeof BASE;
    patch: Record<string, unknown>;
    property: string;
    reason: RegExp;
}

const NAME = /may contain only letters, digits, '_', '\.' and '-', starting with a letter or digit/;
const NOT_PER_NS = /is not a per-network-namespace key/;
const HOST = /is the host's own network namespace/;

const CASES: Case[] = [
    // Argument injection: names `ip` would read as options.
    { what: "namespace -all", kind: "Namespace", patch: { name: "-all" }, property: "name", reason: NAME },
    { what: "namespace --help", kind: "Namespace", patch: { name: "--help" }, property: "name", reason: NAME },
    { what: "interface -all", kind: "VethPair", patch: { name: "-all" }, property: "name", reason: NAME },
    { what: "peer --help", kind: "VethPair", patch: { peerName: "--help" }, property: "peerName", reason: NAME },
    { what: "route device -h", kind: "Route", patch: { dev: "-h" }, property: "dev", reason: NAME },
    { what: "bridge -x", kind: "Bridge", patch: { name: "-x" }, property: "name", reason: NAME },
    { what: "sysctl namespace -n", kind: "Sysctl", patch: { namespace: "-n" }, property: "namespace", reason: NAME },
    { what: 'namespace "all" (ip netns del all deletes every namespace)', kind: "Namespace", patch: { name: "all" }, property: "name", reason: /"all" is reserved/ },
    // Shell metacharacters.
    { what: "namespace a;reboot", kind: "Namespace", patch: { name: "a;reboot" }, property: "name", reason: NAME },
    { what: "namespace $(id)", kind: "Namespace", patch: { name: "$(id)" }, property: "name", reason: NAME },
    { what: "namespace `id`", kind: "Namespace", patch: { name: "`id`" }, property: "name", reason: NAME },
    { what: "device e0|cat", kind: "Address", patch: { dev: "e0|cat" }, property: "dev", reason: NAME },
    { what: "peer namespace a&&b", kind: "VethPair", patch: { peerNamespace: "a&&b" }, property: "peerNamespace", reason: NAME },
    { what: "rule namespace x>y", kind: "Rule", patch: { namespace: "x>y" }, property: "namespace", reason: NAME },
    // Paths.
    { what: "namespace a/b", kind: "Namespace", patch: { name: "a/b" }, property: "name", reason: NAME },
    { what: "namespace ..", kind: "Namespace", patch: { name: ".." }, property: "name", reason: NAME },
    { what: "namespace ../etc", kind: "Namespace", patch: { name: "../etc" }, property: "name", reason: NAME },
    { what: "interface eth0/1", kind: "VethPair", patch: { name: "eth0/1" }, property: "name", reason: NAME },
    { what: "device ..", kind: "Address", patch: { dev: ".." }, property: "dev", reason: NAME },
    // Whitespace.
    { what: "namespace with a space", kind: "Namespace", patch: { name: "a b" }, property: "name", reason: NAME },
    { what: "interface with a newline", kind: "VethPair", patch: { name: "a\nb" }, property: "name", reason: NAME },
    { what: "device with a tab", kind: "Route", patch: { dev: "a\tb" }, property: "dev", reason: NAME },
    { what: "namespace with a trailing space", kind: "Sysctl", patch: { namespace: `${P("a")} ` }, property: "namespace", reason: NAME },
    // Empty and overlong.
    { what: "empty namespace", kind: "Namespace", patch: { name: "" }, property: "name", reason: /must not be empty/ },
    { what: "empty interface", kind: "VethPair", patch: { name: "" }, property: "name", reason: /must not be empty/ },
    { what: "16-character interface", kind: "VethPair", patch: { peerName: "p".repeat(16) }, property: "peerName", reason: /longer than 15 characters/ },
    { what: "16-character bridge", kind: "Bridge", patch: { name: "b".repeat(16) }, property: "name", reason: /longer than 15 characters/ },
    { what: "65-character namespace", kind: "Namespace", patch: { name: "n".repeat(65) }, property: "name", reason: /longer than 64 characters/ },
    // Invalid CIDRs and addresses.
    { what: "address without a prefix length", kind: "Address", patch: { address: "192.0.2.1" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "prefix length 33", kind: "Address", patch: { address: "192.0.2.1/33" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "octet 300", kind: "Address", patch: { address: "300.1.1.1/24" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "IPv6 prefix length 129", kind: "Address", patch: { address: "2001:db8::1/129" }, property: "address", reason: /is not an address with a prefix length/ },
    { what: "route to abc", kind: "Route", patch: { to: "abc" }, property: "to", reason: /is neither "default" nor a network/ },
    { what: "gateway with a prefix length", kind: "Route", patch: { via: "192.0.2.254/24" }, property: "via", reason: /is not an IPv4 or IPv6 address/ },
    { what: "gateway abc", kind: "Route", patch: { via: "abc" }, property: "via", reason: /is not an IPv4 or IPv6 address/ },
    // A network address where a host is required, and host bits where a network is.
    { what: "IPv4 network address as an address", kind: "Address", patch: { address: "192.0.2.0/24" }, property: "address", reason: /is the network address of its subnet/ },
    { what: "IPv6 network address as an address", kind: "Address", patch: { address: "2001:db8::/64" }, property: "address", reason: /is the network address of its subnet/ },
    { what: "broadcast address", kind: "Address", patch: { address: "192.0.2.255/24" }, property: "address", reason: /is the broadcast address/ },
    { what: "route to a network with host bits", kind: "Route", patch: { to: "198.51.100.1/24" }, property: "to", reason: /has host bits set/ },
    { what: "rule from a network with host bits", kind: "Rule", patch: { from: "192.168.1.1/28" }, property: "from", reason: /has host bits set/ },
    // Mixed IPv4/IPv6.
    { what: "IPv4 destination via IPv6", kind: "Route", patch: { via: "2001:db8::1" }, property: "via", reason: /is IPv6 but the destination 198\.51\.100\.0\/24 is IPv4/ },
    { what: "IPv6 destination via IPv4", kind: "Route", patch: { to: "2001:db8:2::/64" }, property: "via", reason: /is IPv4 but the destination 2001:db8:2::\/64 is IPv6/ },
    { what: "rule from IPv4 to IPv6", kind: "Rule", patch: { to: "2001:db8::/64" }, property: "to", reason: /is IPv6 but from .* is IPv4/ },
    // Sysctl keys outside the network namespace, and values that are not one line.
    { what: "sysctl kernel.hostname", kind: "Sysctl", patch: { key: "kernel.hostname" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl vm.swappiness", kind: "Sysctl", patch: { key: "vm.swappiness" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl net.core.rmem_max (global)", kind: "Sysctl", patch: { key: "net.core.rmem_max" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl fs.file-max", kind: "Sysctl", patch: { key: "fs.file-max" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl key as a path", kind: "Sysctl", patch: { key: "../../kernel/hostname" }, property: "key", reason: NOT_PER_NS },
    { what: "sysctl value with a newline", kind: "Sysctl", patch: { value: "1\n0" }, property: "value", reason: /one line/ },
    { what: "sysctl value with a carriage return", kind: "Sysctl", patch: { value: "1\r" }, property: "value", reason: /one line/ },
    // Inline lists that are not lists (issue 21 item 14): the resource's own error, and the
    // whole-stack checks must not trip over them (no TypeError on the Stack).
    { what: "inline addresses as a string", kind: "VethPair", patch: { addresses: "198.51.100.1/24" }, property: "addresses", reason: /must be a list of addresses/ },
    { what: "inline addresses as an object", kind: "VethPair", patch: { addresses: { 0: "198.51.100.1/24" } }, property: "addresses", reason: /must be a list of addresses/ },
    { what: "inline routes as a string", kind: "VethPair", patch: { routes: "default" }, property: "routes", reason: /must be a list of routes/ },
    { what: "inline routes as an object", kind: "VethPair", patch: { peerRoutes: { to: "default" } }, property: "peerRoutes", reason: /must be a list of routes/ },
    { what: "an inline route that is null", kind: "VethPair", patch: { routes: [null] }, property: "routes", reason: /must be a route such as \{ to: "default", via: "192\.0\.2\.254" \}, not null/ },
    { what: "a bridge's addresses as a string", kind: "Bridge", patch: { addresses: "198.51.100.1/24" }, property: "addresses", reason: /must be a list of addresses/ },
    // One destination spelled two ways in one list (issue 21 item 15).
    { what: "inline default and 0.0.0.0/0", kind: "VethPair", patch: { routes: [{ to: "default", via: "192.0.2.2" }, { to: "0.0.0.0/0", via: "192.0.2.3" }] }, property: "routes", reason: /lists a route to 0\.0\.0\.0\/0 \(table main, metric 0\) twice/ },
    // The host's own namespace.
    { what: "peer namespace 1 (a PID: the host's namespace)", kind: "VethPair", patch: { peerNamespace: "1" }, property: "peerNamespace", reason: /"1" reads as a number/ },
    { what: "peer namespace 0x1 (PID 1 in hex, as strtol reads it)", kind: "VethPair", patch: { peerNamespace: "0x1" }, property: "peerNamespace", reason: /"0x1" reads as a number/ },
    { what: "sysctl in the host's namespace", kind: "Sysctl", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    { what: "address in the host's namespace", kind: "Address", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    { what: "route in the host's namespace", kind: "Route", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    { what: "veth end in the host's namespace", kind: "VethPair", patch: { peerNamespace: HOST_ALIAS }, property: "peerNamespace", reason: HOST },
    { what: "adopting the host's namespace", kind: "Namespace", patch: { name: HOST_ALIAS, adopt: true }, property: "name", reason: HOST },
    { what: "rule in the host's namespace", kind: "Rule", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    { what: "bridge in the host's namespace", kind: "Bridge", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    // Link shaping (tc): units, sizes and ranges tc would misread or the kernel would hold wrongly.
    { what: "shaping in the host's namespace", kind: "LinkShaping", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
    { what: "shaping device --help", kind: "LinkShaping", patch: { dev: "--help" }, property: "dev", reason: NAME },
    { what: "rate without a unit", kind: "LinkShaping", patch: { rate: "10" }, property: "rate", reason: /is not a rate/ },
    { what: "rate with a shell word", kind: "LinkShaping", patch: { rate: "10mbit;reboot" }, property: "rate", reason: /is not a rate/ },
    { what: "rate of zero", kind: "LinkShaping", patch: { rate: "0bit" }, property: "rate", reason: /outside 1kbit to 100gbit/ },
    { what: "rate over 100gbit", kind: "LinkShaping", patch: { rate: "1tbit" }, property: "rate", reason: /outside 1kbit to 100gbit/ },
    { what: "negative burst", kind: "LinkShaping", patch: { burst: -1 }, property: "burst", reason: /burst must be 1 to/ },
    { what: "burst as a word", kind: "LinkShaping", patch: { burst: "lots" }, property: "burst", reason: /is not a size/ },
    { what: "burst that overflows the kernel's ticks", kind: "LinkShaping", patch: { rate: "1kbit" }, property: "burst", reason: /more than 200 s overflows/ },
    { what: "burst that rounds to nothing", kind: "LinkShaping", patch: { rate: "100gbit", burst: 1500 }, property: "burst", reason: /round to almost nothing/ },
    { what: "latency and limit both", kind: "LinkShaping", patch: { limit: 1000 }, property: "limit", reason: /not both/ },
    { what: "latency without a unit", kind: "LinkShaping", patch: { latency: "50" }, property: "latency", reason: /is not a time/ },
    { what: "jitter without delay", kind: "LinkShaping", patch: { jitter: "5ms" }, property: "jitter", reason: /give delay too/ },
    { what: "loss over 100%", kind: "LinkShaping", patch: { loss: "101%" }, property: "loss", reason: /outside \(0, 100\]/ },
    { what: "an input tc has but the kind does not (peakrate)", kind: "LinkShaping", patch: { peakrate: "20mbit" }, property: "peakrate", reason: /unknown input; LinkShaping takes/ },
    // Tunnels (issue 24 item 1): VNI and port ranges, addresses that are no other end, settings of another type.
    { what: "VNI 0", kind: "Tunnel", patch: { vni: 0 }, property: "vni", reason: /is below 1; a VNI is 1-16777215/ },
    { what: "VNI 16777216 (25 bits)", kind: "Tunnel", patch: { vni: 16777216 }, property: "vni", reason: /is above 16777215, the largest VNI/ },
    { what: "VNI -1", kind: "Tunnel", patch: { vni: -1 }, property: "vni", reason: /is below 1/ },
    { what: "VNI 1.5", kind: "Tunnel", patch: { vni: 1.5 }, property: "vni", reason: /must be an integer/ },
    { what: "VNI as a string", kind: "Tunnel", patch: { vni: "42" }, property: "vni", reason: /must be a number/ },
    { what: "vxlan without a VNI", kind: "Tunnel", patch: { vni: undefined }, property: "vni", reason: /is required for a vxlan tunnel/ },
    { what: "dstport 0", kind: "Tunnel", patch: { dstport: 0 }, property: "dstport", reason: /is below 1; a UDP port is 1-65535/ },
    { what: "dstport 65536", kind: "Tunnel", patch: { dstport: 65536 }, property: "dstport", reason: /is above 65535/ },
    { what: "srcport range upside down", kind: "Tunnel", patch: { srcport: { min: 50000, max: 40000 } }, property: "srcport", reason: /min 50000 is above max 40000/ },
    { what: "srcport max 70000", kind: "Tunnel", patch: { srcport: { min: 1000, max: 70000 } }, property: "srcport", reason: /is above 65535/ },
    { what: "srcport as a string", kind: "Tunnel", patch: { srcport: "1000-2000" }, property: "srcport", reason: /must be \{ min, max \}/ },
    { what: "remote equal to local", kind: "Tunnel", patch: { remote: "192.0.2.1" }, property: "remote", reason: /is this end's own address \(local 192\.0\.2\.1\)/ },
    { what: "remote 0.0.0.0", kind: "Tunnel", patch: { remote: "0.0.0.0" }, property: "remote", reason: /is 0\.0\.0\.0, which names no host/ },
    { what: "remote 255.255.255.255", kind: "Tunnel", patch: { remote: "255.255.255.255" }, property: "remote", reason: /is the broadcast address/ },
    { what: "remote on loopback", kind: "Tunnel", patch: { remote: "127.0.0.1" }, property: "remote", reason: /is a loopback address/ },
    { what: "remote multicast", kind: "Tunnel", patch: { remote: "239.1.1.1" }, property: "remote", reason: /is a multicast address: give it as group/ },
    { what: "remote IPv6", kind: "Tunnel", patch: { remote: "2001:db8::2" }, property: "remote", reason: /is not an IPv4 address/ },
    { what: "local abc", kind: "Tunnel", patch: { local: "abc" }, property: "local", reason: /is not an IPv4 address/ },
    { what: "group that is unicast", kind: "Tunnel", patch: { remote: undefined, group: "192.0.2.9" }, property: "group", reason: /is not a multicast address/ },
    { what: "group and remote together", kind: "Tunnel", patch: { group: "239.1.1.1" }, property: "group", reason: /and remote exclude each other/ },
    { what: "vxlan with neither remote nor group", kind: "Tunnel", patch: { remote: undefined }, property: "remote", reason: /or group is required for a vxlan tunnel/ },
    { what: "tunnel type geneve", kind: "Tunnel", patch: { type: "geneve" }, property: "type", reason: /"geneve" is not a tunnel type/ },
    { what: "tunnel type vxlan;reboot", kind: "Tunnel", patch: { type: "vxlan;reboot" }, property: "type", reason: /is not a tunnel type/ },
    { what: "ipip with a VNI", kind: "Tunnel", patch: { type: "ipip" }, property: "vni", reason: /is for vxlan only; an ipip tunnel has none/ },
    { what: "gre with a dstport", kind: "Tunnel", patch: { type: "gre", vni: undefined, dstport: 4789 }, property: "dstport", reason: /is for vxlan only; a gre tunnel has none/ },
    { what: "ipip without remote", kind: "Tunnel", patch: { type: "ipip", vni: undefined, remote: undefined }, property: "remote", reason: /is required for an ipip tunnel/ },
    { what: "tunnel named -all", kind: "Tunnel", patch: { name: "-all" }, property: "name", reason: NAME },
    { what: "underlay e0;id", kind: "Tunnel", patch: { dev: "e0;id" }, property: "dev", reason: NAME },
    { what: "underlay that is the tunnel itself", kind: "Tunnel", patch: { dev: "vx0" }, property: "dev", reason: /is the tunnel itself/ },
    { what: "tunnel mtu 20", kind: "Tunnel", patch: { mtu: 20 }, property: "mtu", reason: /is below 68/ },
    { what: "tunnel in the host's namespace", kind: "Tunnel", patch: { namespace: HOST_ALIAS }, property: "namespace", reason: HOST },
];

/** The namespaces we might have made, other than the host alias. */
async function made(): Promise<string[]> {
    return (await namespacesWith(prefix)).filter((n) => n !== HOST_ALIAS);
}

async function previewFails(stack: TestStack, specs: Spec[]): Promise<string> {
    const r = await stack.run(["preview", "--config", `resources=${JSON.stringify(specs)}`]);
    const out = printed(r);
    if (r.exitCode === 0) throw new Error(`the preview passed:\n${out}`);
    return out;
}

describe("hostile input is rejected at preview through the CLI, and nothing is created", () => {
    it("the valid resource of every kind that each case starts from previews cleanly", async () => {
        const specs = Object.entries(BASE).map(([kind, args]) => ({ kind, name: `ok-${kind.toLowerCase()}`, args }));
        await withStack(async (s) => {
            const r = await s.run(["preview", "--config", `resources=${JSON.stringify(specs)}`]);
            expect(r.exitCode, printed(r)).toBe(0);
        });
        expect(await made()).toEqual([]);
    });

    // A check of the table only (at least 40 distinct cases), not of the provider: what proves
    // the provider is each case's own test below, and the count of rejections at the end.
    it("the table holds at least 40 distinct cases", () => {
        expect(CASES.length).toBeGreaterThanOrEqual(40);
        expect(new Set(CASES.map((c) => c.what)).size).toBe(CASES.length);
    });

    it.concurrent.for(CASES)("$kind: $what -> property $property", { timeout: 600_000 }, async (c, { expect }) => {
        const spec: Spec = { kind: c.kind, name: "bad", args: { ...BASE[c.kind], ...c.patch } };
        const out = await withStack((s) => previewFails(s, [spec]));
        expect(out).toMatch(new RegExp(`netns:${c.kind} resource 'bad': property ${c.property} value .* has a problem: `, "s"));
        expect(out).toMatch(c.reason);
        expect(out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m); // no stack trace
        expect(out).not.toMatch(/TypeError|Channel has been shut down/); // nothing read it before its check
        expect(await made()).toEqual([]);
        rejected++;
    });

    // Too large for the engine (issue 21 item 16): refused by the program before the engine sees
    // the value (a 33,000-character string made the engine panic in RegisterResource).
    const LIMIT_CASES: { what: string; spec: Spec; message: RegExp }[] = [
        { what: "a sysctl key of 33,000 characters", spec: { kind: "Sysctl", name: "bad", args: { ...BASE.Sysctl, key: `net.ipv4.${"a".repeat(33_000)}` } },
            message: /Sysctl "bad": property key is 33009 characters long; the limit is 1024 \(see "Limits" in docs\/reference\.md of pulumi-netns\)/ },
        { what: "2,000 inline addresses", spec: { kind: "VethPair", name: "bad", args: { ...BASE.VethPair, addresses: Array.from({ length: 2000 }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`) } },
            message: /VethPair "bad": property addresses has 2000 entries; the limit is 1024/ },
        { what: "a 2,000-character sysctl value inline", spec: { kind: "Namespace", name: "bad", args: { name: P("big"), sysctls: { "net.ipv4.ip_forward": "1".repeat(2000) } } },
            message: /Namespace "bad": property sysctls\.net\.ipv4\.ip_forward is 2000 characters long; the limit is 1024/ },
    ];
    it.concurrent.for(LIMIT_CASES)("too large for the engine: $what", { timeout: 600_000 }, async (c, { expect }) => {
        const out = await withStack((s) => previewFails(s, [c.spec]));
        expect(out).toMatch(c.message);
        expect(out).not.toMatch(/panic|assertion has failed|^\s+at .*:\d+:\d+\)?$/m);
        expect(await made()).toEqual([]);
    });

    it("one preview reports every whole-stack problem: duplicates and gateways on no connected segment", async () => {
        const ns = (name: string, n: string) => ({ kind: "Namespace", name, args: { name: P(n) } });
        const specs: Spec[] = [
            ns("a", "a"), ns("a-again", "a"), ns("b", "b"),
            { kind: "VethPair", name: "v1", args: { name: "e0", namespace: P("a"), peerName: "e1", peerNamespace: P("b") } },
            { kind: "VethPair", name: "v2", args: { name: "e2", namespace: P("b"), peerName: "e0", peerNamespace: P("a") } },
            { kind: "Bridge", name: "br", args: { name: "e1", namespace: P("b") } },
            { kind: "Address", name: "ad1", args: { namespace: P("a"), dev: "e0", address: "192.0.2.1/24" } },
            { kind: "Address", name: "ad2", args: { namespace: P("a"), dev: "e0", address: "192.0.2.1/24" } },
            { kind: "Route", name: "off-segment", args: { namespace: P("a"), to: "198.51.100.0/24", via: "203.0.113.1" } },
            { kind: "Route", name: "off-segment6", args: { namespace: P("a"), to: "2001:db8:2::/64", via: "2001:db8:1::1" } },
            { kind: "Route", name: "default1", args: { namespace: P("a"), to: "default", via: "192.0.2.254" } },
            { kind: "Route", name: "default2", args: { namespace: P("a"), to: "default", via: "192.0.2.253" } },
            { kind: "Sysctl", name: "fwd1", args: { namespace: P("a"), key: "net.ipv4.ip_forward", value: "1" } },
            { kind: "Sysctl", name: "fwd2", args: { namespace: P("a"), key: "net.ipv4.ip_forward", value: "0" } },
            { kind: "Rule", name: "rule1", args: { namespace: P("a"), priority: 1000, from: "192.168.1.0/28", lookup: 100 } },
            { kind: "Rule", name: "rule2", args: { namespace: P("a"), priority: 1000, from: "192.168.1.0/28", lookup: 101 } },
        ];
        const expected: [string, RegExp][] = [
            ["two Namespaces with one name", /Namespace "a-again": property name "\S+a" is already used by Namespace "a" \(name\)/],
            ["two veth ends with one name in one namespace", /VethPair "v2": property peerName "e0" in namespace \S+a is already used by VethPair "v1" \(name\)/],
            ["a bridge named like a veth end", /Bridge "br": property name "e1" in namespace \S+b is already used by VethPair "v1" \(peerName\)/],
            ["the same Address twice", /Address "ad2": property address 192\.0\.2\.1\/24 on e0 in namespace \S+ is already used by Address "ad1"/],
            ["a gateway on no connected segment", /Route "off-segment": property via 203\.0\.113\.1 is on no connected segment of namespace \S+a/],
            ["an IPv6 gateway on no connected segment", /Route "off-segment6": property via 2001:db8:1::1 is on no connected segment/],
            ["two routes to one destination", /Route "default2": property to default \(table main, metric 0\) in namespace \S+ is already used by Route "default1"/],
            ["two values for one sysctl", /Sysctl "fwd2": property key net\.ipv4\.ip_forward in namespace \S+ is already used by Sysctl "fwd1"/],
            ["two identical rules", /Rule "rule2": property priority 1000 \(from 192\.168\.1\.0\/28 to all\) in namespace \S+ is already used by Rule "rule1"/],
        ];
        const out = await withStack((s) => previewFails(s, specs));
        for (const [what, message] of expected) expect(out, what).toMatch(message);
        expect(out).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
        expect(await made()).toEqual([]);
        expect(expected).toHaveLength(WHOLE_STACK_PROBLEMS);
        rejected += expected.length;
    }, 600_000);

    it("a gateway is not judged where it cannot be: a namespace the stack adopts, or one it does not create", async () => {
        const specs: Spec[] = [
            { kind: "Namespace", name: "adopted", args: { name: P("adopted"), adopt: true } },
            { kind: "Route", name: "r1", args: { namespace: P("adopted"), to: "198.51.100.0/24", via: "203.0.113.1" } },
            { kind: "Route", name: "r2", args: { namespace: P("elsewhere"), to: "198.51.100.0/24", via: "203.0.113.1" } },
            { kind: "Route", name: "r3", args: { namespace: P("adopted"), to: "2001:db8:2::/64", via: "fe80::1", dev: "e0" } },
        ];
        await withStack(async (s) => {
            const r = await s.run(["preview", "--config", `resources=${JSON.stringify(specs)}`]);
            expect(r.exitCode, printed(r)).toBe(0);
        });
        expect(await made()).toEqual([]);
    }, 600_000);

    it("every case of the table was rejected by the provider through the CLI, with its message", () => {
        expect(rejected).toBe(CASES.length + WHOLE_STACK_PROBLEMS);
    });
});
