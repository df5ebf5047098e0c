// Tunnel: one end of an IP tunnel, an interface in a namespace that carries its packets inside
// packets sent over another interface of that namespace (the underlay, `dev`).
//   ip -n NS link add name NAME mtu M [up] type vxlan id VNI [local A] (remote B | group G) dstport P [srcport MIN MAX] (learning | nolearning) dev UNDERLAY
//   ip -n NS link add name NAME mtu M [up] type ipip [local A] remote B dev UNDERLAY       (and type gre)
//   ip -n NS link set dev NAME [mtu M] [up|down]                                          (update)
//   ip -n NS link set dev NAME type TYPE [local A] [remote B] [learning|nolearning]      (update)
//   ip -n NS -j -d link show dev NAME                                                      (read)
// The MTU, when not given, is what the encapsulation leaves of the underlay's: its MTU minus 50
// for VXLAN (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14), 20 for IP-in-IP, 24 for GRE (IPv4
// 20 and GRE 4), read from the underlay at create. The kernel answers `link set ... mtu` and
// `type vxlan ...` in one request with "Cannot change mtu", so an update is two commands.
// A kernel without the type (this project's CI kernel has no ipip or gre) answers "Unknown device
// type": the create fails with one line naming the missing kernel option.
import { z } from "zod";
import { interfaceClaim } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, adoptFrom, ifindex, ifname, mtu, nsname, UNKNOWN, up } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf, type StateOf, type StoredOf } from "../engine/kind";
import { formatIp, parseIp } from "../model/net";
import { mustRun, NetnsError, shown, commonHint, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { deleteLink } from "../ownership/made";
import { ipRead } from "../host/reads";
import { formatMark } from "../ownership/owner";
import { addLines, addressFacts, addressList, change, entriesHint, present, routeFacts, routeList, runLines } from "./inline";
import { createLink } from "./link";

/** The tunnel types, as `ip link add ... type TYPE` names them. */
export const TUNNEL_TYPES = ["vxlan", "ipip", "gre"] as const;
export type TunnelType = (typeof TUNNEL_TYPES)[number];

/** What the encapsulation takes of the underlay's MTU, per type (over IPv4). */
export const OVERHEAD: Readonly<Record<TunnelType, number>> = { vxlan: 50, ipip: 20, gre: 24 };

/** The port VXLAN uses when none is given: IANA's (the kernel's own default, 8472, is Linux's older choice). */
export const VXLAN_PORT = 4789;

/** What each type needs of the kernel, for the error when it is missing. */
const FEATURE: Readonly<Record<TunnelType, { words: string; option: string; module: string }>> = {
    vxlan: { words: "VXLAN", option: "CONFIG_VXLAN", module: "vxlan" },
    ipip: { words: "IP-in-IP tunnels", option: "CONFIG_NET_IPIP", module: "ipip" },
    gre: { words: "GRE tunnels", option: "CONFIG_NET_IPGRE", module: "ip_gre" },
};

/** The one line a create gets when the kernel has no such type ("Unknown device type"). */
export function missingFeature(type: TunnelType): string {
    const f = FEATURE[type];
    return `this kernel has no ${f.words} (type ${type}): ${f.option} is not set, or its module is not loaded (modprobe ${f.module}); use a kernel with ${f.option}${type === "vxlan" ? "" : ", or type vxlan, which needs only CONFIG_VXLAN"}`;
}

const VNI_MAX = 16777215;

const ipv4 = (what: string) => z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    const ip = parseIp(s);
    if (!ip || ip.family !== 4) ctx.addIssue({ code: "custom", message: `"${s}" is not an IPv4 address such as 192.0.2.1 (tunnels here run over IPv4)` });
    else {
        const first = Number(ip.value >> 24n);
        const problem = what === "group"
            ? (first < 224 || first > 239 ? "is not a multicast address (224.0.0.0/4): give remote for one other end" : undefined)
            : ip.value === 0n ? "is 0.0.0.0, which names no host"
            : ip.value === 0xffffffffn ? "is the broadcast address"
            : first === 127 ? "is a loopback address (127.0.0.0/8): the tunnel's packets would never leave this namespace"
            : first >= 224 && first <= 239 ? `is a multicast address: ${what === "remote" ? "give it as group, for a segment of several ends (vxlan only)" : "give a unicast address of this end"}`
            : first >= 240 ? "is in 240.0.0.0/4, which is reserved"
            : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: `${s} ${problem}` });
    }
}).transform((s) => formatIp(parseIp(s)!));

const port = z.number({ error: "must be a number" }).int("must be an integer").min(1, "is below 1; a UDP port is 1-65535").max(65535, "is above 65535, the largest UDP port");

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The tunnel's interface name (1-15 characters), as in `ip link add name NAME`. A change replaces it. */
    name: ifname,
    /** The namespace it lives in, with its underlay. Pass `ns.name` so the tunnel waits for its namespace. A change replaces it. */
    namespace: nsname,
    /** The encapsulation, as in `type TYPE`: "vxlan" (Ethernet in UDP), "ipip" (IPv4 in IPv4, protocol 4) or "gre" (protocol 47). A change replaces it. */
    type: z.enum(TUNNEL_TYPES, { error: (iss) => `${JSON.stringify(iss.input)} is not a tunnel type: give "vxlan", "ipip" or "gre"` }),
    /** The underlay: the interface in the same namespace that carries the tunnel's packets, as in `dev UNDERLAY`. Pass `link.name` so the tunnel waits for it. A change replaces the tunnel. */
    dev: ifname,
    /** The VXLAN network identifier, 1-16777215, as in `id VNI` (vxlan only; named vni because `id` is every resource's Pulumi ID). A change replaces the tunnel. */
    vni: z.number({ error: "must be a number" }).int("must be an integer").min(1, `is below 1; a VNI is 1-${VNI_MAX}`).max(VNI_MAX, `is above ${VNI_MAX}, the largest VNI (24 bits)`).optional(),
    /** This end's IPv4 address, as in `local A`: the outer source address. Left out: the kernel's choice by route. Updated in place. */
    local: ipv4("local").optional(),
    /** The other end's IPv4 address, as in `remote B`: the outer destination. Required for ipip and gre; for vxlan, this or group. Updated in place. */
    remote: ipv4("remote").optional(),
    /** A multicast group for a VXLAN segment with several ends, as in `group G` (vxlan only, instead of remote). A change replaces the tunnel. */
    group: ipv4("group").optional(),
    /** The UDP port of the other ends, as in `dstport P` (vxlan only); 4789 (IANA's) when left out. A change replaces the tunnel. */
    dstport: port.optional(),
    /** The range of UDP source ports, as in `srcport MIN MAX` (vxlan only): { min, max }. Left out: the kernel's. A change replaces the tunnel. */
    srcport: z.strictObject({ min: port, max: port }, { error: "must be { min, max }, such as { min: 32768, max: 61000 }" })
        .refine((r) => r.min <= r.max, { error: (iss) => `min ${(iss.input as { min: number }).min} is above max ${(iss.input as { max: number }).max}` }).optional(),
    /** Whether the VXLAN device learns which end has which MAC from the packets it receives (`learning` / `nolearning`, vxlan only); true when left out. Updated in place. */
    learning: z.boolean({ error: "must be true or false" }).optional(),
    /** MTU of the tunnel. Left out: the underlay's MTU at create minus what the encapsulation takes (50 for vxlan, 20 for ipip, 24 for gre), which the output mtu gives. Updated in place. */
    mtu: mtu.optional(),
    /** Admin state; up by default. Updated in place. */
    up,
    /** Addresses on the tunnel (the inner addresses), as VethPair `addresses`. Updated in place. Left out: none managed. */
    addresses: addressList.optional(),
    /** Routes through the tunnel, as VethPair `routes`. Updated in place. Left out: none managed. */
    routes: routeList.optional(),
    /** Take over an existing tunnel with this name and these replace-only settings instead of failing: one without an ownership mark, or marked by this stack. */
    adopt,
    /** `PROJECT/STACK`: take over a tunnel marked by that other stack (implies adopt). Without it, another stack's tunnel is refused. */
    adoptFrom,
};

const VXLAN_ONLY = ["vni", "group", "dstport", "srcport", "learning"] as const;

const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields).superRefine((v, ctx) => {
    const known = (x: unknown) => x !== undefined && x !== UNKNOWN;
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (known(v.name) && known(v.dev) && v.name === v.dev) issue("dev", `is the tunnel itself (${v.name}): give the interface that carries its packets`);
    if (known(v.remote) && known(v.local) && v.remote === v.local) issue("remote", `is this end's own address (local ${v.local}): give the other end's`);
    if (!known(v.type)) return;
    if (v.type === "vxlan") {
        if (v.vni === undefined) issue("vni", `is required for a vxlan tunnel: its network identifier, 1-${VNI_MAX}`);
        if (v.remote === undefined && v.group === undefined) issue("remote", "or group is required for a vxlan tunnel: the other end's address, or a multicast group for several ends");
        if (v.remote !== undefined && v.group !== undefined) issue("group", "and remote exclude each other: remote for one other end, group for a segment of several");
    } else {
        const an = v.type === "ipip" ? "an" : "a";
        for (const k of VXLAN_ONLY) if (v[k] !== undefined) issue(k, `is for vxlan only; ${an} ${v.type} tunnel has none`);
        if (v.remote === undefined) issue("remote", `is required for ${an} ${v.type} tunnel: the other end's IPv4 address`);
    }
});

const computed = {
    /** The tunnel's interface index in its namespace. */
    ifindex,
    /** The tunnel's MAC address as the kernel has it, lower case (a VXLAN device has one); "" for ipip and gre, which have none. */
    mac: z.string(),
};

/** The inputs of a Tunnel after check (defaults applied): the provider's view. */
export type TunnelSpec = SpecOf<typeof schema>;
type State = StateOf<typeof schema, typeof computed>;
type Stored = StoredOf<typeof schema, typeof computed>;
type Where = Pick<TunnelSpec, "name" | "namespace">;

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

/** The words after `type TYPE`, at create. */
function typeWords(a: TunnelSpec): string[] {
    if (a.type !== "vxlan") return [...opt("local", a.local), ...opt("remote", a.remote), "dev", a.dev];
    return ["id", String(a.vni), ...opt("local", a.local), ...opt("remote", a.remote), ...opt("group", a.group), "dstport", String(a.dstport ?? VXLAN_PORT),
        ...(a.srcport ? ["srcport", String(a.srcport.min), String(a.srcport.max)] : []), a.learning === false ? "nolearning" : "learning", "dev", a.dev];
}

export const argv = {
    /** `mtu`: the MTU to make it with (given, or the underlay's minus the overhead). */
    add: (a: TunnelSpec, mtu: number) => ["ip", "-n", a.namespace, "link", "add", "name", a.name, "mtu", String(mtu), ...(a.up ? ["up"] : []), "type", a.type, ...typeWords(a)],
    set: (a: Where, c: { mtu?: number | undefined; up?: boolean | undefined }) =>
        ["ip", "-n", a.namespace, "link", "set", "dev", a.name, ...opt("mtu", c.mtu), ...(c.up === undefined ? [] : [c.up ? "up" : "down"])],
    /** The encapsulation settings that change in place. */
    setType: (a: Where & { type: TunnelType }, c: { local?: string | undefined; remote?: string | undefined; learning?: boolean | undefined }) =>
        ["ip", "-n", a.namespace, "link", "set", "dev", a.name, "type", a.type, ...opt("local", c.local), ...opt("remote", c.remote),
            ...(c.learning === undefined ? [] : [c.learning ? "learning" : "nolearning"])],
    show: (a: Where) => ["ip", "-n", a.namespace, "-j", "-d", "link", "show", "dev", a.name],
    underlay: (a: Pick<TunnelSpec, "namespace" | "dev">) => ["ip", "-n", a.namespace, "-j", "link", "show", "dev", a.dev],
    del: (a: Where) => ["ip", "-n", a.namespace, "link", "del", "dev", a.name],
    /** Writes the tunnel's ownership mark (adoption). */
    alias: (a: Where, mark: string) => ["ip", "-n", a.namespace, "link", "set", "dev", a.name, "alias", mark],
};

/** `ip -j -d link show` of a tunnel, as far as it is read. */
export interface TunnelJson {
    ifindex: number;
    flags: string[];
    mtu: number;
    address?: string;
    ifalias?: string;
    linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; local?: string; group?: string; link?: string; port?: number; port_range?: { low: number; high: number }; learning?: boolean } };
}

/** What the kernel has, under the input names. */
export interface Live {
    ifindex: number; mtu: number; mac: string; up: boolean; alias: string | undefined; type: string | undefined;
    dev?: string | undefined; vni?: number | undefined; local?: string | undefined; remote?: string | undefined; group?: string | undefined;
    dstport?: number | undefined; srcport?: { min: number; max: number } | undefined; learning?: boolean | undefined;
}

/** Reads one link's JSON into the input names (pure: unit-tested on the kernel's answers). */
export function parseLink(l: TunnelJson): Live {
    const d = l.linkinfo?.info_data ?? {};
    const addr = (x: string | undefined) => (x === undefined || x === "any" || x === "0.0.0.0" ? undefined : x);
    const range = d.port_range && (d.port_range.low !== 0 || d.port_range.high !== 0) ? { min: d.port_range.low, max: d.port_range.high } : undefined;
    return {
        ifindex: l.ifindex, mtu: l.mtu, mac: l.address && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(l.address) ? l.address : "", up: l.flags.includes("UP"),
        alias: l.ifalias, type: l.linkinfo?.info_kind, dev: d.link, vni: d.id, local: addr(d.local), remote: addr(d.remote), group: addr(d.group),
        dstport: d.port, srcport: range, learning: d.learning,
    };
}

async function show(s: Subject, a: Where): Promise<Live | undefined> {
    const l = (await ipRead<TunnelJson>(s, argv.show(a), { namespace: a.namespace, device: a.name, what: `tunnel ${a.name} in ${a.namespace}` }))?.[0];
    return l && parseLink(l);
}

/**
 * The stored inputs as the kernel has them (so that refresh reports drift against them): what
 * was given, with its live value; the MTU always (given or the default).
 */
export function liveInputs<T extends Stored>(a: T, l: Live): T {
    const out: T = { ...a, up: l.up, mtu: l.mtu };
    if (l.dev !== undefined) out.dev = l.dev;
    if (a.type === "vxlan") {
        out.vni = l.vni;
        out.dstport = l.dstport;
        if (a.learning !== undefined) out.learning = l.learning;
        if (a.srcport !== undefined || l.srcport !== undefined) out.srcport = l.srcport;
        if (a.group !== undefined || l.group !== undefined) out.group = l.group;
    }
    if (a.remote !== undefined || l.remote !== undefined) out.remote = l.remote;
    if (a.local !== undefined) out.local = l.local;
    // No key at all for a value that is not there: the engine cannot store an undefined value.
    for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
    return out;
}

/** The live tunnel under the input names, or undefined when it is gone (or is no tunnel of this type). */
async function read<T extends Stored>(s: Subject, a: T): Promise<(T & State) | undefined> {
    const l = await show(s, a);
    if (!l || l.type !== a.type) return undefined;
    const live = liveInputs(a, l);
    if (a.addresses !== undefined || a.routes !== undefined) {
        const e = await present(s, a.namespace, a.name, { addresses: a.addresses, routes: a.routes });
        if (e.addresses !== undefined) live.addresses = e.addresses;
        if (e.routes !== undefined) live.routes = e.routes;
    }
    return { ...live, ifindex: l.ifindex, mac: l.mac };
}

/** The hint for a failed command of this tunnel, from its stderr. */
export function hint(a: TunnelSpec, stderr: string): string {
    if (/Unknown device type/.test(stderr)) return missingFeature(a.type);
    if (ipSays(stderr, "exists")) return `an interface named ${a.name} already exists in ${a.namespace}; remove it ('ip -n ${a.namespace} link del dev ${a.name}'), give this tunnel another name, or set adopt: true to take over an existing tunnel`;
    if (/VNI already exists/.test(stderr)) return `another VXLAN device in ${a.namespace} already uses VNI ${a.vni} on port ${a.dstport ?? VXLAN_PORT}: give this one another vni or dstport, or remove that one`;
    if (new RegExp(`Cannot find device "${a.dev.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(stderr)) return `the underlay ${a.dev} does not exist in ${a.namespace}: create it first and pass link.name as dev so Pulumi orders the two`;
    if (/Invalid argument|Cannot change mtu/.test(stderr) && a.mtu !== undefined) return `the kernel refused mtu ${a.mtu}: a tunnel's MTU cannot exceed the underlay's MTU minus ${OVERHEAD[a.type]} (what ${a.type} takes)`;
    return commonHint(stderr);
}

/** The MTU to make the tunnel with: the one given, or the underlay's minus the encapsulation's overhead. */
async function mtuFor(s: Subject, a: TunnelSpec): Promise<number> {
    if (a.mtu !== undefined) return a.mtu;
    const u = (await ipRead<{ mtu: number }>(s, argv.underlay(a), { namespace: a.namespace, device: a.dev, what: `the underlay ${a.dev} in ${a.namespace}` }))?.[0];
    if (!u) throw new NetnsError(s, shown(s, argv.underlay(a)), undefined, "", `the underlay ${a.dev} does not exist in ${a.namespace}: create it first and pass link.name as dev so Pulumi orders the two`);
    return Math.max(68, u.mtu - OVERHEAD[a.type]);
}

/** Whether a live tunnel has this tunnel's replace-only settings (adoption takes only such a one). */
function matches(a: TunnelSpec, l: Live): string | undefined {
    if (l.type !== a.type) return `${a.name} in ${a.namespace} is ${l.type ? `a ${l.type} interface` : "a plain interface"}, not ${a.type}`;
    if (l.dev !== a.dev) return `its underlay is ${l.dev ?? "none"}, not ${a.dev}`;
    if (a.type !== "vxlan") return undefined;
    if (l.vni !== a.vni) return `its VNI is ${l.vni}, not ${a.vni}`;
    if (l.dstport !== (a.dstport ?? VXLAN_PORT)) return `its dstport is ${l.dstport}, not ${a.dstport ?? VXLAN_PORT}`;
    if (l.group !== a.group) return `its group is ${l.group ?? "none"}, not ${a.group ?? "none"}`;
    if (a.srcport && JSON.stringify(l.srcport) !== JSON.stringify(a.srcport)) return `its srcport range is ${l.srcport ? `${l.srcport.min}-${l.srcport.max}` : "the kernel's"}`;
    return undefined;
}

/** Writes the settings that change in place, from `olds` (undefined: everything given) to `news`. */
async function apply(s: Subject, olds: Stored | undefined, news: TunnelSpec): Promise<void> {
    const changed = <T,>(o: T | undefined, n: T | undefined) => (n === undefined || (olds !== undefined && JSON.stringify(o) === JSON.stringify(n)) ? undefined : n);
    const plain = { mtu: changed(olds?.mtu, news.mtu), up: changed(olds?.up, news.up) };
    if (plain.mtu !== undefined || plain.up !== undefined) await mustRun(s, argv.set(news, plain), (e) => hint(news, e));
    const typed = { local: changed(olds?.local, news.local), remote: changed(olds?.remote, news.remote), learning: news.type === "vxlan" ? changed(olds?.learning, news.learning) : undefined };
    if (typed.local !== undefined || typed.remote !== undefined || typed.learning !== undefined) await mustRun(s, argv.setType(news, typed), (e) => hint(news, e));
}

async function adoptExisting(s: Subject, a: TunnelSpec): Promise<State> {
    const l = await show(s, a);
    const why = !l ? `${a.name} in ${a.namespace} is gone` : matches(a, l);
    if (why) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", `adopt: true found no matching tunnel to take over: ${why}. Remove it or give this tunnel another name`);
    await apply(s, undefined, a);
    if (s.owner) await mustRun(s, argv.alias(a, formatMark(s.owner))); // adopted: this stack's from now on
    await runLines(s, a.namespace, addLines(a.name, a), entriesHint(a.namespace, a.name));
    const out = await read(s, a);
    if (!out) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", "the tunnel vanished while it was being adopted; is another tool deleting interfaces?");
    return out;
}

/** The Tunnel kind: one end of a VXLAN, IP-in-IP or GRE tunnel, in a namespace, over an underlay interface there. */
export const tunnel: KindDef<"Tunnel", typeof schema, typeof computed> = defineKind({
    kind: "Tunnel",
    schema,
    computed,
    namespaces: ["namespace"],
    deletedWith: "namespace",
    links: [{ name: "name", namespace: "namespace", type: [...TUNNEL_TYPES] }],
    // The kernel deletes a tunnel with its underlay: a replaced underlay replaces the tunnel.
    ties: { devs: [{ dev: "dev", namespace: "namespace" }] },
    claims: (on) => [
        on(["namespace", "name"], (a) => [interfaceClaim(a.namespace, a.name, "name")]),
        on(["namespace", "type", "vni", "dstport"], (a) => (a.type !== "vxlan" || a.vni === undefined ? [] : [{
            claim: `vxlan ${a.namespace} vni ${a.vni} port ${a.dstport ?? VXLAN_PORT}`, property: "vni", what: `VNI ${a.vni} on port ${a.dstport ?? VXLAN_PORT} in namespace ${a.namespace}`,
            why: "the kernel refuses a second VXLAN device with one VNI on one port in a namespace" }])),
        on(["namespace", "name", "addresses", "routes"], (a, name) => [...addressFacts(a.namespace, a.name, a.addresses, "addresses", `Tunnel "${name}"`),
            ...routeFacts(a.namespace, a.name, a.routes, "routes", `Tunnel "${name}"`)]),
    ],
    diff: {
        replace: ["name", "namespace", "type", "dev", "vni", "group", "dstport", "srcport"],
        update: ["local", "remote", "learning", "mtu", "up", "addresses", "routes"],
        // An inline list left out manages nothing: the entries it had are removed.
        clear: ["addresses", "routes"],
    },
    // What the kernel would take for a vxlan left without them, said in the inputs so that diff and refresh see them.
    normalize: (a) => (a.type === "vxlan" ? { ...a, dstport: a.dstport ?? VXLAN_PORT, learning: a.learning ?? true } : a),
    id: (a) => `${a.namespace}/${a.name}`,

    async create(s, a) {
        const mtu = await mtuFor(s, a);
        return createLink(s, a, {
            what: "tunnel", add: argv.add(a, mtu), show: () => show(s, a), del: argv.del(a), hint: (e) => hint(a, e),
            adopt: a.adopt, adoptFrom: a.adoptFrom, takeOver: () => adoptExisting(s, a),
            async after() {
                await runLines(s, a.namespace, addLines(a.name, a), entriesHint(a.namespace, a.name));
                const out = await read(s, a);
                if (!out) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", "the tunnel vanished right after it was created; is another tool deleting interfaces?");
                return out;
            },
        });
    },

    read: (s, o) => read(s, o),

    async update(s, olds, news) {
        await apply(s, olds, news);
        if (JSON.stringify([olds.addresses, olds.routes]) !== JSON.stringify([news.addresses, news.routes])) {
            await change(s, news.namespace, news.name, olds, news, entriesHint(news.namespace, news.name));
        }
        const out = await read(s, news);
        if (!out) throw new NetnsError(s, shown(s, argv.show(news)), undefined, "", "the tunnel is gone; run pulumi refresh, then pulumi up to create it again");
        return out;
    },

    async delete(s, o) {
        // Another stack's tunnel (one that declared the same name) is left alone.
        await deleteLink(s, o, await show(s, o), argv.del(o));
    },
});

/** The arguments of a Tunnel: each input of its schema, as a `pulumi.Input`. */
export type TunnelArgs = ArgsOf<typeof schema>;

/** One end of a VXLAN, IP-in-IP or GRE tunnel. Every input is an output too (mtu: the one in use), with ifindex and mac read from the kernel. */
export const Tunnel: ResourceClass<typeof tunnel> = resourceClass(tunnel);
export type Tunnel = InstanceType<typeof Tunnel>;
