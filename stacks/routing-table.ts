/**
 * Lesson: the routing table and the longest prefix (seed 000, "ルーティングテーブル(経路表)" and
 * "ルーティングの手順"; seed 004, "ルーティング": the destination AND the netmask).
 *
 *                                  [switch] br0: one segment, 192.0.2.0/24
 *        +-----------------+------------------+------------------+
 *        |                 |                  |                  |
 *   [ns1] ns1-veth0    gwA-veth0           gwB-veth0          gwC-veth0
 *   192.0.2.1/24       192.0.2.252 [routerA]  192.0.2.253 [routerB]  192.0.2.254 [routerC]
 *                      gwA-veth1 203.0.113.1/30  gwB-veth1 203.0.113.5/30  gwC-veth1 203.0.113.9/30
 *                         |                   |                   |
 *                      inet-gwA .2/30      inet-gwB .6/30      inet-gwC .10/30
 *                                 [internet] lo: 198.51.100.10, 198.51.100.200, 203.0.113.100
 *
 *   ns1's routing table (ip route show):
 *     198.51.100.0/24   via 192.0.2.252 (routerA)
 *     198.51.100.128/25 via 192.0.2.253 (routerB)   <- the step slash25=off removes this one
 *     default           via 192.0.2.254 (routerC)
 *     192.0.2.0/24      dev ns1-veth0 (its own segment: no gateway)
 *   routerA: 198.51.100.0/24 via 203.0.113.2; routerB: 198.51.100.128/25 via 203.0.113.6;
 *   routerC: default via 203.0.113.10; internet: 192.0.2.0/24 via 203.0.113.9 (replies come back through routerC).
 *
 * A node finds the route for a packet from its destination address alone (seed 000: 手元のルー
 * ティングテーブルから送信先IPアドレスが当てはまる宛先を探す). A route matches when the destination
 * ANDed with the route's netmask gives the route's network (seed 004 does it in binary); several
 * routes can match, and the one with the longest prefix, the most specific, wins. The default
 * (0.0.0.0/0) matches every address and so wins only when nothing else does. Here:
 * 198.51.100.10 matches /0 and /24: routerA. 198.51.100.200 matches /0, /24 and /25: routerB.
 * 203.0.113.100 matches only the default: routerC. The stack outputs `lookups` work each one out
 * by hand, in binary, as the seed does; the checks ask the kernel (`ip route get`) and the
 * network (traceroute: the first hop is the chosen router). The step slash25=off deletes exactly
 * one route, the /25: 198.51.100.200 then goes through routerA, whose own /24 takes it on.
 * Try: ip netns exec ns1 ip route show
 *      ip netns exec ns1 ip route get 198.51.100.200        (via 192.0.2.253: the /25)
 *      ip netns exec ns1 traceroute -n 198.51.100.200       (192.0.2.253, then 198.51.100.200)
 *      pulumi stack output lookups                          (the AND of each route, in binary)
 *      npm run lab -- up routing-table slash25=off          (the plan: one route deleted)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Bridge, Namespace, Route, Sysctl, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { nodes, step, sysctlIs, tracePath, type Node } from "./checks";
import { describeRoute, lookup, lookupLines, netmask, type TableRoute } from "./netmask";

const SLASH25 = ["on", "off"] as const;
const slash25Of = (value: string | undefined) => step("routing-table", "slash25", value, SLASH25);

const ROUTERS = [
    { label: "routerA", tag: "A", lan: "192.0.2.252", far: "203.0.113.1", internet: "203.0.113.2", reaches: "198.51.100.0/24" },
    { label: "routerB", tag: "B", lan: "192.0.2.253", far: "203.0.113.5", internet: "203.0.113.6", reaches: "198.51.100.128/25" },
    { label: "routerC", tag: "C", lan: "192.0.2.254", far: "203.0.113.9", internet: "203.0.113.10", reaches: "default" },
] as const;

/** One destination per row of the table: only the /24 (and the default), the /25 too, only the default. */
export const DESTINATIONS = ["198.51.100.10", "198.51.100.200", "203.0.113.100"] as const;

/** ns1's routing table for a step, as the kernel lists it: its own segment, then the three routes it is given. */
export function table(slash25: "on" | "off"): TableRoute[] {
    return [
        { to: "192.0.2.0/24", dev: "ns1-veth0", label: "ns1's own segment" },
        { to: "198.51.100.0/24", via: "192.0.2.252", label: "routerA" },
        ...(slash25 === "on" ? [{ to: "198.51.100.128/25", via: "192.0.2.253", label: "routerB" }] : []),
        { to: "default", via: "192.0.2.254", label: "routerC" },
    ];
}

/** The table as `netstat -rn` prints it (seed 004): destination, gateway, netmask, interface. */
function netstatLines(routes: TableRoute[]): string[] {
    const row = (cols: string[]) => cols.map((c, i) => (i < cols.length - 1 ? c.padEnd(17) : c)).join("");
    return [row(["Destination", "Gateway", "Genmask", "Iface"]), ...routes.map((r) => {
        const [network, prefix] = r.to === "default" ? ["0.0.0.0", "0"] : r.to.split("/");
        return row([network!, r.via ?? "0.0.0.0", netmask(Number(prefix)), "ns1-veth0"]);
    })];
}

export const lesson: Lesson = {
    name: "routing-table",
    summary: "overlapping routes (/24, /25 inside it, default): the longest prefix wins, worked out in binary (seeds 000, 004)",

    define({ prefix, config }) {
        const slash25 = slash25Of(config.get("slash25"));

        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const sw = new Namespace("switch", { name: `${prefix}switch` });
        const internet = new Namespace("internet", { name: `${prefix}internet` });
        const br0 = new Bridge("switch-br0", { namespace: sw.name, name: "br0" });

        // ns1 on the segment; its three routes, one per router.
        const ns1Cable = new VethPair("ns1-switch", { name: "ns1-veth0", namespace: ns1.name, peerName: "sw-ns1", peerNamespace: sw.name, peerMaster: br0.name });
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-to-24", { namespace: ns1.name, to: "198.51.100.0/24", via: "192.0.2.252" }, { dependsOn: [ns1Ip] });
        if (slash25 === "on") new Route("ns1-to-25", { namespace: ns1.name, to: "198.51.100.128/25", via: "192.0.2.253" }, { dependsOn: [ns1Ip] });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });

        // Each router: on the segment, a /30 to the internet, forwarding, and the route it is there for.
        const routers = ROUTERS.map((r) => {
            const ns = new Namespace(r.label, { name: `${prefix}${r.label}` });
            const lan = new VethPair(`${r.label}-switch`, { name: `gw${r.tag}-veth0`, namespace: ns.name, peerName: `sw-gw${r.tag}`, peerNamespace: sw.name, peerMaster: br0.name });
            new Address(`gw${r.tag}-veth0-ip`, { namespace: ns.name, dev: lan.name, address: `${r.lan}/24` });
            const far = new VethPair(`${r.label}-internet`, { name: `gw${r.tag}-veth1`, namespace: ns.name, peerName: `inet-gw${r.tag}`, peerNamespace: internet.name });
            const farIp = new Address(`gw${r.tag}-veth1-ip`, { namespace: ns.name, dev: far.name, address: `${r.far}/30` });
            const inetIp = new Address(`inet-gw${r.tag}-ip`, { namespace: internet.name, dev: far.peerName, address: `${r.internet}/30` });
            new Route(`${r.label}-onward`, { namespace: ns.name, to: r.reaches, via: r.internet }, { dependsOn: [farIp] });
            new Sysctl(`${r.label}-forward`, { namespace: ns.name, key: "net.ipv4.ip_forward", value: "1" });
            return { ns, inetIp };
        });

        // The internet: the three destinations on its loopback, and the way back through routerC.
        for (const d of DESTINATIONS) new Address(`internet-${d}`, { namespace: internet.name, dev: "lo", address: `${d}/32` });
        new Route("internet-back", { namespace: internet.name, to: "192.0.2.0/24", via: "203.0.113.9" }, { dependsOn: [routers[2]!.inetIp] });

        const routes = table(slash25);
        return {
            namespaces: [ns1.name, sw.name, ...routers.map((r) => r.ns.name), internet.name],
            slash25,
            routingTable: netstatLines(routes),
            lookups: Object.fromEntries(DESTINATIONS.map((d) => [d, lookupLines(d, routes)])),
            tryRoutes: pulumi.interpolate`ip netns exec ${ns1.name} ip route show`,
            ...Object.fromEntries(DESTINATIONS.map((d, i) => [`tryRouteGet${i + 1}`, pulumi.interpolate`ip netns exec ${ns1.name} ip route get ${d}`])),
            ...Object.fromEntries(DESTINATIONS.map((d, i) => [`tryTraceroute${i + 1}`, pulumi.interpolate`ip netns exec ${ns1.name} traceroute -n ${d}`])),
            nextStep: slash25 === "on"
                ? "npm run lab -- up routing-table slash25=off   (one route deleted: 198.51.100.200 then goes through routerA)"
                : "npm run lab -- up routing-table slash25=on    (one route created: the /25 through routerB)",
        };
    },

    checks(prefix, config) {
        const routes = table(slash25Of(config.slash25));
        const n = nodes(prefix, ["ns1", "routerA", "routerB", "routerC"]);
        return [
            ...ROUTERS.map((r) => sysctlIs(n[r.label], "net.ipv4.ip_forward", "1", `${r.label} forwards`)),
            tableIs(n.ns1, routes),
            ...DESTINATIONS.map((d) => routeGet(n.ns1, d, routes)),
            ...DESTINATIONS.map((d) => tracePath(n.ns1, d, [lookup(d, routes).chosen!.via!, d])),
        ];
    },
};

interface RouteJson { dst: string; gateway?: string; dev?: string }

const entry = (to: string, via: string | undefined) => (via ? `${to} via ${via}` : `${to} dev ns1-veth0`);

/** ns1's main table holds exactly the routes of the step (read with `ip -j route show`). */
function tableIs(ns1: Node, routes: TableRoute[]): Check {
    const want = routes.map((r) => entry(r.to, r.via)).sort();
    const seen = (stdout: string) => (JSON.parse(stdout || "[]") as RouteJson[]).map((r) => entry(r.dst, r.gateway)).sort();
    return {
        title: `ns1's routing table: ${routes.map(describeRoute).join("; ")}`,
        argv: inNs(ns1.ns, "ip", "-j", "route", "show"),
        expect: `exactly: ${want.join("; ")}`,
        ok: (r) => r.exitCode === 0 && JSON.stringify(seen(r.stdout)) === JSON.stringify(want),
        evidence: (r) => seen(r.stdout),
    };
}

/** The kernel picks the route the hand computation picks: `ip route get DESTINATION`. */
function routeGet(ns1: Node, destination: string, routes: TableRoute[]): Check {
    const { steps, chosen, prefix } = lookup(destination, routes);
    const matching = steps.filter((s) => s.matches).map((s) => s.prefix).sort((a, b) => b - a).map((x) => `/${x}`);
    const line = new RegExp(`^${destination.replace(/\./g, "\\.")} via ${chosen!.via!.replace(/\./g, "\\.")} dev ns1-veth0 `);
    return {
        title: `ns1: ip route get ${destination}: ${matching.join(", ")} ${matching.length === 1 ? "matches" : "match"}; the longest, /${prefix}, wins: via ${chosen!.via} (${chosen!.label})`,
        argv: inNs(ns1.ns, "ip", "route", "get", destination),
        expect: `exit 0, "${destination} via ${chosen!.via} dev ns1-veth0 ..."`,
        ok: (r) => r.exitCode === 0 && line.test(r.stdout),
        evidence: (r) => [r.stdout.split("\n")[0]!.trim()],
    };
}
