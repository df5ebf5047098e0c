// Checks that need the whole stack, made in the program (the resource constructors), because the
// provider's `check` sees one resource at a time:
//
//   - no two resources of a stack claim the same kernel object: two Namespaces with one name,
//     two interfaces (veth ends, bridges) with one name in one namespace, the same Address on the
//     same interface twice, two Routes with one destination, table and metric, two Sysctls with
//     one key, two Rules with one priority and selectors. The kernel would refuse the second
//     (File exists) halfway through an `up`, or, for a sysctl, let the last writer win on every run;
//   - a Route's gateway is on a segment the stack connects that namespace to: some Address (or a
//     Route through a device alone) of the same namespace, declared in the same stack, has a
//     subnet that contains it. Decided only where it can be: for a namespace that a Namespace of
//     this stack creates (not adopted: an adopted one may hold addresses made elsewhere), for a
//     gateway that is not IPv6 link-local, and when every Address and Route of the stack had
//     known values.
//
// Each constructor registers what it claims once its inputs are known (pulumi.all(...).apply),
// so the checks run in `preview` as well as in `up`. Values that stay unknown during a preview
// are not checked. A conflict fails the program with an error logged against the resource that
// makes it, naming the property, without a stack trace (an error logged against the resource,
// and the SDK's exit code for "failed after telling the user"). Duplicates are reported as soon as
// the second claim is known; gateways when the program has registered everything (the process's
// `beforeExit`, which the SDK lets run before it shuts down).
import * as pulumi from "@pulumi/pulumi";
import { contains, formatCidr, parseCidr, parseIp, type Cidr, type Family } from "./net";
import { tiedToSegment } from "./ties";

interface Owner {
    resource: pulumi.Resource;
    kind: string;
    name: string;
    property: string;
}

interface GatewayUse {
    owner: Owner;
    namespace: string;
    via: string;
}

const claims = new Map<string, Owner>();
/** Namespaces this stack creates, and whether it adopts them. */
const namespaces = new Map<string, { adopt: boolean }>();
/** The subnets each namespace is connected to, with who connects it (and on which device). */
const segments = new Map<string, { net: Cidr; text: string; by: string; resource: pulumi.Resource; dev: string }[]>();
const gateways: GatewayUse[] = [];
/** Registrations whose values are not known (yet, or at all in this preview). */
let unresolved = 0;
let hooked = false;
let analyzed = false;

function fail(owner: Owner, message: string): void {
    // Logged against the resource, without a stack trace; exit code 32 is the SDK's own "failed
    // after logging a message for the user": the language host then fails the preview or update
    // without adding anything. (An unhandled error thrown once the program's main module has
    // finished would be printed with its stack.)
    void pulumi.log.error(`${owner.kind} "${owner.name}": property ${owner.property} ${message}`, owner.resource);
    process.exitCode = 32;
}

/** Calls `then` with the values once all are known; counts them as unresolved until then. */
function whenKnown<T extends unknown[]>(inputs: [...{ [I in keyof T]: pulumi.Input<T[I]> | undefined }], then: (values: T) => void): void {
    hook();
    unresolved++;
    pulumi.all(inputs as pulumi.Input<unknown>[]).apply((values) => {
        unresolved--;
        then(values as unknown as T);
        return undefined;
    });
}

function claim(key: string, owner: Owner, what: string, why: string): void {
    const first = claims.get(key);
    if (!first) {
        claims.set(key, owner);
        return;
    }
    if (first.resource === owner.resource) return; // one resource, two names for one claim (a pair within one namespace is checked by the schema)
    fail(owner, `${what} is already used by ${first.kind} "${first.name}" (${first.property}): ${why}`);
}

function family(...texts: (string | undefined)[]): Family | undefined {
    for (const t of texts) {
        if (t === undefined || t === "default" || t === "all") continue;
        const f = (parseCidr(t) ?? parseIp(t))?.family;
        if (f) return f;
    }
    return undefined;
}

function canonical(cidr: string): string {
    const c = parseCidr(cidr);
    return c ? formatCidr(c) : cidr;
}

function connect(namespace: string, text: string, by: string, resource: pulumi.Resource, dev: string): void {
    const net = parseCidr(text);
    if (!net) return;
    const list = segments.get(namespace) ?? [];
    list.push({ net: { ...net }, text, by, resource, dev });
    segments.set(namespace, list);
}

function hook(): void {
    if (hooked) return;
    hooked = true;
    process.on("beforeExit", analyze);
}

/** Every gateway against the segments, once the program has registered all its resources. */
function analyze(): void {
    if (analyzed) return;
    analyzed = true;
    if (unresolved > 0) return; // some Address or Route is unknown: no gateway is decidable
    for (const g of gateways) {
        warnUntied(g);
        const ns = namespaces.get(g.namespace);
        if (!ns || ns.adopt) continue;
        const ip = parseIp(g.via);
        if (!ip) continue; // the schema reports it
        if (ip.family === 6 && (ip.value >> 118n) === 0x3fan) continue; // fe80::/10: on every link
        const nets = segments.get(g.namespace) ?? [];
        if (nets.some((s) => contains(s.net, ip))) continue;
        const have = nets.length ? `its segments in this stack: ${nets.map((s) => `${s.text} (${s.by})`).join(", ")}` : "this stack puts no address in it";
        fail(g.owner, `${g.via} is on no connected segment of namespace ${g.namespace} (${have}): the kernel would refuse this gateway. Add an Address in the gateway's subnet to ${g.namespace}, or fix via`);
    }
}

// ---------------------------------------------------------------------------------------------
// One function per kind, called by its constructor.

type In<T> = pulumi.Input<T> | undefined;

export function declareNamespace(resource: pulumi.Resource, name: string, args: { name: In<string>; adopt?: In<boolean> }): void {
    whenKnown<[string, boolean | undefined]>([args.name, args.adopt], ([ns, adopt]) => {
        const owner = { resource, kind: "Namespace", name, property: "name" };
        claim(`netns ${ns}`, owner, `"${ns}"`, "one stack cannot create two namespaces with one name");
        namespaces.set(ns, { adopt: adopt === true });
    });
}

function declareInterface(resource: pulumi.Resource, kind: string, name: string, property: string, namespace: In<string>, ifname: In<string>): void {
    whenKnown<[string, string]>([namespace, ifname], ([ns, dev]) => {
        claim(`link ${ns} ${dev}`, { resource, kind, name, property }, `"${dev}" in namespace ${ns}`, "two interfaces in one namespace need different names");
    });
}

export function declareVethPair(resource: pulumi.Resource, name: string, args: { name: In<string>; namespace: In<string>; peerName: In<string>; peerNamespace: In<string> }): void {
    declareInterface(resource, "VethPair", name, "name", args.namespace, args.name);
    declareInterface(resource, "VethPair", name, "peerName", args.peerNamespace, args.peerName);
}

export function declareBridge(resource: pulumi.Resource, name: string, args: { name: In<string>; namespace: In<string> }): void {
    declareInterface(resource, "Bridge", name, "name", args.namespace, args.name);
}

export function declareAddress(resource: pulumi.Resource, name: string, args: { namespace: In<string>; dev: In<string>; address: In<string> }): void {
    whenKnown<[string, string, string]>([args.namespace, args.address, args.dev], ([ns, address, dev]) => connect(ns, address, `Address "${name}"`, resource, dev));
    whenKnown<[string, string, string]>([args.namespace, args.dev, args.address], ([ns, dev, address]) => {
        claim(`addr ${ns} ${dev} ${canonical(address)}`, { resource, kind: "Address", name, property: "address" }, `${address} on ${dev} in namespace ${ns}`, "the same address on the same interface is one kernel object");
    });
}

export function declareRoute(resource: pulumi.Resource, name: string, args: { namespace: In<string>; to: In<string>; via?: In<string>; dev?: In<string>; metric?: In<number>; table?: In<"main" | number> }): void {
    whenKnown<[string, string, string | undefined, string | undefined, number | undefined, "main" | number | undefined]>(
        [args.namespace, args.to, args.via, args.dev, args.metric, args.table], ([ns, to, via, dev, metric, table]) => {
            const fam = family(to, via) ?? 4;
            const kernelMetric = fam === 6 ? (metric || 1024) : (metric ?? 0);
            const dest = to === "default" ? "default" : canonical(to);
            claim(`route ${ns} -${fam} table ${table ?? "main"} ${dest} metric ${kernelMetric}`, { resource, kind: "Route", name, property: "to" },
                `${to} (table ${table ?? "main"}, metric ${kernelMetric}) in namespace ${ns}`, "the kernel keeps one route per destination, table and metric");
            if (via !== undefined) gateways.push({ owner: { resource, kind: "Route", name, property: "via" }, namespace: ns, via });
            else if (dev !== undefined && to !== "default") connect(ns, to, `Route "${name}" through ${dev}`, resource, dev);
        });
}

export function declareSysctl(resource: pulumi.Resource, name: string, args: { namespace: In<string>; key: In<string> }): void {
    whenKnown<[string, string]>([args.namespace, args.key], ([ns, key]) => {
        claim(`sysctl ${ns} ${key.replace(/\//g, ".")}`, { resource, kind: "Sysctl", name, property: "key" }, `${key} in namespace ${ns}`, "two values for one setting would overwrite each other on every up");
    });
}

export function declareRule(resource: pulumi.Resource, name: string, args: { namespace: In<string>; priority: In<number>; from?: In<string>; to?: In<string> }): void {
    whenKnown<[string, number, string | undefined, string | undefined]>([args.namespace, args.priority, args.from, args.to], ([ns, priority, from, to]) => {
        const fam = family(from, to) ?? 4;
        const sel = (s: string | undefined) => (s === undefined || s === "all" ? "all" : canonical(s));
        claim(`rule ${ns} -${fam} ${priority} from ${sel(from)} to ${sel(to)}`, { resource, kind: "Rule", name, property: "priority" },
            `${priority} (from ${sel(from)} to ${sel(to)}) in namespace ${ns}`, "the kernel refuses a second identical rule");
    });
}

// ---------------------------------------------------------------------------------------------
// A Route tied to nothing (issue 15). ties.ts replaces a Route along with the Address (and link)
// that puts its namespace on the gateway's segment, when it can tell which one that is when the
// Route is constructed. When it cannot (plain strings and no dependency, an Address constructed
// after the Route or from computed values), replacing that link or Address would make the kernel
// delete the route while the engine keeps it in the state: say so at preview, against the Route,
// with what to add.

function warnUntied(g: GatewayUse): void {
    const ip = parseIp(g.via);
    if (!ip) return;
    const on = (segments.get(g.namespace) ?? []).filter((s) => contains(s.net, ip));
    if (on.length === 0 || tiedToSegment(g.owner.resource, on.map((s) => s.resource))) return;
    const where = on.map((s) => `${s.by} (${s.text} on ${s.dev})`).join(", ");
    const devs = [...new Set(on.map((s) => s.dev))].join(", ");
    void pulumi.log.warn(`Route "${g.owner.name}": via ${g.via} is on the segment of ${where} in namespace ${g.namespace}, but nothing ties the route to it: ` +
        `when that Address or its link (${devs}) is replaced, the kernel deletes the route and the engine keeps it in the state as if it were there. ` +
        `Add dependsOn: [${on.map((s) => s.by).join(" or ")}] to the route's options, or give it dev from the link's output (dev: link.name)`, g.owner.resource);
}
