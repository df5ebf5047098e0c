/**
 * Lesson: an IP tunnel between two sites (seed 003, "IPトンネリング": IPデータグラムをIPデータグラムで運ぶ).
 *
 *   site A 192.0.2.0/25                          the "internet" 203.0.113.0/24                        site B 192.0.2.128/25
 *   [hostA] 192.0.2.1 --- 192.0.2.126 [routerA] 203.0.113.1 --- .2 [isp1] .5 --- .6 [isp2] .9 --- 203.0.113.10 [routerB] 192.0.2.254 --- 192.0.2.129 [hostB]
 *                                        vx0 198.51.100.1/30 ==== VXLAN 42, UDP 4789, over the internet ==== 198.51.100.2/30 vx0
 *
 *   routerA: 192.0.2.128/25 via 198.51.100.2 (through vx0)     203.0.113.0/24 via 203.0.113.2
 *   isp1:    203.0.113.8/30 via 203.0.113.6                    isp2: 203.0.113.0/30 via 203.0.113.5   (config ispRoute)
 *   routerB: 192.0.2.0/25 via 198.51.100.1 (through vx0)       203.0.113.0/24 via 203.0.113.9
 *
 * The two sites' networks are private: the internet's routers (isp1, isp2) know routes to the
 * routers' public addresses only, never to 192.0.2.0/24, and drop a packet for a site. The site
 * routers wrap every packet from one site to the other in a packet of their own, from 203.0.113.1
 * to 203.0.113.10, which the internet does carry: a tunnel (トンネリング). For the sites the tunnel
 * is one link: traceroute from hostA to hostB lists three hops (routerA, routerB's tunnel end,
 * hostB) while the packets inside cross three underlay hops (isp1, isp2, routerB). The wrapping
 * costs bytes (MTUが欠ける): VXLAN adds 50 (outer IPv4 20, UDP 8, VXLAN 8, the inner Ethernet
 * header 14), so over a 1500 underlay the tunnel carries 1450 and tracepath reports pmtu 1450.
 * On the underlay, tcpdump sees UDP to port 4789 and, inside, the ICMP of the two hosts.
 * IP-in-IP (protocol 4) is the simplest tunnel: 20 bytes, an IPv4 header in front of the packet;
 * this lesson uses VXLAN because the kernel it is tested on has no ipip or gre (docs/lessons/ip-tunnel.md).
 *
 * The step ispRoute=off removes isp2's route back to routerA's network: no route inside either
 * site changes, yet the tunnel breaks (経路制御は本来の実際のネットワークの経路制御に大きく依存):
 * the requests still arrive at hostB, the replies' outer packets die at isp2.
 * Try: ip netns exec hostA traceroute -n 192.0.2.129                (192.0.2.126, 198.51.100.2, 192.0.2.129)
 *      ip netns exec routerA traceroute -n 203.0.113.10             (the underlay: 203.0.113.2, 203.0.113.6, 203.0.113.10)
 *      ip netns exec hostA tracepath -n 192.0.2.129                 (pmtu 1450)
 *      npm run lab -- capture ip-tunnel isp1 isp1-veth1 udp port 4789   (then ping hostB from hostA: outer UDP, inner ICMP)
 *      ip netns exec isp1 ip route get 192.0.2.129                  (Network is unreachable: the internet knows no site)
 *      npm run lab -- up ip-tunnel ispRoute=off                     (the plan: one route deleted; hostA no longer reaches hostB)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, Tunnel, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { doesNotReach, nodes, reaches, seenOnTheWire, step, sysctlIs, tracePath, type Node } from "./checks";

const ISP_ROUTE = ["on", "off"] as const;
const ispRoute = (value: string | undefined) => step("ip-tunnel", "ispRoute", value, ISP_ROUTE);

export const VNI = 42;
export const VXLAN_PORT = 4789;
export const UNDERLAY_MTU = 1500;
/** What VXLAN over IPv4 leaves of the underlay's MTU: outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14. */
export const TUNNEL_MTU = UNDERLAY_MTU - 50;
const HOST_A = "192.0.2.1";
const HOST_B = "192.0.2.129";
const ROUTER_A = "203.0.113.1";
const ROUTER_B = "203.0.113.10";

/** `ip route get ADDRESS` in a namespace. */
function routeGet(node: Node, address: string, expect: string, ok: (r: { exitCode: number; stdout: string; stderr: string }) => boolean, why: string): Check {
    return { title: `${node.label}: ip route get ${address}: ${why}`, argv: inNs(node.ns, "ip", "route", "get", address), expect, ok, independent: true };
}

/** tracepath from hostA to hostB: the path MTU the encapsulation leaves. */
function tracepath(hostA: Node): Check {
    return {
        title: `tracepath from hostA to ${HOST_B} reports pmtu ${TUNNEL_MTU}: the tunnel takes 50 bytes of the underlay's ${UNDERLAY_MTU}`,
        before: [inNs(hostA.ns, "ip", "route", "flush", "cache")],
        argv: inNs(hostA.ns, "tracepath", "-n", "-m", "6", HOST_B),
        expect: `"Resume: pmtu ${TUNNEL_MTU} hops 3", the target reached`,
        ok: (r) => r.exitCode === 0 && new RegExp(`Resume: pmtu ${TUNNEL_MTU} hops 3\\b`).test(r.stdout) && / reached$/m.test(r.stdout),
        evidence: (r) => r.stdout.split("\n").filter((l) => /pmtu|reached/.test(l)).map((l) => l.trim()),
    };
}

const outer = (from: string, to: string) => new RegExp(`^IP ${from.replace(/\./g, "\\.")}\\.\\d+ > ${to.replace(/\./g, "\\.")}\\.${VXLAN_PORT}: VXLAN, flags \\[I\\] \\(0x08\\), vni ${VNI}$`);
/** UDP to the VXLAN port whose inner frame is IPv4 (ethertype at UDP offset 8+8+12) carrying ICMP (protocol at 8+8+14+9). */
const VXLAN_ICMP = ["udp", "dst", "port", String(VXLAN_PORT), "and", "udp[28:2]", "=", "0x0800", "and", "udp[39]", "=", "1"];

export const lesson: Lesson = {
    name: "ip-tunnel",
    summary: "two private sites joined by a VXLAN tunnel across an internet that knows no route to them: one hop, pmtu 1450, UDP 4789 on the wire (seed 003)",

    define({ prefix, config }) {
        const route = ispRoute(config.get("ispRoute"));
        const ns = (n: string) => new Namespace(n, { name: `${prefix}${n}` });
        const hostA = ns("hostA");
        const routerA = ns("routerA");
        const isp1 = ns("isp1");
        const isp2 = ns("isp2");
        const routerB = ns("routerB");
        const hostB = ns("hostB");

        // The cables, left to right.
        const lanA = new VethPair("hostA-routerA", { name: "hostA-veth0", namespace: hostA.name, peerName: "gwA-lan", peerNamespace: routerA.name });
        const wanA = new VethPair("routerA-isp1", { name: "gwA-wan", namespace: routerA.name, peerName: "isp1-veth0", peerNamespace: isp1.name });
        const core = new VethPair("isp1-isp2", { name: "isp1-veth1", namespace: isp1.name, peerName: "isp2-veth0", peerNamespace: isp2.name });
        const wanB = new VethPair("isp2-routerB", { name: "isp2-veth1", namespace: isp2.name, peerName: "gwB-wan", peerNamespace: routerB.name });
        const lanB = new VethPair("routerB-hostB", { name: "gwB-lan", namespace: routerB.name, peerName: "hostB-veth0", peerNamespace: hostB.name });

        // hostA: 192.0.2.1/25, default via routerA.
        const hostAIp = new Address("hostA-ip", { namespace: hostA.name, dev: lanA.name, address: "192.0.2.1/25" });
        new Route("hostA-default", { namespace: hostA.name, to: "default", via: "192.0.2.126" }, { dependsOn: [hostAIp] });

        // routerA: site A's router, 203.0.113.1 on the internet, one end of the tunnel.
        new Address("gwA-lan-ip", { namespace: routerA.name, dev: lanA.peerName, address: "192.0.2.126/25" });
        const gwAWanIp = new Address("gwA-wan-ip", { namespace: routerA.name, dev: wanA.name, address: "203.0.113.1/30" });
        new Route("routerA-internet", { namespace: routerA.name, to: "203.0.113.0/24", via: "203.0.113.2" }, { dependsOn: [gwAWanIp] });
        new Sysctl("routerA-forward", { namespace: routerA.name, key: "net.ipv4.ip_forward", value: "1" });
        new Tunnel("routerA-tunnel", {
            name: "vx0", namespace: routerA.name, type: "vxlan", vni: VNI, dstport: VXLAN_PORT, dev: wanA.name, local: ROUTER_A, remote: ROUTER_B,
            addresses: ["198.51.100.1/30"], routes: [{ to: "192.0.2.128/25", via: "198.51.100.2" }],
        }, { dependsOn: [gwAWanIp] });

        // isp1, isp2: the internet. Routes to the routers' public /30s only, none to either site.
        new Address("isp1-veth0-ip", { namespace: isp1.name, dev: wanA.peerName, address: "203.0.113.2/30" });
        const isp1CoreIp = new Address("isp1-veth1-ip", { namespace: isp1.name, dev: core.name, address: "203.0.113.5/30" });
        new Route("isp1-onward", { namespace: isp1.name, to: "203.0.113.8/30", via: "203.0.113.6" }, { dependsOn: [isp1CoreIp] });
        new Sysctl("isp1-forward", { namespace: isp1.name, key: "net.ipv4.ip_forward", value: "1" });
        const isp2CoreIp = new Address("isp2-veth0-ip", { namespace: isp2.name, dev: core.peerName, address: "203.0.113.6/30" });
        new Address("isp2-veth1-ip", { namespace: isp2.name, dev: wanB.name, address: "203.0.113.9/30" });
        new Sysctl("isp2-forward", { namespace: isp2.name, key: "net.ipv4.ip_forward", value: "1" });
        // The step: the underlay route back to routerA's network.
        if (route === "on") new Route("isp2-back", { namespace: isp2.name, to: "203.0.113.0/30", via: "203.0.113.5" }, { dependsOn: [isp2CoreIp] });

        // routerB: site B's router, 203.0.113.10 on the internet, the other end of the tunnel.
        const gwBWanIp = new Address("gwB-wan-ip", { namespace: routerB.name, dev: wanB.peerName, address: "203.0.113.10/30" });
        new Address("gwB-lan-ip", { namespace: routerB.name, dev: lanB.name, address: "192.0.2.254/25" });
        new Route("routerB-internet", { namespace: routerB.name, to: "203.0.113.0/24", via: "203.0.113.9" }, { dependsOn: [gwBWanIp] });
        new Sysctl("routerB-forward", { namespace: routerB.name, key: "net.ipv4.ip_forward", value: "1" });
        new Tunnel("routerB-tunnel", {
            name: "vx0", namespace: routerB.name, type: "vxlan", vni: VNI, dstport: VXLAN_PORT, dev: wanB.peerName, local: ROUTER_B, remote: ROUTER_A,
            addresses: ["198.51.100.2/30"], routes: [{ to: "192.0.2.0/25", via: "198.51.100.1" }],
        }, { dependsOn: [gwBWanIp] });

        // hostB: 192.0.2.129/25, default via routerB.
        const hostBIp = new Address("hostB-ip", { namespace: hostB.name, dev: lanB.peerName, address: "192.0.2.129/25" });
        new Route("hostB-default", { namespace: hostB.name, to: "default", via: "192.0.2.254" }, { dependsOn: [hostBIp] });

        return {
            namespaces: [hostA.name, routerA.name, isp1.name, isp2.name, routerB.name, hostB.name],
            ispRoute: route,
            tryPing: pulumi.interpolate`ip netns exec ${hostA.name} ping -c 3 ${HOST_B}`,
            tryTraceroute: pulumi.interpolate`ip netns exec ${hostA.name} traceroute -n ${HOST_B}   (three hops: the tunnel is one)`,
            tryUnderlay: pulumi.interpolate`ip netns exec ${routerA.name} traceroute -n ${ROUTER_B}   (three hops of the internet)`,
            tryTracepath: pulumi.interpolate`ip netns exec ${hostA.name} tracepath -n ${HOST_B}   (pmtu ${TUNNEL_MTU})`,
            tryCapture: `npm run lab -- capture ip-tunnel isp1 isp1-veth1 udp port ${VXLAN_PORT}   (then ping hostB from hostA)`,
            tryTunnel: pulumi.interpolate`ip -n ${routerA.name} -d link show vx0`,
            nextStep: route === "on"
                ? "npm run lab -- up ip-tunnel ispRoute=off   (one underlay route deleted: the tunnel breaks, no inner route changed)"
                : "npm run lab -- up ip-tunnel ispRoute=on    (the route created again: the tunnel carries again)",
        };
    },

    checks(prefix, config) {
        const { hostA, routerA, isp1, isp2, routerB, hostB } = nodes(prefix, ["hostA", "routerA", "isp1", "isp2", "routerB", "hostB"]);
        const common: Check[] = [
            sysctlIs(routerA, "net.ipv4.ip_forward", "1", "routerA forwards"),
            sysctlIs(routerB, "net.ipv4.ip_forward", "1", "routerB forwards"),
            {
                title: `routerA's vx0 is a VXLAN (vni ${VNI}, port ${VXLAN_PORT}) over gwA-wan, MTU ${TUNNEL_MTU}: the underlay's ${UNDERLAY_MTU} minus 50`,
                argv: inNs(routerA.ns, "ip", "-j", "-d", "link", "show", "dev", "vx0"),
                expect: `vxlan, id ${VNI}, remote ${ROUTER_B}, port ${VXLAN_PORT}, mtu ${TUNNEL_MTU}`,
                ok: (r) => {
                    if (r.exitCode !== 0) return false;
                    const l = (JSON.parse(r.stdout) as { mtu: number; linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; port?: number } } }[])[0];
                    const d = l?.linkinfo?.info_data;
                    return l?.linkinfo?.info_kind === "vxlan" && d?.id === VNI && d.remote === ROUTER_B && d.port === VXLAN_PORT && l.mtu === TUNNEL_MTU;
                },
                evidence: (r) => [r.stdout.replace(/\s+/g, " ").slice(0, 160)],
                independent: true,
            },
            reaches(hostA, "192.0.2.126", "routerA", { why: "same site" }),
            reaches(routerA, "203.0.113.2", "isp1", { why: "same underlay segment" }),
            reaches(hostB, "192.0.2.254", "routerB", { why: "same site" }),
            routeGet(isp1, HOST_B, 'non-zero exit, "Network is unreachable"', (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr),
                "the internet knows no route to a site"),
            routeGet(isp2, HOST_A, 'non-zero exit, "Network is unreachable"', (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr),
                "the internet knows no route to a site"),
            routeGet(routerA, HOST_B, `exit 0, "${HOST_B} via 198.51.100.2 dev vx0"`, (r) => r.exitCode === 0 && new RegExp(`^${HOST_B.replace(/\./g, "\\.")} via 198\\.51\\.100\\.2 dev vx0 `).test(r.stdout),
                "site B is through the tunnel, in every step"),
        ];
        if (ispRoute(config.ispRoute) === "on") {
            return [
                ...common,
                reaches(routerA, "198.51.100.2", "routerB's tunnel end", { why: "across the tunnel" }),
                reaches(hostA, HOST_B, "hostB", { ttl: 62, why: "through the tunnel (ttl=62: two routers, the internet's are not counted)" }),
                reaches(hostB, HOST_A, "hostA", { ttl: 62, why: "through the tunnel back" }),
                tracePath(hostA, HOST_B, ["192.0.2.126", "198.51.100.2", HOST_B]),
                tracePath(routerA, ROUTER_B, ["203.0.113.2", "203.0.113.6", ROUTER_B]),
                tracepath(hostA),
                seenOnTheWire(isp1, hostA, HOST_B, [
                    outer(ROUTER_A, ROUTER_B), `IP ${HOST_A} > ${HOST_B}: ICMP echo request`,
                    outer(ROUTER_B, ROUTER_A), `IP ${HOST_B} > ${HOST_A}: ICMP echo reply`,
                ], `outer UDP to port ${VXLAN_PORT} between the routers, the hosts' ICMP inside`, { iface: "isp1-veth1", filter: VXLAN_ICMP }),
            ];
        }
        return [
            ...common,
            routeGet(isp2, ROUTER_A, 'non-zero exit, "Network is unreachable"', (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr),
                "isp2 lost its route back to routerA"),
            doesNotReach(hostA, HOST_B, "hostB", "the tunnel's outer packets from routerB die at isp2"),
            seenOnTheWire(isp1, hostA, HOST_B, [outer(ROUTER_A, ROUTER_B), `IP ${HOST_A} > ${HOST_B}: ICMP echo request`],
                "the request still crosses the internet; no reply comes back", { iface: "isp1-veth1", filter: VXLAN_ICMP, replies: false }),
        ];
    },
};
