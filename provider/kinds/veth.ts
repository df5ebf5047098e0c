// VethPair: two connected interfaces, each end in its namespace.
//   ip -n NS -echo -j link add NAME [mtu M] [address MAC] [master BR] [up] type veth peer name PEER netns /run/netns/PEERNS [mtu M] [address MAC]
//   ip -n PEERNS -j -d -batch -     <<< "link set dev PEER [master BR] up" + "link show dev PEER"
// Both ends are created directly in their namespaces (moving a link later costs far more), in as
// few commands as `ip` allows: the kernel refuses `up` for the peer inside the same request
// (ENOTCONN), so the peer is brought up by a second command. The kernel echoes the new end
// (`-echo`: its index, MTU and MAC), and the second command reads the peer back in the same
// process: two processes make a pair. (Kernels before 6.1 echo nothing: the end is then read back
// with one more command.) Then each end's IPv6 link-local address is read, one process per end
// (the kernel assigns it later than the `up`: see linkLocals).
//   ip -n NS -j address show dev NAME scope link
import { z } from "zod";
import { interfaceClaim } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, adoptFrom, ifindex, ifname, linkLocal, mac, mtu, nsname, UNKNOWN, up } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf, type StateOf, type StoredOf } from "../engine/kind";
import { exec, KilledError, mustRun, NetnsError, shown, commonHint, type Result, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { addMade, deleteLink, markedByThisResource } from "../ownership/made";
import { eui64LinkLocal } from "./eui64";
import { ipRead } from "../host/reads";
import { claimOf, formatMark, onExisting } from "../ownership/owner";
import { addLines, addressFacts, addressList, change, entriesHint, present, routeFacts, routeList, runLines, type Entries, type InlineRoute } from "./inline";

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** This end's interface name (1-15 characters), as in `ip link add NAME`. A change replaces the pair. */
    name: ifname,
    /** The namespace this end lives in. Pass `ns.name` so the pair waits for its namespace. A change replaces the pair. */
    namespace: nsname,
    /** The other end's name, as in `peer name PEER`. A change replaces the pair. */
    peerName: ifname,
    // `ip link add ... peer ... netns X` reads X as a process ID when no namespace file X exists:
    // nsname refuses every word that reads as a number, and argv.add names the file instead.
    /** The other end's namespace, as in `netns PEERNS`. A change replaces the pair. */
    peerNamespace: nsname,
    /** MTU of this end (and of the peer unless peerMtu is given), 68-65535. Left out: the kernel's choice. Updated in place. */
    mtu: mtu.optional(),
    /** MTU of the other end; follows mtu when left out. Updated in place. */
    peerMtu: mtu.optional(),
    /** MAC address of this end, as in `address LLADDR` (unicast, not all zeros). Left out: the kernel's choice. Updated in place. */
    address: mac.optional(),
    /** MAC address of the other end. Updated in place. */
    peerAddress: mac.optional(),
    /** Admin state of this end; up by default. Updated in place. */
    up,
    /** Admin state of the other end; up by default. Updated in place. */
    peerUp: up,
    /** The bridge this end joins (`ip link set dev NAME master BRIDGE`), in this end's namespace. Pass `bridge.name`. Updated in place; left out: no bridge. */
    master: ifname.optional(),
    /** The bridge the other end joins, in the other end's namespace. Updated in place; left out: no bridge. */
    peerMaster: ifname.optional(),
    /** Addresses on this end, as in `ip address add ADDRESS dev NAME`: host addresses with their prefix (192.0.2.1/24, 2001:db8::1/64), no two the same. Adding or removing one updates the pair in place; only the listed addresses are managed. Left out: none managed. */
    addresses: addressList.optional(),
    /** Addresses on the other end, as in `ip address add ADDRESS dev PEER`. Same rules as addresses. */
    peerAddresses: addressList.optional(),
    /** Routes through this end, as in `ip route add TO [via VIA] dev NAME [metric N] [src SRC] [table T] proto 77`: each { to, via?, src?, metric?, table? } with the Route kind's rules. Adding or removing one updates the pair in place. Left out: none managed. */
    routes: routeList.optional(),
    /** Routes through the other end, in the other end's namespace. Same rules as routes. */
    peerRoutes: routeList.optional(),
    /** Take over an existing pair with these names instead of failing: one without an ownership mark, or marked by this stack. */
    adopt,
    /** `PROJECT/STACK`: take over a pair marked by that other stack (implies adopt). Without it, another stack's pair is refused. */
    adoptFrom,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields).superRefine((v, ctx) => {
    // Two unknown namespaces (ns1.name, ns2.name during preview) are not known to be the same.
    const known = [v.name, v.namespace, v.peerName, v.peerNamespace].every((x) => x !== UNKNOWN);
    if (known && v.name === v.peerName && v.namespace === v.peerNamespace) {
        ctx.addIssue({ code: "custom", path: ["peerName"], message: `is the same as name in the same namespace (${v.namespace}): the two ends need different names` });
    }
});

const computed = {
    /** This end's interface index in its namespace (`ip link` numbers). */
    ifindex,
    /** The other end's interface index in its namespace. */
    peerIfindex: ifindex,
    /** This end's MAC address as the kernel has it, in lower case: `address` when given, else the one the kernel chose. */
    mac: z.string(),
    /** The other end's MAC address as the kernel has it, in lower case. */
    peerMac: z.string(),
    /** This end's IPv6 link-local address, without prefix length (fe80::...); "" when it has none (IPv6 disabled on it, or the pair down). */
    linkLocal,
    /** The other end's IPv6 link-local address, without prefix length; "" when it has none. */
    peerLinkLocal: linkLocal,
};

/** The inputs of a VethPair after check (defaults applied): the provider's view. */
export type VethPairSpec = SpecOf<typeof schema>;
type State = StateOf<typeof schema, typeof computed>;
type Stored = StoredOf<typeof schema, typeof computed>;

interface End {
    name: string;
    namespace: string;
    mtu?: number | undefined;
    address?: string | undefined;
    up: boolean;
    /** The bridge this end is enslaved to. */
    master?: string | undefined;
    /** Inline addresses and routes (inline.ts). */
    addresses?: string[] | undefined;
    routes?: InlineRoute[] | undefined;
}

function ends(a: VethPairSpec): [End, End] {
    return [
        { name: a.name, namespace: a.namespace, mtu: a.mtu, address: a.address, up: a.up, master: a.master, addresses: a.addresses, routes: a.routes },
        { name: a.peerName, namespace: a.peerNamespace, mtu: a.peerMtu ?? a.mtu, address: a.peerAddress, up: a.peerUp, master: a.peerMaster, addresses: a.peerAddresses, routes: a.peerRoutes },
    ];
}

/**
 * The namespace as `netns` takes it: its file. iproute2 opens a word holding '/' as a path and,
 * when that fails, refuses it ("Invalid \"netns\" value"); a bare word whose file is missing
 * would be read as a process ID instead (fields.ts readsAsProcessId).
 */
export const netnsPath = (ns: string) => `/run/netns/${ns}`;

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

export const argv = {
    /** `echo`: the kernel answers with the new end, as JSON (ip -echo, iproute2 5.x on). */
    add(a: VethPairSpec, echo = true): string[] {
        const [x, y] = ends(a);
        return ["ip", "-n", x.namespace, ...(echo ? ["-echo", "-j"] : []), "link", "add", "name", x.name, ...opt("mtu", x.mtu), ...opt("address", x.address), ...opt("master", x.master), ...(x.up ? ["up"] : []),
            "type", "veth", "peer", "name", y.name, "netns", netnsPath(y.namespace), ...opt("mtu", y.mtu), ...opt("address", y.address)];
    },
    /** Sets MTU, MAC, bridge (null: `nomaster`) and admin state of one end in one command. */
    set(e: End, change: { mtu?: number | undefined; address?: string | undefined; up?: boolean | undefined; master?: string | null | undefined }): string[] {
        return ["ip", "-n", e.namespace, "link", "set", "dev", e.name, ...opt("mtu", change.mtu), ...opt("address", change.address),
            ...(change.master === undefined ? [] : change.master === null ? ["nomaster"] : ["master", change.master]),
            ...(change.up === undefined ? [] : [change.up ? "up" : "down"])];
    },
    show: (e: { name: string; namespace: string }) => ["ip", "-n", e.namespace, "-j", "-d", "link", "show", "dev", e.name],
    /**
     * With an ownership mark: the add and this end's alias in one process (`ip link add` ignores
     * an alias). The mark never holds a quote or a '#' (owner.ts), which a batch line would cut.
     */
    addMarked(a: VethPairSpec, mark: string, echo = true): { argv: string[]; input: string } {
        const full = argv.add(a, echo);
        const at = full.indexOf("link");
        return { argv: [...full.slice(0, at), "-batch", "-"], input: [full.slice(at).join(" "), `link set dev ${a.name} alias "${mark}"`, ""].join("\n") };
    },
    /** One process for the peer after the add: its bridge and admin state when it has any, its mark, its inline addresses and routes, then a read of it. */
    peer: (e: End, mark?: string): { argv: string[]; input: string } => {
        const set = e.up || e.master !== undefined ? [["link", "set", "dev", e.name, ...opt("master", e.master), ...(e.up ? ["up"] : [])].join(" ")] : [];
        const alias = mark === undefined ? [] : [`link set dev ${e.name} alias "${mark}"`];
        return { argv: ["ip", "-n", e.namespace, "-j", "-d", "-batch", "-"], input: [...set, ...alias, ...addLines(e.name, e), `link show dev ${e.name}`, ""].join("\n") };
    },
    /** Writes an end's ownership mark (adoption). */
    alias: (e: { name: string; namespace: string }, mark: string) => ["ip", "-n", e.namespace, "link", "set", "dev", e.name, "alias", mark],
    del: (a: { name: string; namespace: string }) => ["ip", "-n", a.namespace, "link", "del", "dev", a.name],
    /** The end's MAC and its link-scope addresses, in one read (with -6, ip leaves the MAC out). */
    linkLocal: (e: { name: string; namespace: string }) => ["ip", "-n", e.namespace, "-j", "address", "show", "dev", e.name, "scope", "link"],
    /**
     * Makes the kernel generate the link-local address again, from the current MAC: a change of
     * addr_gen_mode through sysctl (not through netlink) regenerates it. The slash form keeps a
     * dot in an interface name literal.
     */
    regenerate: (e: { name: string; namespace: string }) => ["ip", "netns", "exec", e.namespace, "sysctl", "-q", "-w",
        `net/ipv6/conf/${e.name}/addr_gen_mode=1`, `net/ipv6/conf/${e.name}/addr_gen_mode=0`],
    delAddress: (e: { name: string; namespace: string }, cidr: string) => ["ip", "-n", e.namespace, "address", "del", cidr, "dev", e.name],
};

/**
 * A new MAC does not renew the EUI-64 link-local address: the kernel makes it once, when the
 * link comes up, and a link set down and up again loses its static IPv6 addresses and routes.
 * So when the end had the link-local made from its old MAC (addr_gen_mode eui64, the default),
 * the kernel makes the new one (addr_gen_mode none, then eui64) and the old one is removed.
 * `before` is what argv.linkLocal printed before the MAC changed.
 */
async function renewLinkLocal(s: Subject, e: End, before: string): Promise<void> {
    const link = (JSON.parse(before || "[]") as { address?: string; addr_info?: { local?: string; prefixlen?: number }[] }[])[0];
    if (!link?.address || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(link.address)) return;
    const old = eui64LinkLocal(link.address);
    const had = link.addr_info?.find((a) => a.local === old);
    if (!had) return; // no IPv6 on this end, the link is down, or its link-local is not made from the MAC
    await mustRun(s, argv.regenerate(e));
    const del = argv.delAddress(e, `${old}/${had.prefixlen ?? 64}`);
    const r = await exec(s, del);
    if (r.exitCode !== 0 && !/Cannot assign requested address/.test(r.stderr)) throw new NetnsError(s, shown(s, del), r.exitCode, r.stderr, commonHint(r.stderr));
}

interface LinkJson {
    ifindex: number;
    ifname: string;
    flags: string[];
    mtu: number;
    address: string;
    link_index?: number;
    /** The peer's name when it is in the same namespace (then there is no link_index). */
    link?: string;
    /** Which namespace the peer is in, as this link's namespace numbers it. */
    link_netnsid?: number;
    /** The bridge this end is enslaved to. */
    master?: string;
    linkinfo?: { info_kind?: string };
    /** The alias: the ownership mark (owner.ts). */
    ifalias?: string;
}

interface Live { ifindex: number; peerIfindex?: number | undefined; peerName?: string | undefined; peerNetnsid?: number | undefined; mtu: number; address: string; up: boolean; kind?: string | undefined; master?: string | undefined; alias?: string | undefined }

function live(l: LinkJson): Live {
    return { ifindex: l.ifindex, peerIfindex: l.link_index, peerName: l.link, peerNetnsid: l.link_netnsid, mtu: l.mtu, address: l.address, up: l.flags.includes("UP"), kind: l.linkinfo?.info_kind, master: l.master, alias: l.ifalias };
}

async function show(s: Subject, e: { name: string; namespace: string }): Promise<Live | undefined> {
    const l = (await ipRead<LinkJson>(s, argv.show(e), { namespace: e.namespace, device: e.name, what: `interface ${e.name} in ${e.namespace}` }))?.[0];
    return l ? live(l) : undefined;
}

/** The link named `name` in JSON printed by `ip -j` (an echo, or the last answer of a batch); undefined when there is none. */
export function linkIn(stdout: string, name: string): LinkJson | undefined {
    for (const line of stdout.split("\n").reverse()) {
        if (!line.trim().startsWith("[")) continue;
        try {
            const l = (JSON.parse(line) as Partial<LinkJson>[]).find((x) => x.ifname === name && typeof x.ifindex === "number" && Array.isArray(x.flags));
            if (l) return l as LinkJson;
        } catch { /* not JSON: keep looking */ }
    }
    return undefined;
}

function hint(a: VethPairSpec) {
    return (stderr: string): string | undefined => {
        if (/Invalid "netns" value/.test(stderr)) return `the peer namespace ${a.peerNamespace} does not exist (no /run/netns/${a.peerNamespace}): create it first and pass its name as an output (ns.name) so Pulumi orders the two`;
        if (ipSays(stderr, "exists")) return `an interface named ${a.name} already exists in ${a.namespace}, or ${a.peerName} in ${a.peerNamespace}; remove it, give this pair other names, or set adopt: true to take over a matching pair`;
        if (/Invalid argument/.test(stderr) && a.mtu !== undefined) return "the kernel refused a value; check mtu (68-65535) and the MAC addresses";
        if (/argument "[^"]*" is wrong: Device does not exist/.test(stderr) && (a.master !== undefined || a.peerMaster !== undefined)) return `the bridge (master ${a.master ?? a.peerMaster}) does not exist in that end's namespace: create it first and pass bridge.name so Pulumi orders the two`;
        if (/Operation not supported/.test(stderr) && (a.master !== undefined || a.peerMaster !== undefined)) return `master must name a bridge; ${a.master ?? a.peerMaster} is another kind of interface`;
        return undefined;
    };
}

interface AddrJson { addr_info?: { family?: string; local?: string; scope?: string }[] }

/** The IPv6 link-local address of an end, or "" when it has none. */
async function linkLocalOf(s: Subject, e: { name: string; namespace: string }): Promise<string> {
    const r = await ipRead<AddrJson>(s, argv.linkLocal(e), { namespace: e.namespace, device: e.name, what: `the link-local address of ${e.name} in ${e.namespace}` });
    for (const l of r ?? []) for (const i of l.addr_info ?? []) if (i.family === "inet6" && i.scope === "link" && i.local) return i.local;
    return "";
}

// The kernel gives an end its link-local address when the link gets carrier, which for a veth is
// when both ends are up, and it does so from deferred work (linkwatch), up to a second after the
// `up`. Create and update wait for it that long at most, so that the outputs of `pulumi up` carry
// it; an end whose IPv6 is disabled never gets one (it costs that wait once, and reads ""). Read
// (refresh) takes what is there.
const LINK_LOCAL_WAIT_MS = 1500;

async function linkLocals(s: Subject, x: End, y: End, wait: boolean): Promise<[string, string]> {
    const deadline = Date.now() + (wait && x.up && y.up ? LINK_LOCAL_WAIT_MS : 0);
    let [a, b] = await Promise.all([linkLocalOf(s, x), linkLocalOf(s, y)]);
    while ((!a || !b) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        [a, b] = await Promise.all([a ? a : linkLocalOf(s, x), b ? b : linkLocalOf(s, y)]);
    }
    return [a, b];
}

function outputs<T extends Stored>(a: T, x: Live, y: Live, [ll, peerLl]: [string, string]): T & State {
    // Outputs of releases before mac and linkLocal existed, dropped so that a state does not keep them stale.
    const { liveMtu: _m, peerLiveMtu: _pm, liveAddress: _a, peerLiveAddress: _pa, ...rest } = a as T & Record<string, unknown>;
    return { ...(rest as T), ifindex: x.ifindex, peerIfindex: y.ifindex, mac: x.address, peerMac: y.address, linkLocal: ll, peerLinkLocal: peerLl };
}

/**
 * Whether two live veth ends are each other's peer. Ifindexes are per namespace (fresh namespaces
 * number alike), so an index match alone proves nothing across namespaces: the namespace of x's
 * peer (link_netnsid, named with `ip netns list-id`) must be y's. That one lookup suffices: an
 * index names one link in a namespace, and a veth's peer is its peer's peer. A peer in the same
 * namespace is given by name instead.
 */
async function arePeers(s: Subject, x: End, lx: Live, y: End, ly: Live): Promise<boolean> {
    if (lx.kind !== "veth" || ly.kind !== "veth") return false;
    if (x.namespace === y.namespace) {
        return lx.peerNetnsid === undefined && ly.peerNetnsid === undefined && lx.peerName === y.name && ly.peerName === x.name;
    }
    if (lx.peerIfindex !== ly.ifindex || ly.peerIfindex !== lx.ifindex || lx.peerNetnsid === undefined || ly.peerNetnsid === undefined) return false;
    // A failed read is no answer (reads.ts): it throws rather than calling the pair gone.
    const ids = await ipRead<{ nsid: number; name?: string }>(s, ["ip", "-n", x.namespace, "-j", "netns", "list-id"], { namespace: x.namespace, what: `the namespace ids of ${x.namespace}` });
    return ids?.find((e) => e.nsid === lx.peerNetnsid)?.name === y.namespace;
}

/**
 * Whether create takes over the ends that exist, by their marks: each end that exists must be
 * takeable (owner.ts onExisting), and the first refusal is the message.
 */
async function onExistingPair(s: Subject, a: VethPairSpec): Promise<{ take: true } | { take: false; hint: string }> {
    const [x, y] = ends(a);
    const [lx, ly] = await Promise.all([show(s, x), show(s, y)]);
    let taken = false;
    for (const [e, l] of [[x, lx], [y, ly]] as const) {
        if (!l) continue;
        const v = onExisting(claimOf(l.alias, s.owner), `interface ${e.name} in ${e.namespace}`, s.owner, a.adopt, a.adoptFrom, hint(a)("File exists"));
        if (!v.take) return v;
        taken = true;
    }
    // Neither end is there any more (removed meanwhile): the plain hint.
    return taken ? { take: true } : { take: false, hint: hint(a)("File exists")! };
}

async function adoptExisting(s: Subject, a: VethPairSpec): Promise<State> {
    const [x, y] = ends(a);
    const [lx, ly] = await Promise.all([show(s, x), show(s, y)]);
    const why = !lx ? `${x.name} does not exist in ${x.namespace}`
        : !ly ? `${y.name} does not exist in ${y.namespace}`
        : lx.kind !== "veth" || ly.kind !== "veth" ? "an end is not a veth"
        : !(await arePeers(s, x, lx, y, ly)) ? `${x.name} and ${y.name} are not peers of each other`
        : undefined;
    if (why) {
        throw new NetnsError(s, shown(s, argv.show(x)), undefined, "", `adopt: true found no matching pair to take over: ${why}. Remove the existing interface or fix the names`);
    }
    for (const e of [x, y]) await mustRun(s, argv.set(e, { mtu: e.mtu, address: e.address, up: e.up, master: e.master ?? null }));
    for (const e of [y, x]) await runLines(s, e.namespace, addLines(e.name, e), entriesHint(e.namespace, e.name));
    // Adopted: this stack's from now on.
    if (s.owner) for (const e of [x, y]) await mustRun(s, argv.alias(e, formatMark(s.owner)));
    const out = await read(s, a, true);
    if (!out) throw new NetnsError(s, shown(s, argv.show(x)), undefined, "", "the pair vanished while it was being adopted; is another tool deleting interfaces?");
    return out;
}

/** The end's listed inline entries that are there; nothing listed is no process. */
function entries(s: Subject, e: End): Promise<Entries> {
    return e.addresses === undefined && e.routes === undefined ? Promise.resolve({}) : present(s, e.namespace, e.name, e);
}

/** The live pair under the input names (so that refresh reports drift against them), with what the kernel computed. */
async function read<T extends Stored>(s: Subject, a: T, wait = false): Promise<(T & State) | undefined> {
    const [x, y] = ends(a);
    const [lx, ly] = await Promise.all([show(s, x), show(s, y)]);
    if (!lx || !ly) return undefined;
    // Two ends of these names that are not one veth pair (the pair deleted by hand and two
    // unrelated veths made in its place, each with its peer elsewhere) are not this pair: gone.
    // The check runs beside the reads below (a cross-namespace pair costs one process).
    const paired = arePeers(s, x, lx, y, ly);
    // The live state under the input names, so that refresh reports drift against them.
    const live: T = { ...a, up: lx.up, peerUp: ly.up,
        ...(a.mtu !== undefined ? { mtu: lx.mtu } : {}), ...(a.peerMtu !== undefined ? { peerMtu: ly.mtu } : {}),
        ...(a.address !== undefined ? { address: lx.address } : {}), ...(a.peerAddress !== undefined ? { peerAddress: ly.address } : {}) };
    // Left out means "no bridge", so the bridges are always read. No key at all for none: the
    // engine cannot store an undefined value.
    delete live.master;
    delete live.peerMaster;
    if (lx.master !== undefined) live.master = lx.master;
    if (ly.master !== undefined) live.peerMaster = ly.master;
    // The managed inline entries still there: one removed by hand leaves the outputs, so the next up adds it again.
    const [ex, ey, lls, peers] = await Promise.all([entries(s, x), entries(s, y), linkLocals(s, { ...x, up: lx.up }, { ...y, up: ly.up }, wait), paired]);
    if (!peers) return undefined;
    if (ex.addresses !== undefined) live.addresses = ex.addresses;
    if (ex.routes !== undefined) live.routes = ex.routes;
    if (ey.addresses !== undefined) live.peerAddresses = ey.addresses;
    if (ey.routes !== undefined) live.peerRoutes = ey.routes;
    return outputs(live, lx, ly, lls);
}

/**
 * Runs the add. When it is killed (the 60 s limit, a signal), what it made is unknown: the end is
 * removed when the kernel's echo or this resource's mark on it proves that this add made it, and
 * left alone otherwise, with a hint that says so.
 */
async function addOrClean(s: Subject, a: VethPairSpec, req: { argv: string[]; input: string | undefined }): Promise<Result> {
    try {
        return await exec(s, req.argv, req.input);
    } catch (e) {
        if (!(e instanceof KilledError)) throw e;
        const [x] = ends(a);
        const ours = addMade({ stdout: e.stdout, stderr: "" }, x.name, false) || (s.owner !== undefined && markedByThisResource(s, (await show(s, x))?.alias));
        if (ours) await exec(s, argv.del(x));
        throw new KilledError(s, e.argv, e.stderr, ours
            ? `the add was killed before it finished (the system is overloaded, or a tool kills processes); the pair it made was removed: run pulumi up again`
            : `the add was killed before it finished (the system is overloaded, or a tool kills processes), and nothing proves that it made ${x.name} in ${x.namespace} (no echo, no mark of this resource), so nothing was removed: if ${x.name} exists there and is not yours to keep, remove it (ip -n ${x.namespace} link del dev ${x.name}), then run pulumi up again`,
            e.input, e.stdout, e.signal);
    }
}

/**
 * The VethPair kind: two connected interfaces, each end in its namespace.
 */
export const vethPair: KindDef<"VethPair", typeof schema, typeof computed> = defineKind({
    kind: "VethPair",
    schema,
    computed,
    namespaces: ["namespace", "peerNamespace"],
    deletedWith: "namespace",
    links: [{ name: "name", namespace: "namespace", type: "veth" }, { name: "peerName", namespace: "peerNamespace", type: "veth" }],
    // A deleted bridge releases its ports: the pair is made again to join the new one.
    ties: { devs: [{ dev: "master", namespace: "namespace", master: true }, { dev: "peerMaster", namespace: "peerNamespace", master: true }], dependsOn: ["master"] },
    claims: (on) => [
        on(["namespace", "name"], (a) => [interfaceClaim(a.namespace, a.name, "name")]),
        on(["peerNamespace", "peerName"], (a) => [interfaceClaim(a.peerNamespace, a.peerName, "peerName")]),
        // Inline entries claim what an Address or Route of the same object would: one object declared both ways is refused.
        on(["namespace", "name", "addresses", "routes"], (a, name) => [...addressFacts(a.namespace, a.name, a.addresses, "addresses", `VethPair "${name}"`),
            ...routeFacts(a.namespace, a.name, a.routes, "routes", `VethPair "${name}"`)]),
        on(["peerNamespace", "peerName", "peerAddresses", "peerRoutes"], (a, name) => [...addressFacts(a.peerNamespace, a.peerName, a.peerAddresses, "peerAddresses", `VethPair "${name}"`),
            ...routeFacts(a.peerNamespace, a.peerName, a.peerRoutes, "peerRoutes", `VethPair "${name}"`)]),
    ],
    diff: {
        replace: ["name", "namespace", "peerName", "peerNamespace"],
        update: ["mtu", "peerMtu", "address", "peerAddress", "up", "peerUp", "master", "peerMaster", "addresses", "peerAddresses", "routes", "peerRoutes"],
        // An inline list left out manages nothing: the entries it had are removed.
        clear: ["master", "peerMaster", "addresses", "peerAddresses", "routes", "peerRoutes"],
    },
    // The peer follows mtu unless peerMtu is given: say so in the inputs, so that a peer MTU
    // changed by hand shows up as drift and the next up restores it.
    normalize: (a) => (a.mtu !== undefined && a.peerMtu === undefined ? { ...a, peerMtu: a.mtu } : a),
    id: (a) => `${a.namespace}/${a.name}`,

    async create(s, a) {
        const [x, y] = ends(a);
        const mark = s.owner && formatMark(s.owner);
        const request = (echo: boolean) => (mark === undefined ? { argv: argv.add(a, echo), input: undefined } : argv.addMarked(a, mark, echo));
        let addReq = request(true);
        let add = await addOrClean(s, a, addReq);
        // An `ip` older than the echo option: the same request without it (the end is read back below).
        if (add.exitCode !== 0 && /Option "-echo" is unknown/.test(add.stderr)) add = await addOrClean(s, a, (addReq = request(false)));
        // In a batch, a failure after the add (the alias) leaves a pair that was made here: remove
        // it, but only on proof that this add made it (made.ts). An argument error (a peer netns
        // or a master that does not exist) ends `ip` before any line runs, and then an interface
        // with this name is someone else's.
        if (add.exitCode !== 0 && mark !== undefined && addMade(add, x.name, true)) await exec(s, argv.del(x));
        if (add.exitCode !== 0) {
            if (ipSays(add.stderr, "exists")) {
                const verdict = await onExistingPair(s, a);
                if (verdict.take) return adoptExisting(s, a);
                throw new NetnsError(s, shown(s, addReq.argv), add.exitCode, add.stderr, verdict.hint, addReq.input);
            }
            throw new NetnsError(s, shown(s, addReq.argv), add.exitCode, add.stderr, hint(a)(add.stderr) ?? commonHint(add.stderr), addReq.input);
        }
        try {
            // The peer's bridge is named in the peer's namespace: set it there, with its admin
            // state, mark and inline entries, and read the peer back, in one process.
            const peer = argv.peer(y, mark);
            const py = await mustRun(s, peer.argv, (e) => hint(a)(e) ?? entriesHint(y.namespace, y.name)(e), peer.input);
            const ly = linkIn(py.stdout, y.name);
            // This end's entries once the peer is up (a gateway needs the link's carrier for IPv6), in one process.
            await runLines(s, x.namespace, addLines(x.name, x), entriesHint(x.namespace, x.name));
            const ex = linkIn(add.stdout, x.name);
            const lx = ex ? live(ex) : await show(s, x);
            if (!lx || !ly) throw new NetnsError(s, shown(s, argv.show(x)), undefined, "", "the pair vanished right after it was created; is another tool deleting interfaces?");
            return outputs(a, lx, live(ly), await linkLocals(s, x, y, true));
        } catch (e) {
            await exec(s, argv.del(x)); // leave nothing half-made: deleting one end removes both
            throw e;
        }
    },

    read: (s, o) => read(s, o),

    async update(s, olds, news) {
        const [ox, oy] = ends(olds);
        const [nx, ny] = ends(news);
        const changed = <T,>(o: T, n: T) => (n === undefined || n === o ? undefined : n);
        for (const [o, n] of [[ox, nx], [oy, ny]] as const) {
            const c = { mtu: changed(o.mtu, n.mtu), address: changed(o.address, n.address), up: changed(o.up, n.up),
                master: o.master === n.master ? undefined : (n.master ?? null) };
            if (c.mtu === undefined && c.address === undefined && c.up === undefined && c.master === undefined) continue;
            const before = c.address !== undefined ? (await exec(s, argv.linkLocal(n))).stdout : undefined;
            await mustRun(s, argv.set(n, c), hint(news));
            if (before !== undefined && n.up) await renewLinkLocal(s, n, before);
        }
        for (const [o, n] of [[ox, nx], [oy, ny]] as const) {
            if (JSON.stringify([o.addresses, o.routes]) === JSON.stringify([n.addresses, n.routes])) continue;
            await change(s, n.namespace, n.name, o, n, entriesHint(n.namespace, n.name));
        }
        const out = await read(s, news, true);
        if (!out) throw new NetnsError(s, shown(s, argv.show(nx)), undefined, "", "the pair is gone; run pulumi refresh, then pulumi up to create it again");
        return out;
    },

    async delete(s, o) {
        // Another stack's pair (one that declared the same names) is left alone.
        await deleteLink(s, o, await show(s, o), argv.del(o));
    },
});

/** The arguments of a VethPair: each input of its schema, as a `pulumi.Input`. */
export type VethPairArgs = ArgsOf<typeof schema>;

/** A veth pair: a cable with one end in each namespace. Every input is an output too, with ifindex, mac, linkLocal and their peer* twins read from the kernel. */
export const VethPair: ResourceClass<typeof vethPair> = resourceClass(vethPair);
export type VethPair = InstanceType<typeof VethPair>;

/** The definition under its earlier name. */
export const vethPairImpl = vethPair;
