// Route: `ip route add TO [via VIA] [dev DEV] [metric N] [src SRC] table T`, IPv4 or IPv6.
// A route is known to the kernel by its destination, table and metric: those replace it; the
// gateway, device and source change in place with `ip route replace`.
import { z } from "zod";
import { familyOf, routeDestination } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, ifname, nsname, UNKNOWN } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "../engine/kind";
import { exec, mustRun, NetnsError, shown, commonHint, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { ROUTE_PROTO } from "../ownership/owner";
import { inAnotherStacksNamespace, inOwnNamespace } from "../ownership/nsmark";
import { ipRead } from "../host/reads";
import { isNetworkAddress, parseCidr, parseIp, type Family } from "../model/net";

/** A route destination: `default` or a network address with its prefix (no host bits). */
const destination = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    if (s === "default") return;
    const c = parseCidr(s);
    if (!c) {
        ctx.addIssue({ code: "custom", message: `"${s}" is neither "default" nor a network such as 198.51.100.0/24 or 2001:db8:1::/64` });
    } else if (!isNetworkAddress(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" has host bits set; a route goes to a network, such as the one that contains it with those bits cleared` });
    }
});

const ip = z.string({ error: "must be a string" }).refine((s) => parseIp(s) !== undefined, {
    error: (iss) => `"${String(iss.input)}" is not an IPv4 or IPv6 address`,
});

const TABLE = 'must be "main" or a table number from 1 to 4294967295';

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace whose routing table this is. A change replaces the route. */
    namespace: nsname,
    /** "default" or a network without host bits: 198.51.100.0/24, 2001:db8:2::/64. A change replaces the route. */
    to: destination,
    /** The gateway, of the same family as `to`. Make the route depend on the Address that puts this namespace on the gateway's segment. Updated in place; left out: none. */
    via: ip.optional(),
    /** The device, as in `dev DEV`. A change replaces the route (the kernel deletes a route with its device). */
    dev: ifname.optional(),
    /** The route's metric, as in `metric N`. A change replaces the route. */
    metric: z.number({ error: "must be a number" }).int("must be an integer").min(0, "must not be negative").max(4294967295, "is above 4294967295").optional(),
    /** Preferred source address for traffic that uses this route, as in `src SRC`. Updated in place; left out: none. */
    src: ip.optional(),
    /** "main" (the default) or a table number, 1 to 4294967295 but not 255 (the kernel's local table). A change replaces the route. */
    table: z.union([z.literal("main"), z.number().int(TABLE).min(1, TABLE).max(4294967295, TABLE).refine((n) => n !== 255, "255 is the kernel's local table")], {
        error: TABLE,
    }).default("main"),
    /** Take over an existing route to the same destination (its gateway is then set to via). */
    adopt,
};
/** The fields of a Route that an inline route (VethPair `routes`, inline.ts) takes too: one definition of each. */
export const routeFields = { to: fields.to, via: fields.via, src: fields.src, metric: fields.metric, table: fields.table };

/** The families of to, via and src agree (a Route's rule, and an inline route's). */
export function familiesAgree(v: { to?: string | undefined; via?: string | undefined; src?: string | undefined }, ctx: z.RefinementCtx): void {
    const fam = (s: string | undefined): Family | undefined => (s === undefined || s === UNKNOWN ? undefined : s === "default" ? undefined : (parseCidr(s) ?? parseIp(s))?.family);
    const to = fam(v.to), via = fam(v.via), src = fam(v.src);
    if (to && via && to !== via) ctx.addIssue({ code: "custom", path: ["via"], message: `is IPv${via} but the destination ${v.to} is IPv${to}` });
    if (to && src && to !== src) ctx.addIssue({ code: "custom", path: ["src"], message: `is IPv${src} but the destination ${v.to} is IPv${to}` });
    if (!to && via && src && via !== src) ctx.addIssue({ code: "custom", path: ["src"], message: `is IPv${src} but the gateway ${v.via} is IPv${via}` });
}

const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields).superRefine((v, ctx) => {
    if (v.via === undefined && v.dev === undefined) {
        ctx.addIssue({ code: "custom", path: ["via"], message: "a route needs a gateway (via) or a device (dev), or both" });
    }
    familiesAgree(v, ctx);
});

/** The inputs of a Route after check (defaults applied): the provider's view. */
export type RouteSpec = SpecOf<typeof schema>;

export function family(r: Pick<RouteSpec, "to" | "via" | "src">): "-4" | "-6" {
    const f = r.to !== "default" ? parseCidr(r.to)?.family : (r.via ? parseIp(r.via)?.family : r.src ? parseIp(r.src)?.family : 4);
    return f === 6 ? "-6" : "-4";
}

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

/** The metric the kernel gives the route: IPv6 stores "none" and 0 as 1024, IPv4 stores "none" as 0. */
export function kernelMetric(r: Pick<RouteSpec, "to" | "via" | "src" | "metric">): number {
    return family(r) === "-6" ? (r.metric || 1024) : (r.metric ?? 0);
}

function spec(r: RouteSpec): string[] {
    return [r.to, ...opt("via", r.via), ...opt("dev", r.dev), ...opt("metric", r.metric), ...opt("src", r.src), "table", String(r.table)];
}

// Made and replaced routes carry the project's protocol number (owner.ts), which tells them from
// the kernel's and hand-made ones. Read takes for this Route a route of its destination, table
// and metric through its device (when `dev` is given: a route through another device is never
// it), the one with the mark first; one without the mark is this Route changed by hand (`ip route
// replace` drops the mark), reported as drift and marked again by the next up. Del names the
// device and the mark, so that the kernel removes ours and never a hand-made route. A state from
// before the marks (no owner, routes made with proto boot) is removed without the mark, as then.
export const argv = {
    add: (r: RouteSpec) => ["ip", "-n", r.namespace, family(r), "route", "add", ...spec(r), "proto", String(ROUTE_PROTO)],
    replace: (r: RouteSpec) => ["ip", "-n", r.namespace, family(r), "route", "replace", ...spec(r), "proto", String(ROUTE_PROTO)],
    show: (r: RouteSpec) => ["ip", "-n", r.namespace, "-j", family(r), "route", "show", "table", String(r.table), "exact", r.to === "default" ? (family(r) === "-6" ? "::/0" : "0.0.0.0/0") : r.to],
    // IPv6 always names the metric: without one, `route del` removes whichever route to `to` comes first.
    del: (r: RouteSpec, marked = false) => ["ip", "-n", r.namespace, family(r), "route", "del", r.to, ...opt("metric", family(r) === "-6" ? kernelMetric(r) : r.metric), ...opt("dev", r.dev), "table", String(r.table),
        ...(marked ? ["proto", String(ROUTE_PROTO)] : [])],
};

interface RouteJson { dst: string; gateway?: string; dev?: string; metric?: number; prefsrc?: string; protocol?: string | number }

/** Whether a resource's routes carry the mark: every one made since the marks (the resource passes its stack). */
const marked = (s: Subject) => s.owner !== undefined;

/** The live route that is this Route among those `ip -j route show` printed: its metric and device (when given), the marked one first. */
export function ours(r: RouteSpec, shown: RouteJson[]): RouteJson | undefined {
    const defaultMetric = family(r) === "-6" ? 1024 : 0;
    const same = shown.filter((x) => (x.metric ?? defaultMetric) === kernelMetric(r) && (r.dev === undefined || x.dev === r.dev));
    return same.find((x) => String(x.protocol) === String(ROUTE_PROTO)) ?? same[0];
}

async function live(s: Subject, r: RouteSpec): Promise<RouteJson | undefined> {
    const res = await ipRead<RouteJson>(s, argv.show(r), { namespace: r.namespace, what: `the routes to ${r.to} in ${r.namespace} (table ${r.table})` });
    return ours(r, res ?? []);
}

/** Whether the live route found by its identity (live) is exactly the declared one: gateway, device and source too. */
function sameRoute(x: RouteJson | undefined, r: RouteSpec): boolean {
    return x !== undefined && (r.via === undefined || x.gateway === r.via) && (r.dev === undefined || x.dev === r.dev) && (r.src === undefined || x.prefsrc === r.src);
}

function hint(r: RouteSpec, stderr: string): string | undefined {
    if (ipSays(stderr, "exists")) return `a route to ${r.to} already exists in ${r.namespace} (table ${r.table}); remove it, give another metric, or set adopt: true`;
    // IPv6 says "No route to host" (EHOSTUNREACH) where IPv4 says "Nexthop has invalid gateway".
    if (/Nexthop has invalid gateway|Network is unreachable|No route to host/.test(stderr)) return `the gateway ${r.via} is on no connected segment of ${r.namespace}: add an Address in its subnet first and make the route depend on it (pass addr.address or dependsOn)`;
    if (/Cannot find device/.test(stderr)) return `there is no interface ${r.dev} in ${r.namespace}: create it first and pass its name as an output`;
    if (/Invalid prefsrc|Invalid source address/.test(stderr)) return `src ${r.src} is not an address of ${r.namespace}; add it with an Address first`;
    return undefined;
}

/** The Route kind: a route in a namespace's routing table. */
export const route: KindDef<"Route", typeof schema, {}> = defineKind({
    kind: "Route",
    schema,
    computed: {},
    namespaces: ["namespace"],
    deletedWith: "namespace",
    // A route through a device alone connects its namespace to the subnet `to`.
    segment: { namespace: "namespace", cidr: "to", when: (a) => a.dev !== undefined && a.via === undefined && a.to !== "default" },
    // The kernel deletes every route through an interface with it, and (IPv4) a route whose
    // gateway is no longer on a connected subnet.
    ties: { devs: [{ dev: "dev", namespace: "namespace" }], dependsOn: ["link", "segment"], via: { via: "via", namespace: "namespace" } },
    claims: (on) => [
        on(["namespace", "to", "via", "dev", "metric", "table"], (a, name) => {
            const fam = familyOf(a.to, a.via) ?? 4;
            const metric = fam === 6 ? (a.metric || 1024) : (a.metric ?? 0);
            const table = a.table ?? "main";
            const dest = routeDestination(a.to);
            return [
                { claim: `route ${a.namespace} -${fam} table ${table} ${dest} metric ${metric}`, property: "to",
                    what: `${a.to} (table ${table}, metric ${metric}) in namespace ${a.namespace}`, why: "the kernel keeps one route per destination, table and metric" },
                ...(a.via !== undefined ? [{ gateway: a.via, namespace: a.namespace, property: "via" }]
                    : a.dev !== undefined && a.to !== "default" ? [{ segment: a.to, namespace: a.namespace, by: `Route "${name}" through ${a.dev}`, dev: a.dev }] : []),
            ];
        }),
    ],
    // The device is part of what replaces a route, though `ip route replace` could move it: the
    // kernel deletes a route with its device, so when a VethPair is replaced, a Route that takes
    // `dev` from it must be replaced too. Pulumi does that only for a property that replaces.
    diff: { replace: ["namespace", "to", "table", "metric", "dev"], update: ["via", "src"], clear: ["via", "src"] },
    id: (r) => `${r.namespace}/${r.table}/${r.to}${r.metric === undefined ? "" : `/${r.metric}`}`,

    async create(s, r) {
        const res = await exec(s, argv.add(r));
        if (res.exitCode !== 0) {
            if (r.adopt && ipSays(res.stderr, "exists")) {
                await mustRun(s, argv.replace(r), (e) => hint(r, e));
            } else if (ipSays(res.stderr, "exists") && (await inOwnNamespace(s, r.namespace)) && sameRoute(await live(s, r), r)) {
                // The very route, in a namespace this stack marked: this stack's, taken over as it is.
            } else {
                throw new NetnsError(s, shown(s, argv.add(r)), res.exitCode, res.stderr, hint(r, res.stderr) ?? commonHint(res.stderr));
            }
        }
        return { ...r };
    },

    async read(s, o) {
        const x = await live(s, o);
        if (!x) return undefined;
        return { ...o, ...(o.via !== undefined ? { via: x.gateway } : {}), ...(o.dev !== undefined ? { dev: x.dev } : {}), ...(o.src !== undefined ? { src: x.prefsrc } : {}) };
    },

    async update(s, _olds, news) {
        await mustRun(s, argv.replace(news), (e) => hint(news, e));
        return { ...news };
    },

    async delete(s, o) {
        // Already gone: stop here, for an IPv4 `route del` without a metric (metric 0 means "any"
        // to the kernel) would remove another route to the same destination.
        if (!(await live(s, o))) return;
        if (await inAnotherStacksNamespace(s, o.namespace, `route ${o.to} in ${o.namespace}`)) return;
        const r = await exec(s, argv.del(o, marked(s)));
        if (r.exitCode !== 0 && !ipSays(r.stderr, "gone")) {
            throw new NetnsError(s, shown(s, argv.del(o, marked(s))), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
});

/** The arguments of a Route: each input of its schema, as a `pulumi.Input`. */
export type RouteArgs = ArgsOf<typeof schema>;

/** A route in a namespace's routing table. Every input is an output too. */
export const Route: ResourceClass<typeof route> = resourceClass(route);
export type Route = InstanceType<typeof Route>;

/** The definition under its earlier name. */
export const routeImpl = route;
