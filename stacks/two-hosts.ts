/**
 * Lesson: two namespaces on one cable (seed 000, "2つのNetworkNamespaceを繋いでみる").
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 ------------ 192.0.2.2/24 ns2-veth0 [ns2]
 *                           one veth pair, one segment: 192.0.2.0/24
 *
 * A veth pair is a cable with a network card at each end. Two hosts whose addresses share a
 * network part (192.0.2.0/24) are on one segment: each finds the other through the route the
 * kernel adds for its own address ("192.0.2.0/24 dev ns1-veth0"), and no router is needed.
 * Setting an interface administratively down is pulling the cable: its route goes away, the
 * other end loses its carrier, and ping fails both ways. Bringing it up again changes the pair
 * in place (`ip link set dev ns1-veth0 up`): the same interface, nothing is replaced.
 * Try: ip netns exec ns1 ping -c 3 192.0.2.2
 *      ip netns exec ns2 ping -c 3 192.0.2.1
 *      ip netns exec ns1 ip route show                 (only the segment: no default route)
 *      npm run lab -- up two-hosts link=down, ping again, and look at ip link show in both
 *      npm run lab -- up two-hosts link=up               (the plan: one update of ns1-ns2)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { doesNotReach, nodes, reaches, step, type Node } from "./checks";

const LINK = ["up", "down"] as const;
const link = (value: string | undefined) => step("two-hosts", "link", value, LINK);

interface LinkJson { ifname: string; flags: string[] }

/** The flags `ip -j link show` reports for one interface. */
function linkFlags(node: Node, dev: string, expect: string, title: string, ok: (flags: string[]) => boolean): Check {
    return {
        title,
        argv: inNs(node.ns, "ip", "-j", "link", "show", "dev", dev),
        expect,
        ok: (r) => {
            const l = (JSON.parse(r.stdout || "[]") as LinkJson[])[0];
            return r.exitCode === 0 && l !== undefined && ok(l.flags);
        },
    };
}

export const lesson: Lesson = {
    name: "two-hosts",
    summary: "two namespaces on one veth: one segment needs no router; a down link stops ping (seed 000)",

    define({ prefix, config }) {
        const state = link(config.get("link"));

        // ns1
        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        // ns2
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        // The cable: ns1-veth0 in ns1, ns2-veth0 in ns2. `up` is this (ns1) end's admin state,
        // the step of the lesson; it changes in place.
        const pair = new VethPair("ns1-ns2", {
            name: "ns1-veth0", namespace: ns1.name,
            peerName: "ns2-veth0", peerNamespace: ns2.name,
            up: state === "up",
        });

        // ip netns exec ns1 ip address add 192.0.2.1/24 dev ns1-veth0
        new Address("ns1-ip", { namespace: ns1.name, dev: pair.name, address: "192.0.2.1/24" });
        // ip netns exec ns2 ip address add 192.0.2.2/24 dev ns2-veth0
        new Address("ns2-ip", { namespace: ns2.name, dev: pair.peerName, address: "192.0.2.2/24" });

        return {
            namespaces: [ns1.name, ns2.name],
            link: state,
            tryPing: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 192.0.2.2`,
            tryPingBack: pulumi.interpolate`ip netns exec ${ns2.name} ping -c 3 192.0.2.1`,
            tryRoutes: pulumi.interpolate`ip netns exec ${ns1.name} ip route show`,
            tryLinks: pulumi.interpolate`ip netns exec ${ns1.name} ip link show ns1-veth0; ip netns exec ${ns2.name} ip link show ns2-veth0`,
            nextStep: state === "up"
                ? "npm run lab -- up two-hosts link=down   (pull the cable: ping fails both ways)"
                : "npm run lab -- up two-hosts link=up     (plug it back: one in-place update of ns1-ns2)",
        };
    },

    checks(prefix, config) {
        const { ns1, ns2 } = nodes(prefix, ["ns1", "ns2"]);
        if (link(config.link) === "up") {
            return [
                linkFlags(ns1, "ns1-veth0", "flags include UP and LOWER_UP (carrier)", "ns1-veth0 is up, with a carrier", (f) => f.includes("UP") && f.includes("LOWER_UP")),
                reaches(ns1, "192.0.2.2", "ns2", { ttl: 64, why: "same segment, no router (ttl=64: not decremented)" }),
                reaches(ns2, "192.0.2.1", "ns1"),
                {
                    title: "ns1's route table holds only its own segment: no default route, no router",
                    argv: inNs(ns1.ns, "ip", "-j", "route", "show"),
                    expect: "exactly one route: 192.0.2.0/24 dev ns1-veth0, without a gateway",
                    ok: (r) => {
                        const routes = JSON.parse(r.stdout || "[]") as { dst: string; dev?: string; gateway?: string }[];
                        return routes.length === 1 && routes[0]?.dst === "192.0.2.0/24" && routes[0].dev === "ns1-veth0" && routes[0].gateway === undefined;
                    },
                },
            ];
        }
        return [
            linkFlags(ns1, "ns1-veth0", "flags without UP", "ns1-veth0 is administratively down", (f) => !f.includes("UP")),
            linkFlags(ns2, "ns2-veth0", "flags include UP and NO-CARRIER", "ns2-veth0 is up but has no carrier: the other end is down", (f) => f.includes("UP") && f.includes("NO-CARRIER")),
            doesNotReach(ns1, "192.0.2.2", "ns2", "its link is down"),
            doesNotReach(ns2, "192.0.2.1", "ns1", "the cable's other end is down"),
            {
                title: "ns1 has no route to 192.0.2.0/24 any more: a down link takes its routes with it",
                argv: inNs(ns1.ns, "ip", "-j", "route", "show"),
                expect: "no route",
                ok: (r) => r.exitCode === 0 && (JSON.parse(r.stdout || "[]") as unknown[]).length === 0,
            },
        ];
    },
};
