// Inline L3 configuration: the addresses and routes a link carries (VethPair `addresses`,
// `peerAddresses`, `routes`, `peerRoutes`; Bridge `addresses`) and the sysctls a Namespace
// carries (`sysctls`). The same kernel objects as the Address, Route and Sysctl kinds, with
// the same field types, folded into the resource that makes the link so that a large lab costs
// the engine fewer steps (each resource is a state write) and the provider fewer processes: an
// end's entries go into one `ip -batch` in its namespace.
//
// They are managed entries, not the whole truth: only the entries listed are added, read back
// and removed. Other addresses and routes on the same device (a standalone Address, or one made
// by hand) are left alone and never reported. Entries are added with `replace` (idempotent: an
// entry that is already there, or whose gateway changed, is taken as it is declared), and the
// routes carry the project's protocol number (ROUTE_PROTO), so that a read finds only ours.
//   ip -n NS -batch -   <<< "address replace CIDR dev DEV [nodad]" + "route replace TO [via V] dev DEV [metric M] [src S] table T proto 77"
//   ip -n NS -j address show dev DEV;  ip -n NS -j [-6] route show table all dev DEV proto 77   (read)
//   ip netns exec NS sysctl -n KEY...;  ip netns exec NS sysctl -q -w KEY=VALUE...              (sysctls)
import { z } from "zod";
import { hostCidr } from "./address";
import { canonical, familyOf, routeDestination, sysctlCanonical, type Fact } from "../checks/declared";
import { LIMITS, sysctlKey, sysctlNormalize, sysctlValue } from "../engine/fields";
import { parseCidr } from "../model/net";
import { ROUTE_PROTO } from "../ownership/owner";
import { familiesAgree, family, kernelMetric, routeFields } from "./route";
import { exec, mustRun, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { ipRead } from "../host/reads";

/** Addresses on one interface: each a host address with its prefix, as the Address kind takes it; no two the same. */
export const addressList = z.array(hostCidr, { error: "must be a list of addresses with prefix lengths, such as [\"192.0.2.1/24\"]" }).max(LIMITS.list, `has more than ${LIMITS.list} entries`).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((a, i) => {
        const key = canonical(a);
        const first = seen.get(key);
        if (first !== undefined) ctx.addIssue({ code: "custom", path: [i], message: `lists ${a} twice (entries ${first} and ${i}): an address is one kernel object per interface` });
        else seen.set(key, i);
    });
});

/** One inline route through the link's end: the Route kind's fields without namespace and dev (the end's). */
export const inlineRoute = z.strictObject(routeFields, { error: (iss) => (iss.code === "invalid_type" ? `entry ${String(iss.path?.at(-1) ?? "")} must be a route such as { to: "default", via: "192.0.2.254" }, not ${iss.input === null ? "null" : typeof iss.input}` : undefined) }).superRefine((v, ctx) => familiesAgree(v, ctx));
export type InlineRoute = z.output<typeof inlineRoute>;

/** What tells one kernel route from another: destination, table and metric (as for a Route). */
export function routeKey(r: Pick<InlineRoute, "to" | "via" | "src" | "metric"> & { table?: InlineRoute["table"] | undefined }): string {
    const fam = family(r);
    const dest = routeDestination(r.to);
    return `${fam} table ${r.table ?? "main"} ${dest} metric ${kernelMetric(r)}`;
}

/** Routes through one interface; no two to the same destination, table and metric. */
export const routeList = z.array(inlineRoute, { error: "must be a list of routes such as [{ to: \"default\", via: \"192.0.2.254\" }]" }).max(LIMITS.list, `has more than ${LIMITS.list} entries`).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((r, i) => {
        const key = routeKey(r);
        const first = seen.get(key);
        if (first !== undefined) ctx.addIssue({ code: "custom", path: [i], message: `lists a route to ${r.to} (table ${r.table}, metric ${kernelMetric(r)}) twice (entries ${first} and ${i}): the kernel keeps one route per destination, table and metric` });
        else seen.set(key, i);
    });
});

/** Per-namespace sysctls, by key: the Sysctl kind's key and value rules. */
export const sysctlMap = z.record(z.string(), sysctlValue, { error: "must be an object of sysctl keys to values, such as { \"net.ipv4.ip_forward\": \"1\" }" }).superRefine((m, ctx) => {
    if (Object.keys(m).length > LIMITS.list) ctx.addIssue({ code: "custom", message: `has more than ${LIMITS.list} keys` });
    for (const k of Object.keys(m)) {
        const r = sysctlKey.safeParse(k);
        if (!r.success) ctx.addIssue({ code: "custom", path: [k], message: r.error.issues[0]?.message ?? `"${k}" is not a per-network-namespace key` });
    }
});

// --- argv (pure) ---

/** The destination as `ip` reads it in a batch line, where no -4/-6 can be given: "default" spelled per family. */
function dest(r: InlineRoute): string {
    return r.to !== "default" ? r.to : family(r) === "-6" ? "::/0" : "0.0.0.0/0";
}

const opt = (word: string, v: string | number | undefined) => (v === undefined ? [] : [word, String(v)]);

export const lines = {
    addAddress: (dev: string, cidr: string) => ["address", "replace", cidr, "dev", dev, ...(parseCidr(cidr)?.family === 6 ? ["nodad"] : [])].join(" "),
    delAddress: (dev: string, cidr: string) => ["address", "del", cidr, "dev", dev].join(" "),
    addRoute: (dev: string, r: InlineRoute) => ["route", "replace", dest(r), ...opt("via", r.via), "dev", dev, ...opt("metric", r.metric), ...opt("src", r.src),
        "table", String(r.table), "proto", String(ROUTE_PROTO)].join(" "),
    // The metric is always named: without one, an IPv4 `route del` takes metric 0 as "any".
    delRoute: (dev: string, r: InlineRoute) => ["route", "del", dest(r), "dev", dev, "metric", String(kernelMetric(r)), "table", String(r.table), "proto", String(ROUTE_PROTO)].join(" "),
};

/** What one interface carries inline. */
export interface Entries { addresses?: string[] | undefined; routes?: InlineRoute[] | undefined }

/** The batch lines that add an interface's entries: addresses first (a route's gateway and src need them). */
export function addLines(dev: string, e: Entries): string[] {
    return [...(e.addresses ?? []).map((a) => lines.addAddress(dev, a)), ...(e.routes ?? []).map((r) => lines.addRoute(dev, r))];
}

export const argv = {
    batch: (ns: string) => ["ip", "-n", ns, "-batch", "-"],
    addresses: (ns: string, dev: string) => ["ip", "-n", ns, "-j", "address", "show", "dev", dev],
    routes: (ns: string, dev: string, fam: "-4" | "-6") => ["ip", "-n", ns, "-j", fam, "route", "show", "table", "all", "dev", dev, "proto", String(ROUTE_PROTO)],
    sysctlGet: (ns: string, keys: string[]) => ["ip", "netns", "exec", ns, "sysctl", "-n", ...keys],
    sysctlSet: (ns: string, values: Record<string, string>) => ["ip", "netns", "exec", ns, "sysctl", "-q", "-w", ...Object.entries(values).map(([k, v]) => `${k}=${v}`)],
};

// --- the kernel ---

/** Runs batch lines in a namespace, in one process; nothing to do is no process. */
export async function runLines(s: Subject, ns: string, input: string[], hint: (stderr: string) => string | undefined): Promise<void> {
    if (input.length === 0) return;
    await mustRun(s, argv.batch(ns), hint, [...input, ""].join("\n"));
}

interface AddrJson { addr_info?: { local?: string; prefixlen?: number }[] }
interface RouteJson { dst?: string; gateway?: string; metric?: number; prefsrc?: string; table?: string }

/** The listed entries that are on the interface now (routes with their live gateway and source). */
export async function present(s: Subject, ns: string, dev: string, e: Entries): Promise<Entries> {
    const out: Entries = {};
    if (e.addresses !== undefined) {
        const live = new Set<string>();
        if (e.addresses.length > 0) {
            const r = await ipRead<AddrJson>(s, argv.addresses(ns, dev), { namespace: ns, device: dev, what: `the addresses of ${dev} in ${ns}` });
            for (const l of r ?? []) for (const i of l.addr_info ?? []) if (i.local) live.add(canonical(`${i.local}/${i.prefixlen}`));
        }
        out.addresses = e.addresses.filter((a) => live.has(canonical(a)));
    }
    if (e.routes !== undefined) {
        const live = new Map<string, RouteJson>();
        for (const fam of ["-4", "-6"] as const) {
            if (!e.routes.some((r) => family(r) === fam)) continue;
            const r = await ipRead<RouteJson>(s, argv.routes(ns, dev, fam), { namespace: ns, device: dev, what: `the routes through ${dev} in ${ns}` });
            for (const x of r ?? []) {
                if (!x.dst) continue;
                const to = x.dst === "default" ? (fam === "-6" ? "::/0" : "0.0.0.0/0") : x.dst.includes("/") ? x.dst : `${x.dst}/${fam === "-6" ? 128 : 32}`;
                const table = x.table === undefined || x.table === "main" ? "main" : Number(x.table);
                live.set(routeKey({ to, via: x.gateway, src: x.prefsrc, metric: x.metric ?? (fam === "-6" ? 1024 : 0), table: table as InlineRoute["table"] }), x);
            }
        }
        out.routes = e.routes.flatMap((r) => {
            const x = live.get(routeKey(r));
            if (!x) return [];
            // The live gateway and source under the input names, so that refresh reports drift.
            const { via: _v, src: _s, ...rest } = r;
            return [{ ...rest, ...(r.via !== undefined && x.gateway !== undefined ? { via: x.gateway } : {}), ...(r.src !== undefined && x.prefsrc !== undefined ? { src: x.prefsrc } : {}) }];
        });
    }
    return out;
}

/**
 * Changes an interface's entries from `olds` to `news` in one batch: removes the old entries that
 * are no longer listed and are still there (a changed route under another key is one of them),
 * then adds (replaces) every listed one that is new or changed. Entries nobody listed are left alone.
 */
export async function change(s: Subject, ns: string, dev: string, olds: Entries, news: Entries, hint: (stderr: string) => string | undefined): Promise<void> {
    const newAddr = new Set((news.addresses ?? []).map(canonical));
    const oldAddr = new Set((olds.addresses ?? []).map(canonical));
    const newRoutes = new Map((news.routes ?? []).map((r) => [routeKey(r), r]));
    const oldRoutes = new Map((olds.routes ?? []).map((r) => [routeKey(r), r]));
    const goneAddr = (olds.addresses ?? []).filter((a) => !newAddr.has(canonical(a)));
    const goneRoutes = (olds.routes ?? []).filter((r) => !newRoutes.has(routeKey(r)));
    // Only what is still there is deleted: a batch stops at its first error.
    const still = goneAddr.length + goneRoutes.length > 0 ? await present(s, ns, dev, { addresses: goneAddr, routes: goneRoutes }) : {};
    const input = [
        ...(still.routes ?? []).map((r) => lines.delRoute(dev, r)),
        ...(still.addresses ?? []).map((a) => lines.delAddress(dev, a)),
        ...(news.addresses ?? []).filter((a) => !oldAddr.has(canonical(a))).map((a) => lines.addAddress(dev, a)),
        ...(news.routes ?? []).filter((r) => JSON.stringify(oldRoutes.get(routeKey(r))) !== JSON.stringify(r)).map((r) => lines.addRoute(dev, r)),
    ];
    await runLines(s, ns, input, hint);
}

/** A hint for a failed batch of inline entries. */
export function entriesHint(ns: string, dev: string) {
    return (stderr: string): string | undefined => {
        if (/Nexthop has invalid gateway|Network is unreachable|No route to host/.test(stderr)) return `a route's gateway is on no connected segment of ${ns}: list an address in the gateway's subnet on ${dev} (or on another link of ${ns}) first`;
        if (/Invalid prefsrc|Invalid source address/.test(stderr)) return `a route's src is not an address of ${ns}; list it in addresses first`;
        if (ipSays(stderr, "exists")) return `an entry on ${dev} in ${ns} already exists in another form (a route to the same destination with another device or protocol); remove it, or change the metric`;
        return undefined;
    };
}

// --- sysctls ---

/** The current values of `keys` in a namespace (one process); a key that cannot be read is left out. */
export async function sysctlValues(s: Subject, ns: string, keys: string[]): Promise<Record<string, string>> {
    if (keys.length === 0) return {};
    const out: Record<string, string> = {};
    // One key per read when a batch read fails (a key that does not exist on this kernel).
    const r = await exec(s, argv.sysctlGet(ns, keys));
    const got = r.stdout.replace(/\n$/, "").split("\n");
    if (r.exitCode === 0 && got.length === keys.length) {
        keys.forEach((k, i) => (out[k] = sysctlNormalize(got[i]!)));
        return out;
    }
    for (const k of keys) {
        const one = await exec(s, argv.sysctlGet(ns, [k]));
        if (one.exitCode === 0) out[k] = sysctlNormalize(one.stdout);
    }
    return out;
}

/** Writes sysctls in one process; nothing to write is no process. */
export async function setSysctls(s: Subject, ns: string, values: Record<string, string>, hint: (stderr: string) => string | undefined): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await mustRun(s, argv.sysctlSet(ns, values), hint);
}

// --- whole-stack claims: the same claims as the standalone kinds, so that one object declared both ways is caught ---

/** What an inline address claims: the same kernel object as an Address on that device. */
export function addressFacts(ns: string, dev: string, addresses: readonly string[] | undefined, property: string, by: string): Fact[] {
    return (addresses ?? []).flatMap((a) => [
        { segment: a, namespace: ns, by, dev },
        { claim: `addr ${ns} ${dev} ${canonical(a)}`, property, what: `${a} on ${dev} in namespace ${ns}`, why: "the same address on the same interface is one kernel object" },
    ]);
}

/** What an inline route claims: the same kernel object as a Route to that destination, table and metric. */
export function routeFacts(ns: string, dev: string, routes: readonly z.input<typeof inlineRoute>[] | undefined, property: string, by: string): Fact[] {
    return (routes ?? []).flatMap((r) => {
        const fam = familyOf(r.to, r.via, r.src) ?? 4;
        const metric = fam === 6 ? (r.metric || 1024) : (r.metric ?? 0);
        const table = r.table ?? "main";
        const to = routeDestination(r.to);
        return [
            { claim: `route ${ns} -${fam} table ${table} ${to} metric ${metric}`, property, what: `${r.to} (table ${table}, metric ${metric}) in namespace ${ns}`, why: "the kernel keeps one route per destination, table and metric" },
            ...(r.via !== undefined ? [{ gateway: r.via, namespace: ns, property }]
                : r.to !== "default" ? [{ segment: r.to, namespace: ns, by: `${by} route through ${dev}`, dev }] : []),
        ];
    });
}

/** What inline sysctls claim: the same setting as a Sysctl with that key. */
export function sysctlFacts(ns: string, sysctls: Record<string, string> | undefined): Fact[] {
    return Object.keys(sysctls ?? {}).flatMap((k) => [{ claim: `sysctl ${ns} ${sysctlCanonical(k)}`, property: "sysctls", what: `${k} in namespace ${ns}`, why: "two values for one setting would overwrite each other on every up" },
        { sysctl: k, namespace: ns, property: "sysctls" }]);
}
