// Route: `ip route add TO [via VIA] [dev DEV] [metric N] [src SRC] table T`, IPv4 or IPv6.
// A route is known to the kernel by its destination, table and metric: those replace it; the
// gateway, device and source change in place with `ip route replace`.
import * as pulumi from "@pulumi/pulumi";
import { NetnsResource } from "./dynamic";
import { declareRoute } from "./declared";
import type { KindImpl } from "./kind";
import { exec, ipJson, mustRun, NetnsError, privileged, commonHint, type Subject } from "./run";
import { parseCidr, parseIp } from "./net";
import type { RouteArgs } from "./schemas";

export function family(r: Pick<RouteArgs, "to" | "via" | "src">): "-4" | "-6" {
    const f = r.to !== "default" ? parseCidr(r.to)?.family : (r.via ? parseIp(r.via)?.family : r.src ? parseIp(r.src)?.family : 4);
    return f === 6 ? "-6" : "-4";
}

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

/** The metric the kernel gives the route: IPv6 stores "none" and 0 as 1024, IPv4 stores "none" as 0. */
function kernelMetric(r: RouteArgs): number {
    return family(r) === "-6" ? (r.metric || 1024) : (r.metric ?? 0);
}

function spec(r: RouteArgs): string[] {
    return [r.to, ...opt("via", r.via), ...opt("dev", r.dev), ...opt("metric", r.metric), ...opt("src", r.src), "table", String(r.table)];
}

export const argv = {
    add: (r: RouteArgs) => ["ip", "-n", r.namespace, family(r), "route", "add", ...spec(r)],
    replace: (r: RouteArgs) => ["ip", "-n", r.namespace, family(r), "route", "replace", ...spec(r)],
    show: (r: RouteArgs) => ["ip", "-n", r.namespace, "-j", family(r), "route", "show", "table", String(r.table), "exact", r.to === "default" ? (family(r) === "-6" ? "::/0" : "0.0.0.0/0") : r.to],
    // IPv6 always names the metric: without one, `route del` removes whichever route to `to` comes first.
    del: (r: RouteArgs) => ["ip", "-n", r.namespace, family(r), "route", "del", r.to, ...opt("metric", family(r) === "-6" ? kernelMetric(r) : r.metric), "table", String(r.table)],
};

interface RouteJson { dst: string; gateway?: string; dev?: string; metric?: number; prefsrc?: string }

async function live(s: Subject, r: RouteArgs): Promise<RouteJson | undefined> {
    const res = await ipJson<RouteJson>(s, argv.show(r));
    const defaultMetric = family(r) === "-6" ? 1024 : 0;
    return res.value.find((x) => (x.metric ?? defaultMetric) === kernelMetric(r));
}

function hint(r: RouteArgs, stderr: string): string | undefined {
    if (/File exists/.test(stderr)) return `a route to ${r.to} already exists in ${r.namespace} (table ${r.table}); remove it, give another metric, or set adopt: true`;
    // IPv6 says "No route to host" (EHOSTUNREACH) where IPv4 says "Nexthop has invalid gateway".
    if (/Nexthop has invalid gateway|Network is unreachable|No route to host/.test(stderr)) return `the gateway ${r.via} is on no connected segment of ${r.namespace}: add an Address in its subnet first and make the route depend on it (pass addr.address or dependsOn)`;
    if (/Cannot find device/.test(stderr)) return `there is no interface ${r.dev} in ${r.namespace}: create it first and pass its name as an output`;
    if (/Invalid prefsrc|Invalid source address/.test(stderr)) return `src ${r.src} is not an address of ${r.namespace}; add it with an Address first`;
    return undefined;
}

export const routeImpl: KindImpl<"Route"> = {
    kind: "Route",
    // The device is part of what replaces a route, though `ip route replace` could move it: the
    // kernel deletes a route with its device, so when a VethPair is replaced, a Route that takes
    // `dev` from it must be replaced too. Pulumi does that only for a property that replaces.
    diff: { replace: ["namespace", "to", "table", "metric", "dev"], update: ["via", "src"], clear: ["via", "src"] },
    id: (r) => `${r.namespace}/${r.table}/${r.to}${r.metric === undefined ? "" : `/${r.metric}`}`,

    async create(s, r) {
        const res = await exec(s, argv.add(r));
        if (res.exitCode !== 0) {
            if (r.adopt && /File exists/.test(res.stderr)) {
                await mustRun(s, argv.replace(r), (e) => hint(r, e));
            } else {
                throw new NetnsError(s, privileged(argv.add(r)), res.exitCode, res.stderr, hint(r, res.stderr) ?? commonHint(res.stderr));
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
        const r = await exec(s, argv.del(o));
        if (r.exitCode !== 0 && !/No such process|Cannot find device|Cannot open network namespace|No such file or directory/.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.del(o)), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
};

export interface RouteInputs {
    namespace: pulumi.Input<string>;
    /** "default" or a network: 198.51.100.0/24, 2001:db8:2::/64. */
    to: pulumi.Input<string>;
    /** The gateway. Pass the Address that puts this namespace on the gateway's segment as a dependency. */
    via?: pulumi.Input<string>;
    dev?: pulumi.Input<string>;
    metric?: pulumi.Input<number>;
    /** Preferred source address for traffic that uses this route. */
    src?: pulumi.Input<string>;
    /** "main" (the default) or a table number. */
    table?: pulumi.Input<"main" | number>;
    /** Take over an existing route to the same destination (its gateway is then set to via). */
    adopt?: pulumi.Input<boolean>;
}

/** A route in a namespace's routing table. */
export class Route extends NetnsResource {
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly to: pulumi.Output<string>;
    declare public readonly via: pulumi.Output<string | undefined>;

    constructor(name: string, args: RouteInputs, opts?: pulumi.CustomResourceOptions) {
        super("Route", name, { resourceName: name, ...args }, opts);
        declareRoute(this, name, args); // whole-stack checks: duplicates, gateways (declared.ts)
    }
}
