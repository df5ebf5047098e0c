// Which input changes replace an object and which update it in place: each kind's declared
// `diff` spec through decide() from provider/engine/diff.ts, and through the provider's diff method,
// which is what the engine calls.
import { describe, expect, it } from "vitest";
import { decide, type DiffSpec } from "../../provider/engine/diff";
import { providers } from "../../provider/impl";
import { namespaceImpl } from "../../provider/kinds/namespace";
import { vethPairImpl } from "../../provider/kinds/veth";
import { addressImpl } from "../../provider/kinds/address";
import { routeImpl } from "../../provider/kinds/route";
import { sysctlImpl } from "../../provider/kinds/sysctl";

type Props = Record<string, unknown>;
/** The kinds this file covers. */
type Kind = "Namespace" | "VethPair" | "Address" | "Route" | "Sysctl";

const SPECS: { [K in Kind]: DiffSpec } = {
    Namespace: namespaceImpl.diff,
    VethPair: vethPairImpl.diff,
    Address: addressImpl.diff,
    Route: routeImpl.diff,
    Sysctl: sysctlImpl.diff,
};

/** The stored outputs of one object of each kind, as create returns them (inputs with defaults, plus outputs). */
const OLDS: { [K in Kind]: Props } = {
    Namespace: { resourceName: "ns", name: "ns1", adopt: false },
    VethPair: {
        resourceName: "pair", name: "veth0", namespace: "ns1", peerName: "veth1", peerNamespace: "ns2",
        mtu: 1500, peerMtu: 1400, address: "02:00:00:00:00:01", peerAddress: "02:00:00:00:00:02", up: true, peerUp: true, adopt: false,
        ifindex: 7, peerIfindex: 8, liveMtu: 1500, peerLiveMtu: 1400, liveAddress: "02:00:00:00:00:01", peerLiveAddress: "02:00:00:00:00:02",
    },
    Address: { resourceName: "addr", namespace: "ns1", dev: "veth0", address: "192.0.2.1/24", adopt: false },
    Route: { resourceName: "rt", namespace: "ns1", to: "198.51.100.0/24", via: "192.0.2.254", dev: "veth0", metric: 100, src: "192.0.2.1", table: "main", adopt: false },
    Sysctl: { resourceName: "fwd", namespace: "ns1", key: "net.ipv4.ip_forward", value: "1", previous: "0" },
};

/** The new checked inputs: the old outputs without what only outputs have. */
const OUTPUT_ONLY = ["ifindex", "peerIfindex", "liveMtu", "peerLiveMtu", "liveAddress", "peerLiveAddress", "previous"];
function news(kind: Kind, patch: Props): Props {
    const n: Props = Object.fromEntries(Object.entries(OLDS[kind]).filter(([k]) => !OUTPUT_ONLY.includes(k)));
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete n[k];
        else n[k] = v;
    }
    return n;
}

type Effect = "replace" | "update" | "none";
interface Case { kind: Kind; what: string; patch: Props; effect: Effect; replaces?: string[] }

const CASES: Case[] = [
    // Namespace: the name is its identity.
    { kind: "Namespace", what: "name", patch: { name: "ns9" }, effect: "replace" },
    { kind: "Namespace", what: "nothing", patch: {}, effect: "none" },
    // VethPair: names and namespaces replace; everything else is set in place.
    { kind: "VethPair", what: "name", patch: { name: "veth9" }, effect: "replace" },
    { kind: "VethPair", what: "namespace", patch: { namespace: "ns9" }, effect: "replace" },
    { kind: "VethPair", what: "peerName", patch: { peerName: "veth9" }, effect: "replace" },
    { kind: "VethPair", what: "peerNamespace", patch: { peerNamespace: "ns9" }, effect: "replace" },
    { kind: "VethPair", what: "name and peerNamespace", patch: { name: "veth9", peerNamespace: "ns9", mtu: 9000 }, effect: "replace", replaces: ["name", "peerNamespace"] },
    { kind: "VethPair", what: "mtu", patch: { mtu: 9000 }, effect: "update" },
    { kind: "VethPair", what: "peerMtu", patch: { peerMtu: 9000 }, effect: "update" },
    { kind: "VethPair", what: "address", patch: { address: "02:00:00:00:00:09" }, effect: "update" },
    { kind: "VethPair", what: "peerAddress", patch: { peerAddress: "02:00:00:00:00:09" }, effect: "update" },
    { kind: "VethPair", what: "up", patch: { up: false }, effect: "update" },
    { kind: "VethPair", what: "peerUp", patch: { peerUp: false }, effect: "update" },
    { kind: "VethPair", what: "everything in place at once", patch: { mtu: 9000, peerMtu: 9000, address: "02:00:00:00:00:09", peerAddress: "02:00:00:00:00:0a", up: false, peerUp: false }, effect: "update" },
    // An optional property left out means "the kernel's choice": not a change.
    { kind: "VethPair", what: "mtu left out", patch: { mtu: undefined }, effect: "none" },
    { kind: "VethPair", what: "peerMtu left out", patch: { peerMtu: undefined }, effect: "none" },
    { kind: "VethPair", what: "address left out", patch: { address: undefined }, effect: "none" },
    { kind: "VethPair", what: "peerAddress left out", patch: { peerAddress: undefined }, effect: "none" },
    { kind: "VethPair", what: "all optional properties left out", patch: { mtu: undefined, peerMtu: undefined, address: undefined, peerAddress: undefined }, effect: "none" },
    { kind: "VethPair", what: "nothing", patch: {}, effect: "none" },
    // Address: every input is identity.
    { kind: "Address", what: "namespace", patch: { namespace: "ns9" }, effect: "replace" },
    { kind: "Address", what: "dev", patch: { dev: "veth9" }, effect: "replace" },
    { kind: "Address", what: "address", patch: { address: "192.0.2.2/24" }, effect: "replace" },
    { kind: "Address", what: "prefix length only", patch: { address: "192.0.2.1/25" }, effect: "replace" },
    { kind: "Address", what: "nothing", patch: {}, effect: "none" },
    // Route: destination, table and metric are the route's key, and the device it is bound to (the
    // kernel deletes a route with its device); gateway and source change in place.
    { kind: "Route", what: "namespace", patch: { namespace: "ns9" }, effect: "replace" },
    { kind: "Route", what: "to", patch: { to: "203.0.113.0/24" }, effect: "replace" },
    { kind: "Route", what: "table", patch: { table: 100 }, effect: "replace" },
    { kind: "Route", what: "metric", patch: { metric: 200 }, effect: "replace" },
    { kind: "Route", what: "metric left out (a different route: the kernel's default metric)", patch: { metric: undefined }, effect: "replace", replaces: ["metric"] },
    { kind: "Route", what: "via", patch: { via: "192.0.2.253" }, effect: "update" },
    { kind: "Route", what: "dev", patch: { dev: "veth9" }, effect: "replace" },
    { kind: "Route", what: "dev left out", patch: { dev: undefined }, effect: "replace" },
    { kind: "Route", what: "src", patch: { src: "192.0.2.2" }, effect: "update" },
    // Left out means "none" for a route's gateway, device and source: the route must lose them.
    { kind: "Route", what: "via left out", patch: { via: undefined }, effect: "update" },
    { kind: "Route", what: "src left out", patch: { src: undefined }, effect: "update" },
    { kind: "Route", what: "nothing", patch: {}, effect: "none" },
    // Sysctl: which key in which namespace is identity; the value changes in place.
    { kind: "Sysctl", what: "namespace", patch: { namespace: "ns9" }, effect: "replace" },
    { kind: "Sysctl", what: "key", patch: { key: "net.ipv6.conf.all.forwarding" }, effect: "replace" },
    { kind: "Sysctl", what: "value", patch: { value: "0" }, effect: "update" },
    { kind: "Sysctl", what: "nothing", patch: {}, effect: "none" },
];

// resourceName and adopt never cause a change, whatever else is the same.
const NEVER: Case[] = (Object.keys(OLDS) as Kind[]).flatMap((kind) => [
    { kind, what: "resourceName", patch: { resourceName: "renamed" }, effect: "none" as const },
    { kind, what: "resourceName left out", patch: { resourceName: undefined }, effect: "none" as const },
    { kind, what: "adopt turned on", patch: { adopt: true }, effect: "none" as const },
    { kind, what: "adopt left out", patch: { adopt: undefined }, effect: "none" as const },
]);

function expected(c: Case) {
    return {
        changes: c.effect !== "none",
        replaces: c.effect === "replace" ? (c.replaces ?? Object.keys(c.patch)) : [],
        deleteBeforeReplace: true,
    };
}

describe("the declared specs", () => {
    // Exactly these inputs replace; at least these update in place.
    it.each([
        ["Namespace", { replace: ["name"], update: [] }],
        ["VethPair", { replace: ["name", "namespace", "peerName", "peerNamespace"], update: ["mtu", "peerMtu", "address", "peerAddress", "up", "peerUp"] }],
        ["Address", { replace: ["namespace", "dev", "address"], update: [] }],
        ["Route", { replace: ["namespace", "to", "table", "metric", "dev"], update: ["via", "src"] }],
        ["Sysctl", { replace: ["namespace", "key"], update: ["value"] }],
    ] as const)("%s", (kind, spec) => {
        expect(SPECS[kind].replace).toEqual(spec.replace);
        expect(SPECS[kind].update).toEqual(expect.arrayContaining([...spec.update]));
        for (const k of SPECS[kind].update) expect(SPECS[kind].replace).not.toContain(k);
    });

    it.each(Object.keys(SPECS) as Kind[])("%s: resourceName and adopt are in neither list", (kind) => {
        for (const k of ["resourceName", "adopt"]) {
            expect(SPECS[kind].replace).not.toContain(k);
            expect(SPECS[kind].update).not.toContain(k);
        }
    });
});

describe("decide", () => {
    it.each([...CASES, ...NEVER])("$kind: $what -> $effect", (c) => {
        expect(decide(SPECS[c.kind], OLDS[c.kind], news(c.kind, c.patch))).toEqual(expected(c));
    });

    it("always deletes before it replaces: kernel objects are unique by name", () => {
        for (const kind of Object.keys(SPECS) as Kind[]) {
            expect(decide(SPECS[kind], OLDS[kind], news(kind, {})).deleteBeforeReplace).toBe(true);
        }
    });

    it("outputs the new inputs lack (ifindex, previous, live values) are not changes", () => {
        expect(decide(vethPairImpl.diff, OLDS.VethPair, news("VethPair", {})).changes).toBe(false);
        expect(decide(sysctlImpl.diff, OLDS.Sysctl, news("Sysctl", {})).changes).toBe(false);
    });

    it("an optional property set where it was not is a change", () => {
        const olds = news("VethPair", { mtu: undefined });
        expect(decide(vethPairImpl.diff, olds, news("VethPair", { mtu: 1500 }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    });

    it("a spec with nothing in it never changes anything", () => {
        expect(decide({ replace: [], update: [] }, { a: 1 }, { a: 2 })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
    });
});

describe("providers[kind].diff, as the engine calls it", () => {
    it.each([...CASES, ...NEVER])("$kind: $what -> $effect", async (c) => {
        const olds = OLDS[c.kind];
        const got = await providers[c.kind].diff(String(olds.name ?? "id"), olds, { ...news(c.kind, c.patch), __provider: "serialized" });
        expect(got).toEqual(expected(c));
    });
});

describe("inline sub-objects: a change of a list updates in place, never replaces", () => {
    const pair = { ...OLDS.VethPair, addresses: ["192.0.2.1/24"], routes: [{ to: "default", via: "192.0.2.254", table: "main" }] };
    const ns = { ...OLDS.Namespace, sysctls: { "net.ipv4.ip_forward": "1" }, previousSysctls: { "net.ipv4.ip_forward": "0" } };
    const { previousSysctls: _p, ...nsInputs } = ns;
    const update = { changes: true, replaces: [], deleteBeforeReplace: true };
    const none = { changes: false, replaces: [], deleteBeforeReplace: true };
    it.each([
        ["an address added", pair, { ...pair, addresses: ["192.0.2.1/24", "2001:db8::1/64"] }, update],
        ["an address removed", pair, { ...pair, addresses: [] }, update],
        ["the list left out (its entries removed)", pair, { ...pair, addresses: undefined }, update],
        ["a peer address added where there was no list", pair, { ...pair, peerAddresses: ["192.0.2.2/24"] }, update],
        ["a route added", pair, { ...pair, routes: [...pair.routes, { to: "198.51.100.0/24", via: "192.0.2.254", table: "main" }] }, update],
        ["a route's gateway changed", pair, { ...pair, routes: [{ to: "default", via: "192.0.2.253", table: "main" }] }, update],
        ["a peer route removed", { ...pair, peerRoutes: [{ to: "203.0.113.0/24", table: "main" }] }, { ...pair, peerRoutes: [] }, update],
        ["nothing", pair, { ...pair }, none],
        ["a sysctl added", ns, { ...nsInputs, sysctls: { "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1" } }, update],
        ["a sysctl value changed", ns, { ...nsInputs, sysctls: { "net.ipv4.ip_forward": "0" } }, update],
        ["the sysctls left out", ns, { ...nsInputs, sysctls: undefined }, update],
        ["no sysctl change (previousSysctls is an output)", ns, nsInputs, none],
    ] as const)("%s", async (_what, olds, news, want) => {
        const kind = "sysctls" in olds ? "Namespace" : "VethPair";
        expect(await providers[kind].diff("id", olds as Props, { ...(news as Props), __provider: "serialized" })).toEqual(want);
    });

    it("Bridge addresses: added or removed is an update", async () => {
        const br = { resourceName: "br", name: "br0", namespace: "ns1", up: true, adopt: false, ifindex: 3, mac: "02:00:00:00:00:09", addresses: ["192.0.2.1/24"] };
        expect(await providers.Bridge.diff("id", br, { ...br, addresses: ["192.0.2.1/24", "198.51.100.1/24"] })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        expect(await providers.Bridge.diff("id", br, { ...br, addresses: undefined })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        const { addresses: _a, ...plain } = br;
        expect(await providers.Bridge.diff("id", plain, plain)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
    });
});
