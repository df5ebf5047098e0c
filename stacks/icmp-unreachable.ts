/**
 * Lesson: ICMP destination unreachable, its three common causes (seed 002, "宛先到達不可",
 * "ネットワーク・ホスト到達不可", "プロトコル・ポート到達不可").
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 --- 192.0.2.254/24 gw-veth0 [router] gw-veth1 198.51.100.254/24 --- 198.51.100.1/24 ns2-veth0 [ns2]
 *         default via 192.0.2.254          ip_forward=1, icmp_ratelimit=0                  icmp_ratelimit=0, nothing listens on UDP 12345
 *
 *   203.0.113.1    a network the router has no route for          -> net unreachable  (type 3 code 0) from 192.0.2.254
 *   198.51.100.99  on the router's own segment, but nobody there  -> host unreachable (type 3 code 1) from 192.0.2.254, after ARP gives up
 *   198.51.100.1   ns2 itself, UDP to a port nobody listens on    -> port unreachable (type 3 code 3) from 198.51.100.1
 *
 * IP delivers a datagram or drops it, and says nothing; ICMP is how a node tells the sender why
 * (seed 002). Type 3, destination unreachable, means that trying again will not help, and its
 * code says where it failed. A router with no route for the destination answers "net
 * unreachable" (code 0), as router1 did in the two-routers lesson. A destination on a segment the
 * router is on, whose owner does not answer ARP, gets "host unreachable" (code 1): the router
 * asks three times, a second apart (net.ipv4.neigh.*.mcast_solicit=3, retrans_time 1 s), then
 * gives up, marks the neighbour FAILED and answers for every datagram it was holding. The host
 * itself, reached, answers "port unreachable" (code 3) for a UDP datagram to a port where no
 * socket listens; that is how traceroute knows it has arrived (its last line), and what a UDP
 * sender sees as "connection refused" (the udp-socket lesson). Each error carries the IP header
 * and the first 8 bytes of the datagram it is about, so the sender can tell which one failed.
 * Each check reads the type and code from what ping and traceroute print: ping prints one fixed
 * text per type and code ("Destination Host Unreachable" is type 3 code 1, stacks/icmp.ts), and
 * traceroute ends on a line without a "!" mark only for port unreachable from the target (!N,
 * !H, !P and the others mark the other codes).
 * Rate limits: a Linux node sends ICMP errors to one destination in a burst of 6, then one a
 * second (net.ipv4.icmp_ratelimit=1000 ms, per namespace; types 3, 4, 11 and 12 by
 * icmp_ratemask). The checks send about four errors to ns1 each run: run twice in a row, the
 * second run's would go missing. So the lesson sets icmp_ratelimit=0 in the two namespaces that
 * answer (router, ns2): every host unreachable, time exceeded and port unreachable is sent.
 * Net unreachable has an allowance of its own besides: a failed route lookup is answered at
 * most once a second per source after a burst of 5 (net.ipv4.route.error_cost and error_burst:
 * host-wide settings, which a namespace cannot change and this lesson leaves alone), and on this
 * kernel (6.18) any other ICMP error to that source empties it while icmp_ratelimit is 0 (found
 * by running the checks twice: the second net unreachable never came). So that check sends two
 * echoes 1.2 s apart and wants an answer to at least one. (Real routers limit ICMP too: `*` in
 * a traceroute is often that.)
 * Try: ip netns exec ns1 ping -c 3 203.0.113.1                     ("From 192.0.2.254 icmp_seq=1 Destination Net Unreachable")
 *      ip netns exec ns1 ping -c 3 198.51.100.99                   (3 s of silence, then "Destination Host Unreachable")
 *      ip netns exec router ip neigh show                          (198.51.100.99 FAILED: nobody answered ARP)
 *      ip netns exec ns1 traceroute -n -U -p 12345 198.51.100.1    (last line: ns2, port unreachable)
 *      ip netns exec ns1 tcpdump -n -v -i ns1-veth0 icmp           (then any of the above: the type, the code, the original header)
 *      ip netns exec ns1 ping -c 20 -i 0.01 -t 1 198.51.100.1      (20 "Time to live exceeded"; set icmp_ratelimit=1000 in router: 6)
 *      ip netns exec ns1 ping -c 20 -i 0.01 203.0.113.1            (5 "Destination Net Unreachable": the allowance of its own)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { nodes, reaches, sysctlIs } from "./checks";
import { icmpError } from "./icmp";

/** Where each unreachable case is sent, and the UDP port nobody listens on (the udp-socket lesson's port). */
export const TARGETS = { net: "203.0.113.1", host: "198.51.100.99", port: "198.51.100.1", udpPort: 12345 } as const;

/**
 * traceroute -U to a closed port ends with the target: each hop one line, the target's without
 * a "!" mark (that is ICMP type 3 code 3 from the target itself; other codes are marked).
 */
export function portUnreachableHops(stdout: string): { hops: string[]; marked: boolean } {
    const lines = stdout.split("\n").filter((l) => /^\s*\d+\s+/.test(l));
    return { hops: lines.map((l) => /^\s*\d+\s+(\S+)/.exec(l)![1]!), marked: lines.some((l) => /\s!\S*/.test(l)) };
}

export const lesson: Lesson = {
    name: "icmp-unreachable",
    summary: "ICMP destination unreachable: net (no route), host (no ARP answer), port (closed UDP port), each type and code (seed 002)",

    define({ prefix }) {
        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const router = new Namespace("router", { name: `${prefix}router` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        const ns1Cable = new VethPair("ns1-router", { name: "ns1-veth0", namespace: ns1.name, peerName: "gw-veth0", peerNamespace: router.name });
        const ns2Cable = new VethPair("ns2-router", { name: "ns2-veth0", namespace: ns2.name, peerName: "gw-veth1", peerNamespace: router.name });

        // ns1: the sender of every probe.
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });

        // router: its two segments and no other route (no 203.0.113.0/24); forwarding; every error sent.
        new Address("gw-veth0-ip", { namespace: router.name, dev: ns1Cable.peerName, address: "192.0.2.254/24" });
        new Address("gw-veth1-ip", { namespace: router.name, dev: ns2Cable.peerName, address: "198.51.100.254/24" });
        new Sysctl("router-forward", { namespace: router.name, key: "net.ipv4.ip_forward", value: "1" });
        new Sysctl("router-icmp-ratelimit", { namespace: router.name, key: "net.ipv4.icmp_ratelimit", value: "0" });

        // ns2: the target; no program listens on it; every port unreachable sent.
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.name, address: "198.51.100.1/24" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "198.51.100.254" }, { dependsOn: [ns2Ip] });
        new Sysctl("ns2-icmp-ratelimit", { namespace: ns2.name, key: "net.ipv4.icmp_ratelimit", value: "0" });

        return {
            namespaces: [ns1.name, router.name, ns2.name],
            tryNetUnreachable: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 ${TARGETS.net}`,
            tryHostUnreachable: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 ${TARGETS.host}`,
            tryRouterNeighbours: pulumi.interpolate`ip netns exec ${router.name} ip neigh show`,
            tryPortUnreachable: pulumi.interpolate`ip netns exec ${ns1.name} traceroute -n -U -p ${TARGETS.udpPort} ${TARGETS.port}`,
            tryRouterRoutes: pulumi.interpolate`ip netns exec ${router.name} ip route show`,
            tryCapture: pulumi.interpolate`ip netns exec ${ns1.name} tcpdump -n -v -i ns1-veth0 icmp   (then any of the tries above, in another shell)`,
            tryRateLimit: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 20 -i 0.01 -t 1 ${TARGETS.port}   (20 time exceeded; then ip netns exec ${router.name} sysctl -w net.ipv4.icmp_ratelimit=1000, and again: 6; pulumi up puts it back)`,
        };
    },

    checks(prefix) {
        const { ns1, router, ns2 } = nodes(prefix, ["ns1", "router", "ns2"]);
        const gw = { label: "router", address: "192.0.2.254" };
        const tracerouteArgv = inNs(ns1.ns, "traceroute", "-n", "-U", "-p", String(TARGETS.udpPort), "-N", "1", "-q", "1", "-w", "2", "-m", "4", TARGETS.port);
        const portCheck: Check = {
            title: `traceroute -U from ns1 to ${TARGETS.port} port ${TARGETS.udpPort}: router (type 11, time exceeded), then ns2 itself, ICMP type 3 code 3, port unreachable: nothing listens there`,
            argv: tracerouteArgv,
            expect: `exit 0; hops 1 192.0.2.254, 2 ${TARGETS.port}; no "!" mark (the last line is the target's port unreachable)`,
            ok: (r) => {
                const { hops, marked } = portUnreachableHops(r.stdout);
                return r.exitCode === 0 && hops.join(" ") === `192.0.2.254 ${TARGETS.port}` && !marked;
            },
        };
        return [
            sysctlIs(router, "net.ipv4.icmp_ratelimit", "0", "the router sends every ICMP error (no burst of 6 then 1/s)"),
            sysctlIs(ns2, "net.ipv4.icmp_ratelimit", "0", "ns2 sends every port unreachable"),
            reaches(ns1, "198.51.100.1", "ns2", { ttl: 63, why: "the path works: what fails below is the destination" }),
            {
                title: `router: ip route get ${TARGETS.net}: no route for it`,
                argv: inNs(router.ns, "ip", "route", "get", TARGETS.net),
                expect: 'non-zero exit, "Network is unreachable"',
                ok: (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr),
            },
            // Two echoes 1.2 s apart: the router's allowance for net unreachable (1 a second per
            // source, host-wide) may have been spent by the errors of the checks just before.
            icmpError(ns1, TARGETS.net, gw, "Destination Net Unreachable", { echoes: 2, interval: 1.2, waitSeconds: 1, why: "the router has no route" }),
            icmpError(ns1, TARGETS.host, gw, "Destination Host Unreachable", { waitSeconds: 6, why: "nobody answers the router's ARP (it gives up after 3 tries, 1 s apart)" }),
            {
                title: `router: the neighbour ${TARGETS.host} is FAILED: ARP got no answer`,
                argv: inNs(router.ns, "ip", "-j", "neigh", "show", TARGETS.host),
                expect: `one entry ${TARGETS.host} dev gw-veth1, state FAILED, no lladdr`,
                ok: (r) => {
                    const e = (JSON.parse(r.stdout || "[]") as { dst: string; dev?: string; lladdr?: string; state?: string[] }[]).find((n) => n.dst === TARGETS.host);
                    return r.exitCode === 0 && e?.dev === "gw-veth1" && e.lladdr === undefined && (e.state ?? []).includes("FAILED");
                },
            },
            portCheck,
        ];
    },
};
