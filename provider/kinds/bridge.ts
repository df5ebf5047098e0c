// Bridge: a Linux bridge, one layer-2 segment inside a namespace (a switch).
//   ip -n NS link add name NAME [mtu M] [up] type bridge
//   ip -n NS link set dev NAME [mtu M] [up|down]       (update)
// Interfaces join it through the VethPair inputs `master` and `peerMaster` (`ip link set dev X
// master NAME`). `name` is always given after the `name` keyword: `ip link add br0 ...` would read
// a name such as "a" or "mtu" as a keyword.
// Create is one request (and, with an MTU, two `ip link set mtu` that make it stick: see create):
// the bridge exists, with its MTU and admin state, or it does not.
import { z } from "zod";
import { interfaceClaim } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, adoptFrom, ifindex, ifname, mtu, nsname, up } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf, type StateOf, type StoredOf } from "../engine/kind";
import { mustRun, NetnsError, shown, commonHint, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { deleteLink } from "../ownership/made";
import { ipRead } from "../host/reads";
import { formatMark } from "../ownership/owner";
import { addMarked, createLink } from "./link";
import { addLines, addressFacts, addressList, change as changeEntries, entriesHint, present, runLines } from "./inline";

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The bridge's interface name (1-15 characters), as in `ip link add name NAME type bridge`. A change replaces it. */
    name: ifname,
    /** The namespace it lives in. Pass `ns.name` so the bridge waits for its namespace. A change replaces it. */
    namespace: nsname,
    /** MTU of the bridge itself. Left out: the kernel's choice. Updated in place. */
    mtu: mtu.optional(),
    /** Admin state; up by default. Updated in place. */
    up,
    /** Addresses on the bridge, as in `ip address add ADDRESS dev NAME`: host addresses with their prefix, no two the same (the Address kind's rules). Adding or removing one updates the bridge in place; only the listed addresses are managed. Left out: none managed. */
    addresses: addressList.optional(),
    /** Take over an existing bridge with this name instead of failing: one without an ownership mark, or marked by this stack. */
    adopt,
    /** `PROJECT/STACK`: take over a bridge marked by that other stack (implies adopt). Without it, another stack's bridge is refused. */
    adoptFrom,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields);

const computed = {
    /** The bridge's interface index in its namespace. */
    ifindex,
    /** The bridge's MAC address as the kernel has it, in lower case. The kernel changes it as ports join (it takes the lowest port MAC): refresh reads the current one. */
    mac: z.string(),
};

/** The inputs of a Bridge after check (defaults applied): the provider's view. */
export type BridgeSpec = SpecOf<typeof schema>;
type Where = Pick<BridgeSpec, "name" | "namespace">;

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

export const argv = {
    add: (a: BridgeSpec) => ["ip", "-n", a.namespace, "link", "add", "name", a.name, ...opt("mtu", a.mtu), ...(a.up ? ["up"] : []), "type", "bridge"],
    set: (a: Where, change: { mtu?: number | undefined; up?: boolean | undefined }) =>
        ["ip", "-n", a.namespace, "link", "set", "dev", a.name, ...opt("mtu", change.mtu), ...(change.up === undefined ? [] : [change.up ? "up" : "down"])],
    show: (a: Where) => ["ip", "-n", a.namespace, "-j", "-d", "link", "show", "dev", a.name],
    del: (a: Where) => ["ip", "-n", a.namespace, "link", "del", "dev", a.name],
    /**
     * With an ownership mark: the add and the bridge's alias in one process (`ip link add`
     * ignores an alias). The mark never holds a quote or a '#' (owner.ts).
     */
    addMarked: (a: BridgeSpec, mark: string): { argv: string[]; input: string } => addMarked(argv.add(a), a.name, mark),
    /** Writes the bridge's ownership mark (adoption). */
    alias: (a: Where, mark: string) => ["ip", "-n", a.namespace, "link", "set", "dev", a.name, "alias", mark],
};


interface LinkJson { ifindex: number; flags: string[]; mtu: number; address: string; linkinfo?: { info_kind?: string }; ifalias?: string }
interface Live { ifindex: number; mtu: number; mac: string; up: boolean; kind: string | undefined; alias: string | undefined }

async function show(s: Subject, a: Where): Promise<Live | undefined> {
    const l = (await ipRead<LinkJson>(s, argv.show(a), { namespace: a.namespace, device: a.name, what: `bridge ${a.name} in ${a.namespace}` }))?.[0];
    return l && { ifindex: l.ifindex, mtu: l.mtu, mac: l.address, up: l.flags.includes("UP"), kind: l.linkinfo?.info_kind, alias: l.ifalias };
}

/** The live bridge under the input names (so refresh reports drift against them), or undefined. */
async function read<T extends StoredOf<typeof schema, typeof computed>>(s: Subject, a: T): Promise<(T & StateOf<typeof schema, typeof computed>) | undefined> {
    const l = await show(s, a);
    if (!l || l.kind !== "bridge") return undefined; // gone, or replaced by something that is not ours
    // liveMtu: an output of releases before mac existed, dropped so that a state does not keep it stale.
    const { liveMtu: _m, ...rest } = a as T & Record<string, unknown>;
    // The managed addresses still there: one removed by hand leaves the outputs, so the next up adds it again.
    const addresses = a.addresses === undefined ? {} : { addresses: (await present(s, a.namespace, a.name, { addresses: a.addresses })).addresses };
    return { ...(rest as T), up: l.up, ...(a.mtu !== undefined ? { mtu: l.mtu } : {}), ...addresses, ifindex: l.ifindex, mac: l.mac };
}

function hint(a: BridgeSpec, stderr: string): string {
    if (ipSays(stderr, "exists")) return `an interface named ${a.name} already exists in ${a.namespace}; remove it ('ip -n ${a.namespace} link del dev ${a.name}'), give this bridge another name, or set adopt: true to take over an existing bridge`;
    if (/Invalid argument/.test(stderr) && a.mtu !== undefined) return `the kernel refused mtu ${a.mtu} for a bridge`;
    return commonHint(stderr);
}

async function adoptExisting(s: Subject, a: BridgeSpec): Promise<StateOf<typeof schema, typeof computed>> {
    const l = await show(s, a);
    if (!l || l.kind !== "bridge") {
        throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", `adopt: true found no bridge to take over: ${a.name} in ${a.namespace} is ${l ? `a ${l.kind ?? "plain"} interface` : "gone"}. Remove it or give this bridge another name`);
    }
    await mustRun(s, argv.set(a, { mtu: a.mtu, up: a.up }), (e) => hint(a, e));
    if (s.owner) await mustRun(s, argv.alias(a, formatMark(s.owner))); // adopted: this stack's from now on
    await runLines(s, a.namespace, addLines(a.name, a), entriesHint(a.namespace, a.name));
    const out = await read(s, a);
    if (!out) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", "the bridge vanished while it was being adopted; is another tool deleting interfaces?");
    return out;
}

/** The Bridge kind: a Linux bridge, a switch inside a namespace. */
export const bridge: KindDef<"Bridge", typeof schema, typeof computed> = defineKind({
    kind: "Bridge",
    schema,
    computed,
    namespaces: ["namespace"],
    deletedWith: "namespace",
    links: [{ name: "name", namespace: "namespace", type: "bridge", master: true }],
    claims: (on) => [
        on(["namespace", "name"], (a) => [interfaceClaim(a.namespace, a.name, "name")]),
        on(["namespace", "name", "addresses"], (a, name) => addressFacts(a.namespace, a.name, a.addresses, "addresses", `Bridge "${name}"`)),
    ],
    // An address list left out manages nothing: the addresses it had are removed.
    diff: { replace: ["name", "namespace"], update: ["mtu", "up", "addresses"], clear: ["addresses"] },
    id: (a) => `${a.namespace}/${a.name}`,

    async create(s, a) {
        return createLink(s, a, {
            what: "bridge", add: argv.add(a), show: () => show(s, a), del: argv.del(a), hint: (e) => hint(a, e),
            adopt: a.adopt, adoptFrom: a.adoptFrom, takeOver: () => adoptExisting(s, a),
            async after() {
                // The kernel makes a bridge's MTU follow its ports as they join unless the MTU was
                // changed with `ip link set ... mtu`: neither the mtu of `link add` nor setting the value
                // it already has counts. Change it away and back, so that it stays when ports join.
                if (a.mtu !== undefined) {
                    for (const mtu of [a.mtu < 65535 ? a.mtu + 1 : a.mtu - 1, a.mtu]) await mustRun(s, argv.set(a, { mtu }), (e) => hint(a, e));
                }
                await runLines(s, a.namespace, addLines(a.name, a), entriesHint(a.namespace, a.name));
                const out = await read(s, a);
                if (!out) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", "the bridge vanished right after it was created; is another tool deleting interfaces?");
                return out;
            },
        });
    },

    read: (s, o) => read(s, o),

    async update(s, olds, news) {
        const change = {
            mtu: news.mtu !== undefined && news.mtu !== olds.mtu ? news.mtu : undefined,
            up: news.up !== olds.up ? news.up : undefined,
        };
        if (change.mtu !== undefined || change.up !== undefined) await mustRun(s, argv.set(news, change), (e) => hint(news, e));
        if (JSON.stringify(olds.addresses) !== JSON.stringify(news.addresses)) {
            await changeEntries(s, news.namespace, news.name, { addresses: olds.addresses }, { addresses: news.addresses }, entriesHint(news.namespace, news.name));
        }
        const out = await read(s, news);
        if (!out) throw new NetnsError(s, shown(s, argv.show(news)), undefined, "", "the bridge is gone; run pulumi refresh, then pulumi up to create it again");
        return out;
    },

    async delete(s, o) {
        // Another stack's bridge (one that declared the same name) is left alone. Deleting a
        // bridge releases its ports; the veths themselves stay.
        await deleteLink(s, o, await show(s, o), argv.del(o));
    },
});

/** The arguments of a Bridge: each input of its schema, as a `pulumi.Input`. */
export type BridgeArgs = ArgsOf<typeof schema>;

/** A bridge: a switch inside a namespace. Veth ends join it with VethPair `master`/`peerMaster`. Every input is an output too, with ifindex and mac read from the kernel. */
export const Bridge: ResourceClass<typeof bridge> = resourceClass(bridge);
export type Bridge = InstanceType<typeof Bridge>;

/** The definition under its earlier name. */
export const bridgeImpl = bridge;
