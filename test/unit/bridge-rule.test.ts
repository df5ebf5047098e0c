// Bridge, Rule, and the VethPair inputs that enslave an end to a bridge (master, peerMaster):
// what check accepts and refuses (each refusal against its property), which changes replace and
// which update in place, and the exact argv each builds. Nothing is run.
import { describe, expect, it } from "vitest";
import { decide } from "../../provider/engine/diff";
import { providers } from "../../provider/impl";
import { argv as bridgeArgv, bridgeImpl } from "../../provider/kinds/bridge";
import { argv as ruleArgv, family, liveAction, ruleImpl, sameSelector } from "../../provider/kinds/rule";
import { argv as vethArgv, vethPairImpl } from "../../provider/kinds/veth";
import { UNKNOWN, validate, type Inputs } from "../../provider/kinds/schemas";
type BridgeArgs = Inputs<"Bridge">;
type RuleArgs = Inputs<"Rule">;
type VethPairArgs = Inputs<"VethPair">;

type Raw = Record<string, unknown>;

const BASE = {
    Bridge: { namespace: "vpc", name: "br-public" } as Raw,
    Rule: { namespace: "vpc", priority: 1000, from: "192.168.1.0/28", lookup: 101 } as Raw,
    VethPair: { name: "eth0", namespace: "web", peerName: "dev-web", peerNamespace: "vpc", peerMaster: "br-public" } as Raw,
};
type Kind = keyof typeof BASE;

function inputs(kind: Kind, patch: Raw): Raw {
    const raw: Raw = { ...BASE[kind], ...patch };
    for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
    return raw;
}

describe("schemas: valid inputs, with their defaults", () => {
    it.each([
        { kind: "Bridge" as Kind, patch: {}, want: { namespace: "vpc", name: "br-public", up: true, adopt: false } },
        { kind: "Bridge" as Kind, patch: { mtu: 9000, up: false, adopt: true }, want: { namespace: "vpc", name: "br-public", mtu: 9000, up: false, adopt: true } },
        { kind: "Rule" as Kind, patch: {}, want: { namespace: "vpc", priority: 1000, from: "192.168.1.0/28", to: "all", lookup: 101, adopt: false } },
        { kind: "Rule" as Kind, patch: { from: undefined, to: "192.168.0.0/16", lookup: "main", priority: 100 }, want: { namespace: "vpc", priority: 100, from: "all", to: "192.168.0.0/16", lookup: "main", adopt: false } },
        { kind: "Rule" as Kind, patch: { from: "192.168.0.0/16", lookup: undefined, type: "unreachable", priority: 32001 }, want: { namespace: "vpc", priority: 32001, from: "192.168.0.0/16", to: "all", type: "unreachable", adopt: false } },
        { kind: "Rule" as Kind, patch: { type: "prohibit", lookup: undefined }, want: { type: "prohibit" } },
        { kind: "Rule" as Kind, patch: { type: "blackhole", lookup: undefined }, want: { type: "blackhole" } },
        { kind: "Rule" as Kind, patch: { from: "2001:db8::/32", to: "2001:db8:1::/48" }, want: { from: "2001:db8::/32", to: "2001:db8:1::/48" } },
        { kind: "Rule" as Kind, patch: { from: "0.0.0.0/0" }, want: { from: "0.0.0.0/0" } },
        { kind: "Rule" as Kind, patch: { from: "192.168.1.4/32", priority: 4294967295, lookup: 4294967295 }, want: { priority: 4294967295, lookup: 4294967295 } },
        { kind: "VethPair" as Kind, patch: {}, want: { peerMaster: "br-public", up: true, peerUp: true } },
        { kind: "VethPair" as Kind, patch: { master: "br0", peerMaster: undefined }, want: { master: "br0" } },
    ])("$kind $patch", ({ kind, patch, want }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.failures).toEqual([]);
        expect(r.inputs).toMatchObject(want);
    });
});

interface Refusal { what: string; kind: Kind; patch: Raw; property: string; reason: RegExp }

const NAME_RULE = /may contain only letters, digits/;

export const REFUSALS: Refusal[] = [
    // Bridge
    { what: "bridge name longer than 15", kind: "Bridge", patch: { name: "dev-subnet-public" }, property: "name", reason: /longer than 15 characters/ },
    { what: "bridge name read as an option", kind: "Bridge", patch: { name: "-all" }, property: "name", reason: NAME_RULE },
    { what: "bridge name with a shell metacharacter", kind: "Bridge", patch: { name: "br;reboot" }, property: "name", reason: NAME_RULE },
    { what: "bridge in the namespace named all", kind: "Bridge", patch: { namespace: "all" }, property: "namespace", reason: /reserved/ },
    { what: "bridge without a namespace (the host's)", kind: "Bridge", patch: { namespace: undefined }, property: "namespace", reason: /string/ },
    { what: "bridge mtu below 68", kind: "Bridge", patch: { mtu: 67 }, property: "mtu", reason: /below 68/ },
    { what: "bridge mtu as text", kind: "Bridge", patch: { mtu: "1500" }, property: "mtu", reason: /must be a number/ },
    { what: "bridge up as text", kind: "Bridge", patch: { up: "yes" }, property: "up", reason: /true or false/ },
    { what: "bridge with an unknown input", kind: "Bridge", patch: { stp: true }, property: "stp", reason: /unknown input; Bridge takes name, namespace, mtu, up, addresses, adopt/ },
    // Rule: identity
    { what: "rule without a namespace (the host's)", kind: "Rule", patch: { namespace: undefined }, property: "namespace", reason: /string/ },
    { what: "rule at priority 0, before the local table", kind: "Rule", patch: { priority: 0 }, property: "priority", reason: /0 is the priority of the kernel's local rule/ },
    { what: "rule at a negative priority", kind: "Rule", patch: { priority: -1 }, property: "priority", reason: /local rule/ },
    { what: "rule priority above 32 bits", kind: "Rule", patch: { priority: 4294967296 }, property: "priority", reason: /above 4294967295/ },
    { what: "rule priority not an integer", kind: "Rule", patch: { priority: 1.5 }, property: "priority", reason: /integer/ },
    { what: "rule priority as text", kind: "Rule", patch: { priority: "1000" }, property: "priority", reason: /must be a number/ },
    // Rule: selectors
    { what: "from with host bits", kind: "Rule", patch: { from: "192.168.1.4/28" }, property: "from", reason: /has host bits set; a rule matches a network, such as 192\.168\.1\.0\/28/ },
    { what: "from without a prefix length", kind: "Rule", patch: { from: "192.168.1.0" }, property: "from", reason: /neither "all" nor a network/ },
    { what: "from as an option", kind: "Rule", patch: { from: "-6" }, property: "from", reason: /neither "all" nor a network/ },
    { what: "to with a word", kind: "Rule", patch: { to: "default" }, property: "to", reason: /neither "all" nor a network/ },
    { what: "to with host bits (IPv6)", kind: "Rule", patch: { from: "2001:db8::/32", to: "2001:db8::1/64" }, property: "to", reason: /host bits/ },
    { what: "from IPv4, to IPv6", kind: "Rule", patch: { to: "2001:db8::/32" }, property: "to", reason: /is IPv6 but from \(192\.168\.1\.0\/28\) is IPv4/ },
    // Rule: action
    { what: "no action at all", kind: "Rule", patch: { lookup: undefined }, property: "lookup", reason: /a rule needs an action: a table to look up/ },
    { what: "both a table and a type", kind: "Rule", patch: { type: "unreachable" }, property: "type", reason: /a rule of type unreachable looks nothing up/ },
    { what: "an unknown type", kind: "Rule", patch: { lookup: undefined, type: "nat" }, property: "type", reason: /must be "unreachable", "prohibit" or "blackhole"/ },
    { what: "lookup 254 (main by number)", kind: "Rule", patch: { lookup: 254 }, property: "lookup", reason: /254 is the main table: write "main"/ },
    { what: "lookup 255 (local)", kind: "Rule", patch: { lookup: 255 }, property: "lookup", reason: /255 is the kernel's local table/ },
    { what: "lookup 253 (default)", kind: "Rule", patch: { lookup: 253 }, property: "lookup", reason: /253 is the kernel's default table/ },
    { what: "lookup local by name", kind: "Rule", patch: { lookup: "local" }, property: "lookup", reason: /must be "main" or a table number/ },
    { what: "lookup 0", kind: "Rule", patch: { lookup: 0 }, property: "lookup", reason: /must be "main" or a table number/ },
    { what: "lookup as text digits", kind: "Rule", patch: { lookup: "101" }, property: "lookup", reason: /must be "main" or a table number/ },
    { what: "rule with an unknown input", kind: "Rule", patch: { iif: "eth0" }, property: "iif", reason: /unknown input; Rule takes namespace, priority, from, to, lookup, type, adopt/ },
    // VethPair master
    { what: "master longer than 15", kind: "VethPair", patch: { master: "dev-subnet-public" }, property: "master", reason: /longer than 15 characters/ },
    { what: "peerMaster read as an option", kind: "VethPair", patch: { peerMaster: "-all" }, property: "peerMaster", reason: NAME_RULE },
    { what: "peerMaster not a string", kind: "VethPair", patch: { peerMaster: true }, property: "peerMaster", reason: /must be a string|string/ },
];

describe("schemas: refusals, each against its property", () => {
    it.each(REFUSALS)("$kind: $what", ({ kind, patch, property, reason }) => {
        const r = validate(kind, inputs(kind, patch));
        expect(r.inputs).toBeUndefined();
        const f = r.failures.find((x) => x.property === property);
        expect(f, JSON.stringify(r.failures)).toBeDefined();
        expect(f!.reason).toMatch(reason);
    });
});

describe("schemas: values not known during preview", () => {
    it.each([
        { kind: "Bridge" as Kind, patch: { namespace: UNKNOWN } },
        { kind: "Bridge" as Kind, patch: { name: UNKNOWN } },
        { kind: "Rule" as Kind, patch: { namespace: UNKNOWN } },
        { kind: "Rule" as Kind, patch: { lookup: UNKNOWN } },
        { kind: "Rule" as Kind, patch: { priority: UNKNOWN } },
        { kind: "Rule" as Kind, patch: { from: UNKNOWN } },
        { kind: "VethPair" as Kind, patch: { peerMaster: UNKNOWN } },
    ])("$kind with $patch passes check", ({ kind, patch }) => {
        expect(validate(kind, inputs(kind, patch)).failures).toEqual([]);
    });

    it("still reports the known problems next to an unknown value", () => {
        const r = validate("Rule", inputs("Rule", { namespace: UNKNOWN, priority: 0 }));
        expect(r.failures.map((f) => f.property)).toEqual(["priority"]);
    });
});

// --- diff ---

const BRIDGE_OLDS: Raw = { resourceName: "br", namespace: "vpc", name: "br-public", up: true, adopt: false, ifindex: 3, liveMtu: 1500 };
const RULE_OLDS: Raw = { resourceName: "assoc", namespace: "vpc", priority: 1000, from: "192.168.1.0/28", to: "all", lookup: 101, adopt: false };
const PAIR_OLDS: Raw = {
    resourceName: "eni", name: "eth0", namespace: "web", peerName: "dev-web", peerNamespace: "vpc", peerMaster: "br-public",
    up: true, peerUp: true, adopt: false, ifindex: 2, peerIfindex: 5,
};
const OUTPUT_ONLY = ["ifindex", "peerIfindex", "liveMtu"];

function news(olds: Raw, patch: Raw): Raw {
    const n: Raw = Object.fromEntries(Object.entries(olds).filter(([k]) => !OUTPUT_ONLY.includes(k)));
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete n[k];
        else n[k] = v;
    }
    return n;
}

describe("diff decisions", () => {
    it.each([
        { kind: "Bridge", what: "name", olds: BRIDGE_OLDS, patch: { name: "br-private" }, effect: "replace", replaces: ["name"] },
        { kind: "Bridge", what: "namespace", olds: BRIDGE_OLDS, patch: { namespace: "vpc2" }, effect: "replace", replaces: ["namespace"] },
        { kind: "Bridge", what: "up", olds: BRIDGE_OLDS, patch: { up: false }, effect: "update" },
        { kind: "Bridge", what: "mtu given", olds: BRIDGE_OLDS, patch: { mtu: 9000 }, effect: "update" },
        { kind: "Bridge", what: "mtu left out (the kernel's choice)", olds: { ...BRIDGE_OLDS, mtu: 9000 }, patch: { mtu: undefined }, effect: "none" },
        { kind: "Bridge", what: "adopt", olds: BRIDGE_OLDS, patch: { adopt: true }, effect: "none" },
        { kind: "Bridge", what: "nothing", olds: BRIDGE_OLDS, patch: {}, effect: "none" },
        { kind: "Rule", what: "namespace", olds: RULE_OLDS, patch: { namespace: "vpc2" }, effect: "replace", replaces: ["namespace"] },
        { kind: "Rule", what: "priority", olds: RULE_OLDS, patch: { priority: 1001 }, effect: "replace", replaces: ["priority"] },
        { kind: "Rule", what: "from", olds: RULE_OLDS, patch: { from: "192.168.2.0/28" }, effect: "replace", replaces: ["from"] },
        { kind: "Rule", what: "to", olds: RULE_OLDS, patch: { to: "203.0.113.0/24" }, effect: "replace", replaces: ["to"] },
        { kind: "Rule", what: "another table (AWS: replace the association's route table)", olds: RULE_OLDS, patch: { lookup: 102 }, effect: "update" },
        { kind: "Rule", what: "lookup main", olds: RULE_OLDS, patch: { lookup: "main" }, effect: "update" },
        { kind: "Rule", what: "table to unreachable", olds: RULE_OLDS, patch: { lookup: undefined, type: "unreachable" }, effect: "update" },
        { kind: "Rule", what: "unreachable to a table", olds: { ...RULE_OLDS, lookup: undefined, type: "unreachable" }, patch: { lookup: 101, type: undefined }, effect: "update" },
        { kind: "Rule", what: "priority and table", olds: RULE_OLDS, patch: { priority: 1001, lookup: 102 }, effect: "replace", replaces: ["priority"] },
        { kind: "Rule", what: "adopt", olds: RULE_OLDS, patch: { adopt: true }, effect: "none" },
        { kind: "Rule", what: "nothing", olds: RULE_OLDS, patch: {}, effect: "none" },
        { kind: "VethPair", what: "peerMaster to another bridge", olds: PAIR_OLDS, patch: { peerMaster: "br-private" }, effect: "update" },
        { kind: "VethPair", what: "peerMaster left out: leave the bridge", olds: PAIR_OLDS, patch: { peerMaster: undefined }, effect: "update" },
        { kind: "VethPair", what: "master added", olds: PAIR_OLDS, patch: { master: "br0" }, effect: "update" },
        { kind: "VethPair", what: "no master before or after", olds: { ...PAIR_OLDS, peerMaster: undefined }, patch: { peerMaster: undefined }, effect: "none" },
        { kind: "VethPair", what: "peerMaster unchanged", olds: PAIR_OLDS, patch: {}, effect: "none" },
    ] as const)("$kind: $what -> $effect", async ({ kind, olds, patch, effect, ...rest }) => {
        const n = news(olds as Raw, patch as Raw);
        const spec = { Bridge: bridgeImpl.diff, Rule: ruleImpl.diff, VethPair: vethPairImpl.diff }[kind];
        const d = decide(spec, olds as Raw, n);
        // The engine calls the provider's diff: the same decision.
        expect(await providers[kind].diff("id", olds as Raw, n)).toEqual(d);
        expect(d.changes).toBe(effect !== "none");
        expect(d.replaces.length > 0).toBe(effect === "replace");
        if ("replaces" in rest) expect(d.replaces).toEqual(rest.replaces);
        expect(d.deleteBeforeReplace).toBe(true);
    });

    it("declares every input of Bridge and Rule either identity, in place, or neither (resourceName, adopt)", () => {
        expect(bridgeImpl.diff).toEqual({ replace: ["name", "namespace"], update: ["mtu", "up", "addresses"], clear: ["addresses"] });
        expect(ruleImpl.diff).toEqual({ replace: ["namespace", "priority", "from", "to"], update: ["lookup", "type"] });
        expect(vethPairImpl.diff.clear).toEqual(["master", "peerMaster", "addresses", "peerAddresses", "routes", "peerRoutes"]);
    });
});

// --- argv ---

const bridge = (p: Partial<BridgeArgs> = {}): BridgeArgs => ({ namespace: "vpc", name: "br-public", up: true, adopt: false, ...p });
const rule = (p: Partial<RuleArgs> = {}): RuleArgs => ({ namespace: "vpc", priority: 1000, from: "192.168.1.0/28", to: "all", lookup: 101, adopt: false, ...p });
const pair = (p: Partial<VethPairArgs> = {}): VethPairArgs => ({
    name: "eth0", namespace: "web", peerName: "dev-web", peerNamespace: "vpc", up: true, peerUp: true, adopt: false, ...p,
});

describe("argv: Bridge", () => {
    it.each([
        { what: "add, up, with the name after `name` (a name such as mtu stays a name)", got: bridgeArgv.add(bridge()),
            want: ["ip", "-n", "vpc", "link", "add", "name", "br-public", "up", "type", "bridge"] },
        { what: "add down with an MTU", got: bridgeArgv.add(bridge({ up: false, mtu: 9000 })),
            want: ["ip", "-n", "vpc", "link", "add", "name", "br-public", "mtu", "9000", "type", "bridge"] },
        { what: "add a bridge named mtu", got: bridgeArgv.add(bridge({ name: "mtu" })),
            want: ["ip", "-n", "vpc", "link", "add", "name", "mtu", "up", "type", "bridge"] },
        { what: "set down", got: bridgeArgv.set(bridge(), { up: false }), want: ["ip", "-n", "vpc", "link", "set", "dev", "br-public", "down"] },
        { what: "set mtu and up", got: bridgeArgv.set(bridge(), { mtu: 1400, up: true }), want: ["ip", "-n", "vpc", "link", "set", "dev", "br-public", "mtu", "1400", "up"] },
        { what: "show, as JSON with details", got: bridgeArgv.show(bridge()), want: ["ip", "-n", "vpc", "-j", "-d", "link", "show", "dev", "br-public"] },
        { what: "del", got: bridgeArgv.del(bridge()), want: ["ip", "-n", "vpc", "link", "del", "dev", "br-public"] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });
});

describe("argv: Rule", () => {
    it.each([
        { what: "an association: from SUBNET lookup TABLE", got: ruleArgv.add(rule()),
            want: ["ip", "-n", "vpc", "-4", "rule", "add", "from", "192.168.1.0/28", "priority", "1000", "lookup", "101", "protocol", "77"] },
        { what: "the local route: to the VPC, lookup main", got: ruleArgv.add(rule({ from: "all", to: "192.168.0.0/16", priority: 100, lookup: "main" })),
            want: ["ip", "-n", "vpc", "-4", "rule", "add", "from", "all", "to", "192.168.0.0/16", "priority", "100", "lookup", "main", "protocol", "77"] },
        { what: "the end: unreachable", got: ruleArgv.add(rule({ from: "192.168.0.0/16", priority: 32001, lookup: undefined, type: "unreachable" })),
            want: ["ip", "-n", "vpc", "-4", "rule", "add", "from", "192.168.0.0/16", "priority", "32001", "unreachable", "protocol", "77"] },
        { what: "IPv6", got: ruleArgv.add(rule({ from: "all", to: "2001:db8::/32", type: "prohibit", lookup: undefined })),
            want: ["ip", "-n", "vpc", "-6", "rule", "add", "from", "all", "to", "2001:db8::/32", "priority", "1000", "prohibit", "protocol", "77"] },
        { what: "del names the whole rule, so only ours goes", got: ruleArgv.del(rule()),
            want: ["ip", "-n", "vpc", "-4", "rule", "del", "from", "192.168.1.0/28", "priority", "1000", "lookup", "101"] },
        { what: "show by priority, as JSON", got: ruleArgv.show(rule()), want: ["ip", "-n", "vpc", "-j", "-4", "rule", "show", "priority", "1000"] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });

    it.each([
        [{ from: "all", to: "all" }, "-4"],
        [{ from: "192.168.1.0/28", to: "all" }, "-4"],
        [{ from: "all", to: "2001:db8::/32" }, "-6"],
        [{ from: "2001:db8::/32", to: "all" }, "-6"],
        [{ from: "::/0", to: "all" }, "-6"],
    ] as const)("family(%o) = %s", (sel, want) => {
        expect(family(sel)).toBe(want);
    });
});

describe("argv: VethPair master and peerMaster", () => {
    it.each([
        { what: "this end's bridge goes into the add request", got: vethArgv.add(pair({ master: "br0" })),
            want: ["ip", "-n", "web", "-echo", "-j", "link", "add", "name", "eth0", "master", "br0", "up", "type", "veth", "peer", "name", "dev-web", "netns", "/run/netns/vpc"] },
        { what: "the peer's bridge is not (it would be looked up in this end's namespace)", got: vethArgv.add(pair({ peerMaster: "br-public" })),
            want: ["ip", "-n", "web", "-echo", "-j", "link", "add", "name", "eth0", "up", "type", "veth", "peer", "name", "dev-web", "netns", "/run/netns/vpc"] },
        { what: "the peer's bridge and admin state: set in the peer's namespace, with the read", got: vethArgv.peer({ name: "dev-web", namespace: "vpc", up: true, master: "br-public" }).input,
            want: "link set dev dev-web master br-public up\nlink show dev dev-web\n" },
        { what: "set master and up in one command", got: vethArgv.set({ name: "dev-web", namespace: "vpc", up: true }, { master: "br-public", up: true }),
            want: ["ip", "-n", "vpc", "link", "set", "dev", "dev-web", "master", "br-public", "up"] },
        { what: "leave the bridge: nomaster", got: vethArgv.set({ name: "dev-web", namespace: "vpc", up: true }, { master: null }),
            want: ["ip", "-n", "vpc", "link", "set", "dev", "dev-web", "nomaster"] },
    ])("$what", ({ got, want }) => {
        expect(got).toEqual(want);
    });
});

describe("reading rules back from ip -j", () => {
    it.each([
        ["all", "all", undefined, true],
        ["all", undefined, undefined, true],
        ["0.0.0.0/0", "all", undefined, true],
        ["192.168.1.0/28", "192.168.1.0", 28, true],
        ["192.168.1.0/28", "192.168.1.0", 27, false],
        ["192.168.1.0/28", "all", undefined, false],
        ["all", "192.168.1.0", 28, false],
        ["192.168.1.4/32", "192.168.1.4", undefined, true], // ip leaves out a full-length prefix
        ["2001:db8::/32", "2001:db8::", 32, true],
        ["2001:db8::/32", "2001:0db8:0::", 32, true],
        ["2001:db8::/32", "192.168.1.0", 32, false],
    ] as const)("input %s vs live %s/%s: %s", (input, addr, len, want) => {
        expect(sameSelector(input, addr, len)).toBe(want);
    });

    it.each([
        [{ priority: 1000, src: "192.168.1.0", srclen: 28, table: "101" }, { lookup: 101, type: undefined }],
        [{ priority: 100, src: "all", dst: "192.168.0.0", dstlen: 16, table: "main" }, { lookup: "main", type: undefined }],
        [{ priority: 32001, src: "192.168.0.0", srclen: 16, action: "unreachable" }, { lookup: undefined, type: "unreachable" }],
        [{ priority: 50, src: "all", action: "blackhole" }, { lookup: undefined, type: "blackhole" }],
    ])("liveAction(%o)", (json, want) => {
        expect(liveAction(json)).toEqual(want);
    });

    it("names a rule by namespace, priority and selectors", () => {
        expect(ruleImpl.id(rule())).toBe("vpc/1000 from 192.168.1.0/28 to all");
        expect(bridgeImpl.id(bridge())).toBe("vpc/br-public");
    });
});
