/**
 * Lesson: a router between two segments (seed 000, "ルータを入れてみる").
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 --- 192.0.2.254/24 gw-veth0 [router] gw-veth1 198.51.100.254/24 --- 198.51.100.1/24 ns2-veth0 [ns2]
 *          default via 192.0.2.254              net.ipv4.ip_forward=1                  default via 198.51.100.254
 *
 * ns1 and ns2 are on different segments, so neither can reach the other directly. Each host
 * sends what is not on its own segment to its default gateway, the router's address on that
 * segment; the router passes packets from one segment to the other only when IPv4 forwarding is
 * on (net.ipv4.ip_forward=1, a setting of the router's namespace alone). Every router on the way
 * lowers the TTL by one: ns2 answers with 64, ns1 sees 63.
 * Try: ip netns exec ns1 ping -c 3 198.51.100.1     (TTL 63: one router on the way)
 *      npm run lab -- capture router router icmp    (tcpdump -tn -i any icmp in the router, while ns1 pings)
 *      ip netns exec ns1 ip route show               (default via 192.0.2.254)
 *      ip netns exec router sysctl net.ipv4.ip_forward
 *      npm run lab -- up router forwarding=off, ping again  (why does it fail now? can ns1 still reach 192.0.2.254?)
 *      npm run lab -- up router forwarding=on        (the plan: one update of router-forward)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import type { Lesson } from "./lesson";
import { doesNotReach, nodes, reaches, seenOnTheWire, step, sysctlIs } from "./checks";

const FORWARDING = ["on", "off"] as const;
const forwarding = (value: string | undefined) => step("router", "forwarding", value, FORWARDING);

export const lesson: Lesson = {
    name: "router",
    summary: "a router between two segments: default routes, ip_forward, TTL 63 (seed 000)",

    define({ prefix, config }) {
        const fwd = forwarding(config.get("forwarding"));

        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const router = new Namespace("router", { name: `${prefix}router` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        // The cables: ns1-veth0 <-> gw-veth0 (segment 192.0.2.0/24), ns2-veth0 <-> gw-veth1 (198.51.100.0/24).
        const ns1Cable = new VethPair("ns1-router", { name: "ns1-veth0", namespace: ns1.name, peerName: "gw-veth0", peerNamespace: router.name });
        const ns2Cable = new VethPair("ns2-router", { name: "ns2-veth0", namespace: ns2.name, peerName: "gw-veth1", peerNamespace: router.name });

        // ns1: 192.0.2.1/24, and everything else through the router.
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });

        // router: one address on each segment, and forwarding between them.
        new Address("gw-veth0-ip", { namespace: router.name, dev: ns1Cable.peerName, address: "192.0.2.254/24" });
        new Address("gw-veth1-ip", { namespace: router.name, dev: ns2Cable.peerName, address: "198.51.100.254/24" });
        new Sysctl("router-forward", { namespace: router.name, key: "net.ipv4.ip_forward", value: fwd === "on" ? "1" : "0" });

        // ns2: 198.51.100.1/24, and everything else through the router.
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.name, address: "198.51.100.1/24" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "198.51.100.254" }, { dependsOn: [ns2Ip] });

        return {
            namespaces: [ns1.name, router.name, ns2.name],
            forwarding: fwd,
            tryPing: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 198.51.100.1`,
            tryPingBack: pulumi.interpolate`ip netns exec ${ns2.name} ping -c 3 192.0.2.1`,
            tryGateway: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 192.0.2.254`,
            tryRoutes: pulumi.interpolate`ip netns exec ${ns1.name} ip route show`,
            tryForwarding: pulumi.interpolate`ip netns exec ${router.name} sysctl net.ipv4.ip_forward`,
            tryCapture: "npm run lab -- capture router router icmp   (tcpdump -tn -i any icmp in the router; then ping from ns1 in another shell)",
            nextStep: fwd === "on"
                ? "npm run lab -- up router forwarding=off   (the router stops forwarding: ns1 -> ns2 fails, the router itself still answers)"
                : "npm run lab -- up router forwarding=on    (one in-place update of router-forward)",
        };
    },

    checks(prefix, config) {
        const { ns1, router, ns2 } = nodes(prefix, ["ns1", "router", "ns2"]);
        const neighbours = [
            reaches(ns1, "192.0.2.254", "router", { why: "same segment" }),
            reaches(router, "192.0.2.1", "ns1"),
            reaches(ns2, "198.51.100.254", "router", { why: "same segment" }),
            reaches(router, "198.51.100.1", "ns2"),
        ];
        if (forwarding(config.forwarding) === "on") {
            return [
                sysctlIs(router, "net.ipv4.ip_forward", "1", "the router forwards"),
                ...neighbours,
                reaches(ns1, "198.51.100.1", "ns2", { ttl: 63, why: "through the router (ttl=63: 64 minus one router)" }),
                reaches(ns2, "192.0.2.1", "ns1", { ttl: 63, why: "through the router" }),
                // Seed 000's first look at the wire: sudo tcpdump -tn -i any icmp.
                seenOnTheWire(router, ns1, "198.51.100.1", [
                    "gw-veth0 In IP 192.0.2.1 > 198.51.100.1: ICMP echo request",
                    "gw-veth1 Out IP 192.0.2.1 > 198.51.100.1: ICMP echo request",
                    "gw-veth1 In IP 198.51.100.1 > 192.0.2.1: ICMP echo reply",
                    "gw-veth0 Out IP 198.51.100.1 > 192.0.2.1: ICMP echo reply",
                ], "the request comes in from ns1's segment and goes out to ns2's, the reply the other way"),
            ];
        }
        return [
            sysctlIs(router, "net.ipv4.ip_forward", "0", "the router does not forward"),
            ...neighbours,
            doesNotReach(ns1, "198.51.100.1", "ns2", "the router does not forward"),
            doesNotReach(ns2, "192.0.2.1", "ns1", "the router does not forward"),
            seenOnTheWire(router, ns1, "198.51.100.1", ["gw-veth0 In IP 192.0.2.1 > 198.51.100.1: ICMP echo request"],
                "the request arrives and goes no further", { replies: false }),
        ];
    },
};
