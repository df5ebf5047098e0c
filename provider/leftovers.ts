// The leftover finder: the objects on the host that carry a stack's ownership mark
// (provider/owner.ts) but that the stack no longer has in its state, or whose stack no longer
// exists. They are what a lost state file, a `pulumi stack rm --force` or a crash under
// PULUMI_SKIP_CHECKPOINTS leave behind. Used by `pulumi-netns leftovers` (graph/cli.ts) and
// `npm run lab -- leftovers` (lab/cli.ts).
//
//   host listing (ip -j)  ->  HostObject[]  --+
//                                             +-> findLeftovers() -> Leftover[] -> removeLeftover()
//   pulumi stack export   ->  StackState    --+
//
// What is judged, and by which mark:
// - a namespace, by the alias of its `lo`; removing it (`ip netns del`) removes everything in it;
// - a veth end or a bridge, by its own alias, when its namespace is not itself a leftover;
// - routes and rules (`proto 77`) belong to their namespace's owner: they are counted with their
//   namespace and go with it, never judged alone (a route's identity in the state depends on how
//   its `to` was written, so a live route could be mistaken for a leftover);
// - marked links in the host's own namespace are listed, never removed: the provider never makes
//   objects there, so a mark there was copied by hand.
// Anything unmarked, or whose alias is not exactly a mark (parseMark), is foreign: never listed,
// never touched. A stack whose state cannot be read (other than "no such stack") decides nothing.
import { exec, ipJson, type Subject } from "./run";
import { describeOwner, parseMark, ROUTE_PROTO, type Mark, type Owner } from "./owner";
import { isHostNamespace } from "./hostns";

/** One marked object on the host. */
export interface HostObject {
    kind: "Namespace" | "VethPair" | "Bridge" | "Link";
    /** The namespace it is in ("" for the host's own namespace); for a Namespace, its name. */
    namespace: string;
    /** The interface name; for a Namespace, its name. */
    name: string;
    /** The exact alias text (checked again just before removal). */
    alias: string;
    mark: Mark;
    /** For a namespace: what goes with it. */
    holds?: { links: number; routes: number; rules: number };
}

/** What a stack's state says, as far as leftovers go. */
export type StackState =
    | { status: "exists"; /** "Kind:id" of every resource, and "VethPair:ns/peer" for peer ends. */ ids: Set<string> }
    | { status: "missing" }
    | { status: "unreadable"; error: string };

export interface Leftover {
    object: HostObject;
    /** Why it is a leftover, in words. */
    reason: string;
    /** Why it must not be removed although it is a leftover, if so (it is listed, not removed). */
    keep?: string;
}

const ownerKey = (o: Owner) => `${o.project}/${o.stack}`;

/** Where an object is, in words: `namespace ns1`, `veth ns1-veth0 in ns1`. */
export function describeObject(o: HostObject): string {
    if (o.kind === "Namespace") return `namespace ${o.name}`;
    const what = o.kind === "VethPair" ? "veth" : o.kind === "Bridge" ? "bridge" : "link";
    return `${what} ${o.name} in ${o.namespace || "the host namespace"}`;
}

interface LinkJson { ifname: string; ifalias?: string; linkinfo?: { info_kind?: string } }

/**
 * The marked objects of one namespace's listings (`ip -n NS -j -d link show`, and the number of
 * its proto-77 routes and rules). `ns` is "" for the host namespace.
 */
export function objectsOfNamespace(ns: string, links: LinkJson[], routes = 0, rules = 0): HostObject[] {
    const out: HostObject[] = [];
    let nsMark: HostObject | undefined;
    for (const l of links) {
        const mark = parseMark(l.ifalias);
        if (!mark || !l.ifalias) continue;
        if (l.ifname === "lo" && ns !== "") {
            nsMark = { kind: "Namespace", namespace: ns, name: ns, alias: l.ifalias, mark };
            continue;
        }
        const k = l.linkinfo?.info_kind;
        out.push({ kind: k === "veth" ? "VethPair" : k === "bridge" ? "Bridge" : "Link", namespace: ns, name: l.ifname, alias: l.ifalias, mark });
    }
    if (nsMark) {
        nsMark.holds = { links: links.filter((l) => l.ifname !== "lo").length, routes, rules };
        out.unshift(nsMark);
    }
    return out;
}

/** The index of an exported deployment (`pulumi stack export`): what its resources are. */
export function stateIds(deployment: { resources?: { type: string; id?: string; outputs?: Record<string, unknown> }[] } | undefined): Set<string> {
    const ids = new Set<string>();
    for (const r of deployment?.resources ?? []) {
        const kind = /^pulumi-nodejs:dynamic\/netns:([A-Za-z]+)$/.exec(r.type)?.[1];
        if (!kind || !r.id) continue;
        ids.add(`${kind}:${r.id}`);
        const o = r.outputs ?? {};
        if (kind === "VethPair" && typeof o.peerNamespace === "string" && typeof o.peerName === "string") ids.add(`VethPair:${o.peerNamespace}/${o.peerName}`);
    }
    return ids;
}

/**
 * The leftovers among `objects`, given the state of each owner stack (keyed `project/stack`).
 * An owner without an entry, or whose state is unreadable, decides nothing: its objects are kept.
 */
export function findLeftovers(objects: HostObject[], states: Map<string, StackState>): Leftover[] {
    const leftovers: Leftover[] = [];
    const gone = new Set<string>(); // namespaces that are leftovers: their links go with them
    const verdict = (o: HostObject): string | undefined => {
        const s = states.get(ownerKey(o.mark));
        if (!s || s.status === "unreadable") return undefined;
        if (s.status === "missing") return `its stack ${ownerKey(o.mark)} does not exist (no state in this backend)`;
        const id = o.kind === "Namespace" ? `Namespace:${o.name}` : `${o.kind}:${o.namespace}/${o.name}`;
        if (s.ids.has(id)) return undefined;
        return `stack ${ownerKey(o.mark)} has no ${o.kind === "Link" ? "resource" : o.kind} ${o.kind === "Namespace" ? o.name : `${o.namespace}/${o.name}`} in its state`;
    };
    for (const o of objects.filter((x) => x.kind === "Namespace")) {
        const reason = verdict(o);
        if (!reason) continue;
        // Removing a namespace removes what is in it: not when another stack's live link is there.
        const foreign = objects.filter((x) => x.kind !== "Namespace" && x.namespace === o.name && ownerKey(x.mark) !== ownerKey(o.mark) && !verdict(x));
        const keep = foreign.length ? `it holds ${foreign.map((x) => `${describeObject(x)} of ${describeOwner(x.mark)}`).join(", ")}, which is not a leftover` : undefined;
        leftovers.push({ object: o, reason, ...(keep ? { keep } : {}) });
        if (!keep) gone.add(o.name);
    }
    for (const o of objects.filter((x) => x.kind !== "Namespace" && !gone.has(x.namespace))) {
        const reason = verdict(o);
        if (!reason) continue;
        const keep = o.namespace === "" ? "it is in the host's own namespace, where the provider never makes objects: the mark was copied by hand; remove it by hand if it is yours" : undefined;
        leftovers.push({ object: o, reason, ...(keep ? { keep } : {}) });
    }
    return leftovers;
}

/** One line per leftover: the object, its owner, why. */
export function formatLeftover(l: Leftover): string {
    const o = l.object;
    const holds = o.holds && (o.holds.links || o.holds.routes || o.holds.rules)
        ? ` (with ${o.holds.links} link(s), ${o.holds.routes} route(s) and ${o.holds.rules} rule(s) proto 77 in it)` : "";
    return `${describeObject(o)}${holds}: marked by ${describeOwner(o.mark)}; ${l.reason}` + (l.keep ? `; kept: ${l.keep}` : "");
}

// ---------------------------------------------------------------------------------------------
// The host and the states.

const subject = (name: string, op: Subject["op"] = "read"): Subject => ({ kind: "Leftovers", name, op });

/** The marked objects on the host: every namespace whose name starts with `prefix`, and the host namespace's own links. */
export async function scanHost(prefix = ""): Promise<HostObject[]> {
    const list = await ipJson<{ name: string }>(subject("netns list"), ["ip", "-j", "netns", "list"]);
    const names = list.value.map((n) => n.name).filter((n) => n.startsWith(prefix)).sort();
    const host = await ipJson<LinkJson>(subject("host links"), ["ip", "-j", "-d", "link", "show"]);
    const out = objectsOfNamespace("", host.value);
    const one = async (ns: string): Promise<HostObject[]> => {
        if (isHostNamespace(ns)) return []; // a name bound to the host's namespace: its links are the host's, listed above
        const links = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "-d", "link", "show"]);
        if (links.exitCode !== 0) return []; // gone meanwhile, or not a namespace (an empty file)
        if (!links.value.some((l) => parseMark(l.ifalias))) return [];
        // `ip rule show protocol 77` does not filter in every iproute2 (6.1 lists all): filter here.
        const count = async (argv: string[]) => (await ipJson<{ protocol?: string | number }>(subject(ns), argv)).value
            .filter((x) => argv.includes("route") || String(x.protocol) === String(ROUTE_PROTO)).length;
        const [r4, r6, q4, q6] = await Promise.all([
            count(["ip", "-n", ns, "-j", "-4", "route", "show", "table", "all", "proto", String(ROUTE_PROTO)]),
            count(["ip", "-n", ns, "-j", "-6", "route", "show", "table", "all", "proto", String(ROUTE_PROTO)]),
            count(["ip", "-n", ns, "-j", "-4", "rule", "show"]),
            count(["ip", "-n", ns, "-j", "-6", "rule", "show"]),
        ]);
        return objectsOfNamespace(ns, links.value, r4 + r6, q4 + q6);
    };
    // A few namespaces at a time: each costs a handful of short `ip` runs.
    for (let i = 0; i < names.length; i += 8) out.push(...(await Promise.all(names.slice(i, i + 8).map(one))).flat());
    return out;
}

/** How `pulumi stack export` is asked for another project's stack, in the backend of `env`. */
export function stackRef(o: Owner, backendUrl: string | undefined, org?: string): string {
    if (org) return `${org}/${o.project}/${o.stack}`;
    // A self-managed backend (file://, s3://, ...) names every stack organization/PROJECT/STACK;
    // Pulumi Cloud takes PROJECT/STACK in the user's default organization.
    const cloud = !backendUrl || /^https?:\/\//.test(backendUrl);
    return cloud ? `${o.project}/${o.stack}` : `organization/${o.project}/${o.stack}`;
}

/** The state of each owner stack, read with `pulumi stack export` (run outside any project). */
export async function readStates(owners: Owner[], opts: { backendUrl?: string; org?: string; env?: Record<string, string> } = {}): Promise<Map<string, StackState>> {
    const { execa } = await import("execa");
    const backendUrl = opts.backendUrl ?? process.env.PULUMI_BACKEND_URL;
    const env = { ...(opts.env ?? {}), ...(opts.backendUrl ? { PULUMI_BACKEND_URL: opts.backendUrl } : {}) };
    const out = new Map<string, StackState>();
    for (const o of owners) {
        const key = ownerKey(o);
        if (out.has(key)) continue;
        const ref = stackRef(o, backendUrl, opts.org);
        const r = await execa("pulumi", ["stack", "export", "--stack", ref, "--non-interactive"], { env, reject: false, stdin: "ignore", cwd: "/" });
        const err = String(r.stderr ?? "").trim();
        if (r.exitCode === 0) {
            try {
                out.set(key, { status: "exists", ids: stateIds((JSON.parse(String(r.stdout)) as { deployment?: Parameters<typeof stateIds>[0] }).deployment) });
            } catch {
                out.set(key, { status: "unreadable", error: `pulumi stack export --stack ${ref} printed no JSON` });
            }
        } else if (new RegExp(`no stack named '${ref.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' found`).test(err)) {
            out.set(key, { status: "missing" });
        } else {
            out.set(key, { status: "unreadable", error: `pulumi stack export --stack ${ref} failed (exit ${r.exitCode ?? "?"}): ${err.split("\n")[0] ?? ""}` });
        }
    }
    return out;
}

/**
 * Removes one leftover (`ip netns del NS`, `ip -n NS link del dev NAME`) after reading its mark
 * again: an object whose alias changed meanwhile is left alone. Returns what it did, in words.
 */
export async function removeLeftover(l: Leftover): Promise<string> {
    const o = l.object;
    if (l.keep) return `kept ${describeObject(o)}: ${l.keep}`;
    const ns = o.kind === "Namespace" ? o.name : o.namespace;
    const dev = o.kind === "Namespace" ? "lo" : o.name;
    // A name re-bound to the host's own namespace since the listing (hostns.ts): never touched.
    if (ns !== "" && isHostNamespace(ns)) return `kept ${describeObject(o)}: /run/netns/${ns} is the host's own network namespace; pulumi-netns never acts on the host's network`;
    const now = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "link", "show", "dev", dev]);
    if (now.exitCode !== 0) return `already gone: ${describeObject(o)}`;
    if (now.value[0]?.ifalias !== o.alias) return `kept ${describeObject(o)}: its mark changed since the listing`;
    const argv = o.kind === "Namespace" ? ["ip", "netns", "del", ns] : ["ip", "-n", ns, "link", "del", "dev", dev];
    const r = await exec(subject(o.name, "delete"), argv);
    if (r.exitCode !== 0) throw new Error(`could not remove ${describeObject(o)}\n  command: ${argv.join(" ")}\n  stderr:  ${r.stderr.trim()}\n  hint:    run the command by hand to see more`);
    return `removed ${describeObject(o)} (${argv.join(" ")})`;
}

/** The owners whose state decides about `objects`. */
export function ownersOf(objects: HostObject[]): Owner[] {
    const seen = new Map<string, Owner>();
    for (const o of objects) seen.set(ownerKey(o.mark), { project: o.mark.project, stack: o.mark.stack });
    return [...seen.values()];
}

export interface LeftoverOptions {
    /** Only namespaces whose name starts with this (default: all). */
    prefix?: string;
    /** Only objects marked by this project (default: all). */
    project?: string;
    /** The backend whose state decides (default: PULUMI_BACKEND_URL, else the CLI's login). */
    backendUrl?: string;
    /** The organization of the stacks (default: `organization` for a self-managed backend, the default one for Pulumi Cloud). */
    org?: string;
    /** Remove them (the confirmation); otherwise only list. */
    remove: boolean;
}

/**
 * The whole command: list (and with `remove`, remove) the leftovers. Lines go to `out`, problems
 * to `err`. Exit code: 0 when no leftover remains, 1 when some remain (listed, kept, or a state
 * could not be read).
 */
export async function leftoversCommand(o: LeftoverOptions, out: (l: string) => void = console.log, err: (l: string) => void = console.error): Promise<number> {
    const objects = (await scanHost(o.prefix ?? "")).filter((x) => o.project === undefined || x.mark.project === o.project);
    const states = await readStates(ownersOf(objects), { backendUrl: o.backendUrl, org: o.org });
    let remaining = 0;
    for (const [owner, s] of states) {
        if (s.status !== "unreadable") continue;
        remaining++;
        err(`cannot judge the objects of stack ${owner}: ${s.error}`);
    }
    const found = findLeftovers(objects, states);
    if (!found.length) {
        out(`no leftovers: ${objects.length} marked object(s) on the host, each in its stack's state${remaining ? " (except those above)" : ""}`);
        return remaining ? 1 : 0;
    }
    for (const l of found) out(formatLeftover(l));
    if (!o.remove) {
        out(`${found.length} leftover(s); run again with --remove to remove them (unmarked objects are never touched)`);
        return 1;
    }
    for (const l of found) {
        const did = await removeLeftover(l);
        if (did.startsWith("kept")) remaining++;
        out(did);
    }
    return remaining ? 1 : 0;
}

/** Parses `leftovers` flags: --remove (the confirmation), --prefix P, --project P, --backend URL, --org ORG. */
export function parseLeftoverArgs(argv: string[], usage: string): LeftoverOptions {
    const o: LeftoverOptions = { remove: false };
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => {
            const v = inline ?? argv[++i];
            if (v === undefined || (inline === undefined && v.startsWith("-"))) throw new Error(`${flag} needs a value (${usage})`);
            return v;
        };
        switch (flag) {
            case "--remove": o.remove = true; break;
            case "--prefix": o.prefix = take(); break;
            case "--project": o.project = take(); break;
            case "--backend": o.backendUrl = take(); break;
            case "--org": o.org = take(); break;
            default: throw new Error(`unknown argument "${f}" (${usage})`);
        }
    }
    return o;
}

/** Every namespace on the host whose `lo` carries a mark, with the mark: one `ip` run per namespace. */
export async function namespaceMarks(prefix = ""): Promise<{ namespace: string; mark: Mark }[]> {
    const list = await ipJson<{ name: string }>(subject("netns list"), ["ip", "-j", "netns", "list"]);
    // A name bound to the host's own namespace is never one to take over (hostns.ts).
    const names = list.value.map((n) => n.name).filter((n) => n.startsWith(prefix) && !isHostNamespace(n));
    const out: { namespace: string; mark: Mark }[] = [];
    for (let i = 0; i < names.length; i += 8) {
        const found = await Promise.all(names.slice(i, i + 8).map(async (ns) => {
            const lo = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "link", "show", "dev", "lo"]);
            const mark = parseMark(lo.value[0]?.ifalias);
            return mark ? [{ namespace: ns, mark }] : [];
        }));
        out.push(...found.flat());
    }
    return out;
}
