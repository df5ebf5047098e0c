// What the kernel removes together with another object, told to the engine as resource options.
//
// The kernel deletes, with an interface, its addresses and every route through it (IPv4 also
// drops every route of a device when its last IPv4 address goes); with a bridge, the membership
// of its ports; with a namespace, everything in it. The engine knows none of this. It replaces a
// dependent of a replaced resource only when an input of the dependent comes from that resource
// and that input replaces (an Address's `dev: link.name`); a Route tied to its segment by
// `dependsOn`, or whose `via` is a plain string, stays "same" in the plan while the kernel has
// deleted it. So every resource is given, when it is constructed:
//
//   - `replaceWith`: what the kernel takes it away with, so that the same plan replaces it
//     (shown as replace in `pulumi preview`, made again before `up` returns):
//       Address  - the VethPair or Bridge its `dev` names;
//       Route    - the VethPair or Bridge its `dev` names; every Address, VethPair, Bridge (and
//                  Route through a device alone) in its `dependsOn`; every Address (or Route through
//                  a device alone) constructed before it in the same namespace whose subnet holds `via`;
//       VethPair - the Bridge each end joins (`master`, `peerMaster`): a deleted bridge releases its ports;
//       Sysctl   - the VethPair or Bridge a per-interface key names (net.ipv4.conf.DEV.forwarding):
//                  the key goes with the interface, and the new one starts from the defaults.
//   - `deleteBeforeReplace: true`: an engine-made replacement (replaceWith, `--replace`) is
//     otherwise create-before-delete, which for a kernel object with the same name or key fails
//     ("File exists") or, for a route, ends with the old route's delete removing the new one;
//   - `deletedWith`: the Namespace its `namespace` names. When that namespace is deleted in the
//     same run, the engine skips the object's own delete: the kernel removes it with the namespace.
//     Not for a Namespace given retainOnDelete: the engine counts it as deleted, the kernel keeps it.
//
// Options must be known when the resource is constructed, so they are derived from what is known
// then, and only where the link is certain:
//   - an input that is exactly another resource's output property (`dev: link.name`,
//     `namespace: ns.name`, `master: bridge.name`): the same Output object, so that resource;
//   - a plain string naming an interface, a namespace or a gateway, matched against the resources
//     of this program constructed before it (names are unique: declared.ts refuses duplicates).
// Anything else (an Output made with apply or interpolate, a resource constructed later) derives
// nothing; declared.ts then warns about a Route whose gateway's segment it cannot tie it to.
// A user's own options win: a given deletedWith or deleteBeforeReplace is kept, a given replaceWith
// is extended.
//
// Which inputs play which part comes from each kind's definition (kind.ts: namespaceName,
// deletedWith, links, segment, ties); the list above is what today's definitions say.
import * as pulumi from "@pulumi/pulumi";
import { contains, parseCidr, parseIp, type Cidr } from "../model/net";
import { relationsOf, type Relations } from "../model/relations";
// A kind's name, as its definition spells it ("Namespace", "VethPair", ...). A plain string, not
// the registry's Kind: that type is made from every kind, and every kind reaches this file. What
// each kind is to the others (its links, segment, ties) comes from its definition (relations.ts).
type Kind = string;

type Resource = pulumi.Resource;
/** A namespace: "s:NAME" when its name is a plain string, else the Namespace resource itself. */
type NsKey = string | object;

interface Segment { key: NsKey; net: Cidr; resource: Resource }

/** What one program run has constructed so far. */
interface Registry {
    kinds: WeakMap<object, Kind>;
    /** `ns.name` (the Output) and "s:NAME" to the Namespace, its key, and whether it is retained on delete. */
    namespaces: Map<unknown, { resource: Resource; key: NsKey; retained: boolean }>;
    /** `pair.name`, `pair.peerName`, `bridge.name` (the Outputs) to the VethPair or Bridge. */
    links: Map<unknown, Resource>;
    /** Per namespace, plain interface names to the VethPair or Bridge that makes them. */
    linksByName: Map<NsKey, Map<string, Resource>>;
    /** Subnets a namespace is connected to: Addresses, and Routes through a device alone. */
    segments: Segment[];
    /** Each resource's replaceWith, as given to the engine. */
    tiedTo: WeakMap<object, Set<Resource>>;
    /** Routes (kinds with a gateway) whose `dev` is an Output: the engine replaces them with the link it comes from. */
    devFromOutput: WeakSet<object>;
}

function fresh(): Registry {
    return { kinds: new WeakMap(), namespaces: new Map(), links: new Map(), linksByName: new Map(), segments: [], tiedTo: new WeakMap(), devFromOutput: new WeakSet() };
}

// One registry per program run, keyed by the run's resource monitor as declared.ts keys its
// checks: two programs in one process (Automation API inline runs, setMocks) never share it.
const runs = new WeakMap<object, Registry>();
/** The key for resources made outside any Pulumi run (no monitor). */
const NO_RUN = {};

function runKey(): object {
    return (pulumi.runtime.getMonitor() as object | undefined) ?? NO_RUN;
}

/** What the current program run has constructed so far. */
function reg(): Registry {
    let r = runs.get(runKey());
    if (!r) runs.set(runKey(), (r = fresh()));
    return r;
}

/** Forgets every resource the current run constructed so far (unit tests). */
export function resetTies(): void {
    runs.delete(runKey());
}

function nsKey(ns: unknown): NsKey | undefined {
    if (typeof ns === "string") return `s:${ns}`;
    return reg().namespaces.get(ns)?.key;
}

/** The Namespace that deletes what is in it when it is deleted (not one kept by retainOnDelete). */
function namespaceResource(ns: unknown): Resource | undefined {
    const n = reg().namespaces.get(typeof ns === "string" ? `s:${ns}` : ns);
    return n && !n.retained ? n.resource : undefined;
}

/** The VethPair or Bridge that makes interface `dev` of namespace `ns`, when certain. */
function linkOf(dev: unknown, ns: unknown): Resource | undefined {
    if (dev === undefined) return undefined;
    if (typeof dev !== "string") return reg().links.get(dev);
    const key = nsKey(ns);
    return key === undefined ? undefined : reg().linksByName.get(key)?.get(dev);
}

/** The resources of a dependsOn given as a resource or an array of them (Outputs and promises: none). */
function explicit(dependsOn: unknown): Resource[] {
    const list = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    return list.filter((r): r is Resource => typeof r === "object" && r !== null && reg().kinds.has(r));
}

/** The relations of a resource constructed here (none for one that is not). */
const relationsOfResource = (r: Resource): Relations => relationsOf(reg().kinds.get(r) ?? "");
/** Whether a resource makes an interface (a link) that others join (a master). */
const makesLink = (r: Resource, master = false) => (relationsOfResource(r).links ?? []).some((l) => !master || l.master === true);
/** Whether a resource is one with a segment: always when its segment has no condition, else only when it made one. */
const isSegment = (r: Resource) => {
    const seg = relationsOfResource(r).segment;
    return seg !== undefined && (seg.when === undefined || reg().segments.some((s) => s.resource === r));
};

/** The resources whose replacement takes this one away in the kernel (see the top of the file). */
function replacedWith(kind: Kind, props: pulumi.Inputs, dependsOn: unknown): Resource[] {
    const out: (Resource | undefined)[] = [];
    const rules = relationsOf(kind).ties ?? {};
    for (const d of rules.devs ?? []) {
        const l = linkOf(typeof d.dev === "function" ? d.dev(props) : props[d.dev], props[d.namespace]);
        if (!d.master || (l && makesLink(l, true))) out.push(l);
    }
    const deps = explicit(dependsOn);
    const roles = rules.dependsOn ?? [];
    out.push(...deps.filter((r) => (roles.includes("link") && makesLink(r)) || (roles.includes("master") && makesLink(r, true)) || (roles.includes("segment") && isSegment(r))));
    if (rules.via) {
        const key = nsKey(props[rules.via.namespace]);
        const gw = props[rules.via.via];
        const via = typeof gw === "string" ? parseIp(gw) : undefined;
        if (via && key !== undefined) out.push(...reg().segments.filter((s) => s.key === key && contains(s.net, via)).map((s) => s.resource));
    }
    return out.filter((r): r is Resource => r !== undefined);
}

/**
 * The options of a resource of `kind` with these inputs (as passed to its constructor), and
 * `record`, which remembers the constructed resource for the ones constructed after it. Called by
 * the NetnsResource constructor only.
 */
export function tie(kind: Kind, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions = {}): { opts: pulumi.CustomResourceOptions; record(resource: Resource): void } {
    const replaceWith = new Set<Resource>([...(opts.replaceWith ?? []), ...replacedWith(kind, props, opts.dependsOn)]);
    const inside = relationsOf(kind).deletedWith;
    const deletedWith = opts.deletedWith ?? (inside === undefined ? undefined : namespaceResource(props[inside]));
    const derived: pulumi.CustomResourceOptions = {
        ...opts,
        deleteBeforeReplace: opts.deleteBeforeReplace ?? true,
        ...(replaceWith.size > 0 ? { replaceWith: [...replaceWith] } : {}),
        ...(deletedWith ? { deletedWith } : {}),
    };
    return { opts: derived, record: (resource) => record(kind, props, opts, resource, replaceWith) };
}

function record(kind: Kind, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions, resource: Resource, replaceWith: Set<Resource>): void {
    reg().kinds.set(resource, kind);
    reg().tiedTo.set(resource, replaceWith);
    const out = resource as unknown as Record<string, unknown>;
    const linkNamed = (name: unknown, ns: unknown, output: unknown) => {
        reg().links.set(output, resource);
        const key = nsKey(ns);
        if (typeof name !== "string" || key === undefined) return;
        const names = reg().linksByName.get(key) ?? new Map<string, Resource>();
        names.set(name, resource);
        reg().linksByName.set(key, names);
    };
    const segment = (ns: unknown, text: unknown) => {
        const key = nsKey(ns);
        const net = typeof text === "string" ? parseCidr(text) : undefined;
        if (key !== undefined && net) reg().segments.push({ key, net, resource });
    };
    const rel = relationsOf(kind);
    if (rel.namespaceName !== undefined) {
        const name = props[rel.namespaceName];
        const entry = { resource, key: typeof name === "string" ? `s:${name}` : resource, retained: opts.retainOnDelete === true };
        reg().namespaces.set(out[rel.namespaceName], entry);
        if (typeof name === "string") reg().namespaces.set(`s:${name}`, entry);
    }
    for (const l of rel.links ?? []) linkNamed(props[l.name], props[l.namespace], out[l.name]);
    if (rel.segment && (rel.segment.when === undefined || rel.segment.when(props))) segment(props[rel.segment.namespace], props[rel.segment.cidr]);
    // One with a gateway whose interface is an Output: the engine replaces it with the link it comes from.
    for (const d of rel.ties?.via ? rel.ties.devs ?? [] : []) {
        if (typeof d.dev === "string" && props[d.dev] !== undefined && typeof props[d.dev] !== "string") reg().devFromOutput.add(resource);
    }
}

/** The replaceWith given to a resource constructed here (unit tests, and the check below). */
export function tiesOf(resource: Resource): Resource[] {
    return [...(reg().tiedTo.get(resource) ?? [])];
}

/**
 * Whether a Route will be replaced when one of `owners` (the Addresses or device Routes whose
 * subnet holds its gateway) or the link under them is replaced: its dev is an Output (the
 * engine replaces it with that link), or its replaceWith names an owner or an owner's link.
 * A resource not constructed here counts as tied: nothing is known about it.
 */
export function tiedToSegment(route: Resource, owners: Resource[]): boolean {
    const mine = reg().tiedTo.get(route);
    if (!mine || reg().devFromOutput.has(route)) return true;
    return owners.some((o) => mine.has(o) || tiesOf(o).some((l) => mine.has(l)));
}
