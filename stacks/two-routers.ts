/**
 * Lesson: two routers, and static routes between them (seed 000, "ルータを増やしてみる").
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 --- 192.0.2.254/24 gw1-veth0 [router1] gw1-veth1 203.0.113.1/24 ---
 *         default via 192.0.2.254                      198.51.100.0/24 via 203.0.113.2
 *
 *     --- 203.0.113.2/24 gw2-veth0 [router2] gw2-veth1 198.51.100.254/24 --- 198.51.100.1/24 ns2-veth0 [ns2]
 *           192.0.2.0/24 via 203.0.113.1                                      default via 198.51.100.254
 *
 *   segments: 192.0.2.0/24 (ns1, router1), 203.0.113.0/24 (router1, router2), 198.51.100.0/24 (router2, ns2)
 *
 * A router knows the segments it is on, and nothing else. router1 gets ns1's packet for
 * 198.51.100.1, finds no route for it and says so: ICMP "Destination Net Unreachable" from
 * 192.0.2.254. A route entry that tells it the next hop (198.51.100.0/24 via 203.0.113.2), and the
 * same on router2 for the way back, fixes that: static routing, routes written by hand (routing
 * protocols such as OSPF or BGP let routers tell each other instead). Each router lowers the TTL
 * by one (ns1 sees 62), and traceroute lists them one line per hop.
 * Try: ip netns exec ns1 ping -c 3 198.51.100.1        (TTL 62: two routers)
 *      ip netns exec ns1 traceroute -n 198.51.100.1     (192.0.2.254, 203.0.113.2, 198.51.100.1)
 *      ip netns exec router1 ip route show
 *      npm run lab -- up two-routers staticRoutes=off, ping again  ("From 192.0.2.254 ... Destination Net Unreachable")
 *      npm run lab -- up two-routers staticRoutes=on    (the plan: exactly two routes created)
 * traceroute -I sends ICMP echo probes; a router answers a destination with ICMP errors about
 * once a second after a burst of 6, so traceroute in a tight loop shows `*` for the routers.
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { netUnreachable, nodes, reaches, step, sysctlIs, tracePath, type Node } from "./checks";

const STATIC_ROUTES = ["on", "off"] as const;
const staticRoutes = (value: string | undefined) => step("two-routers", "staticRoutes", value, STATIC_ROUTES);

/** What the router's routing table says about one destination: `ip route get ADDRESS`. */
function routeGet(node: Node, address: string, expect: string, ok: (r: { exitCode: number; stdout: string; stderr: string }) => boolean, why: string): Check {
    return { title: `${node.label}: ip route get ${address}: ${why}`, argv: inNs(node.ns, "ip", "route", "get", address), expect, ok };
}

export const lesson: Lesson = {
    name: "two-routers",
    summary: "two routers in a row: Destination Net Unreachable, then static routes, traceroute (seed 000)",

    define({ prefix, config }) {
        const routes = staticRoutes(config.get("staticRoutes"));

        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const router1 = new Namespace("router1", { name: `${prefix}router1` });
        const router2 = new Namespace("router2", { name: `${prefix}router2` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        // The cables: ns1-veth0 <-> gw1-veth0, gw1-veth1 <-> gw2-veth0, gw2-veth1 <-> ns2-veth0.
        const ns1Cable = new VethPair("ns1-router1", { name: "ns1-veth0", namespace: ns1.name, peerName: "gw1-veth0", peerNamespace: router1.name });
        const midCable = new VethPair("router1-router2", { name: "gw1-veth1", namespace: router1.name, peerName: "gw2-veth0", peerNamespace: router2.name });
        const ns2Cable = new VethPair("router2-ns2", { name: "gw2-veth1", namespace: router2.name, peerName: "ns2-veth0", peerNamespace: ns2.name });

        // ns1: 192.0.2.1/24, default via router1.
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });

        // router1: 192.0.2.254/24 toward ns1, 203.0.113.1/24 toward router2, forwarding on.
        new Address("gw1-veth0-ip", { namespace: router1.name, dev: ns1Cable.peerName, address: "192.0.2.254/24" });
        const gw1Veth1Ip = new Address("gw1-veth1-ip", { namespace: router1.name, dev: midCable.name, address: "203.0.113.1/24" });
        new Sysctl("router1-forward", { namespace: router1.name, key: "net.ipv4.ip_forward", value: "1" });

        // router2: 203.0.113.2/24 toward router1, 198.51.100.254/24 toward ns2, forwarding on.
        const gw2Veth0Ip = new Address("gw2-veth0-ip", { namespace: router2.name, dev: midCable.peerName, address: "203.0.113.2/24" });
        new Address("gw2-veth1-ip", { namespace: router2.name, dev: ns2Cable.name, address: "198.51.100.254/24" });
        new Sysctl("router2-forward", { namespace: router2.name, key: "net.ipv4.ip_forward", value: "1" });

        // ns2: 198.51.100.1/24, default via router2.
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.peerName, address: "198.51.100.1/24" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "198.51.100.254" }, { dependsOn: [ns2Ip] });

        // The step: the static routes between the routers, each over the segment 203.0.113.0/24.
        if (routes === "on") {
            new Route("router1-to-ns2", { namespace: router1.name, to: "198.51.100.0/24", via: "203.0.113.2" }, { dependsOn: [gw1Veth1Ip] });
            new Route("router2-to-ns1", { namespace: router2.name, to: "192.0.2.0/24", via: "203.0.113.1" }, { dependsOn: [gw2Veth0Ip] });
        }

        return {
            namespaces: [ns1.name, router1.name, router2.name, ns2.name],
            staticRoutes: routes,
            tryPing: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 198.51.100.1`,
            tryPingBack: pulumi.interpolate`ip netns exec ${ns2.name} ping -c 3 192.0.2.1`,
            tryTraceroute: pulumi.interpolate`ip netns exec ${ns1.name} traceroute -n 198.51.100.1`,
            tryRouter1Routes: pulumi.interpolate`ip netns exec ${router1.name} ip route show`,
            tryRouter2Routes: pulumi.interpolate`ip netns exec ${router2.name} ip route show`,
            nextStep: routes === "on"
                ? "npm run lab -- up two-routers staticRoutes=off   (remove the static routes: router1 answers Destination Net Unreachable)"
                : "npm run lab -- up two-routers staticRoutes=on    (exactly two routes created, nothing else changes)",
        };
    },

    checks(prefix, config) {
        const { ns1, router1, router2, ns2 } = nodes(prefix, ["ns1", "router1", "router2", "ns2"]);
        const common = [
            sysctlIs(router1, "net.ipv4.ip_forward", "1", "router1 forwards"),
            sysctlIs(router2, "net.ipv4.ip_forward", "1", "router2 forwards"),
            reaches(ns1, "192.0.2.254", "router1", { why: "same segment" }),
            reaches(router1, "203.0.113.2", "router2", { why: "same segment" }),
            reaches(ns2, "198.51.100.254", "router2", { why: "same segment" }),
        ];
        if (staticRoutes(config.staticRoutes) === "on") {
            return [
                ...common,
                routeGet(router1, "198.51.100.1", 'exit 0, "198.51.100.1 via 203.0.113.2 dev gw1-veth1"',
                    (r) => r.exitCode === 0 && /^198\.51\.100\.1 via 203\.0\.113\.2 dev gw1-veth1 /.test(r.stdout), "the static route names router2 as next hop"),
                routeGet(router2, "192.0.2.1", 'exit 0, "192.0.2.1 via 203.0.113.1 dev gw2-veth0"',
                    (r) => r.exitCode === 0 && /^192\.0\.2\.1 via 203\.0\.113\.1 dev gw2-veth0 /.test(r.stdout), "the static route names router1 as next hop"),
                reaches(ns1, "198.51.100.1", "ns2", { ttl: 62, why: "through two routers (ttl=62)" }),
                reaches(ns2, "192.0.2.1", "ns1", { ttl: 62, why: "through two routers, on the static route back" }),
                tracePath(ns1, "198.51.100.1", ["192.0.2.254", "203.0.113.2", "198.51.100.1"]),
            ];
        }
        return [
            ...common,
            routeGet(router1, "198.51.100.1", 'non-zero exit, "Network is unreachable"',
                (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr), "router1 has no route to ns2's segment"),
            netUnreachable(ns1, "198.51.100.1", { label: "router1", address: "192.0.2.254" }),
            netUnreachable(ns2, "192.0.2.1", { label: "router2", address: "198.51.100.254" }),
        ];
    },
};
