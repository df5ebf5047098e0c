/**
 * Lesson: TTL and traceroute through a chain of routers (seed 000, "通信経路の確認 trace route";
 * seed 002, "時間経過" and "Traceroute"). The chain's length is config `hops` (1 to 8, default 3):
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 --- 192.0.2.254/24 gw1-veth0 [router1] gw1-veth1 203.0.113.1/30 ---
 *         default via 192.0.2.254                           default via 203.0.113.2
 *     --- 203.0.113.2/30 gw2-veth0 [router2] gw2-veth1 203.0.113.5/30 ---
 *           192.0.2.0/24 via 203.0.113.1, default via 203.0.113.6
 *     --- 203.0.113.6/30 gw3-veth0 [router3] gw3-lan 198.51.100.254/24 (MAC 02:00:00:00:00:fe) ---
 *           192.0.2.0/24 via 203.0.113.5
 *     --- sw-gw3 [switch: bridge br0] sw-ns2 --- ns2-veth0 198.51.100.1/24 [ns2]
 *                                                default via 198.51.100.254
 *
 *   router i and router i+1 share 203.0.113.(4i-4)/30: .(4i-3) is router i's, .(4i-2) router i+1's
 *   (router1-router2 is the seed's 203.0.113.1 and .2). Every router forwards, sends what it does
 *   not know to the next router (default) and ns1's segment back to the previous one.
 *
 * Every IP packet carries a TTL (Time to Live): the sender sets it (64 on Linux) and every router
 * that forwards the packet lowers it by one (seed 000 says it grows by one per router; it shrinks,
 * as the checks show). A router that lowers it to 0 drops the packet and tells the sender with ICMP
 * Time Exceeded (type 11, code 0: seed 002's 時間経過), from its own address. So ns2's replies,
 * sent with 64, reach ns1 with 64 minus the routers (61 for three); `ping -t K` runs out at router
 * K; and traceroute sends probes with TTL 1, 2, 3, ... and lists who answered each: every router
 * in order, then the target (which answers the probe itself). The switch does not count: it
 * forwards frames, not IP packets, and leaves the TTL alone.
 *
 * Why a switch in front of ns2: a chain of cables cannot take one more router without unplugging
 * one cable. Here the target keeps its segment, its address and its route; the router that was
 * last unplugs from the switch (its cable to the switch and its address 198.51.100.254 go) and
 * the new router plugs in with the same gateway address and the same MAC, so ns2's ARP entry for
 * its gateway stays right (VRRP moves a gateway between routers the same way). So hops=4 from 3
 * creates router4, its cables, addresses, routes and forwarding, plus router3's route onward, and
 * deletes exactly router3's cable to the switch and the address on it: no update, no replacement.
 * The routers forward with default routes: router3's new default route cannot collide with the
 * segment 198.51.100.0/24 that it still holds until its cable goes.
 *
 * Try: ip netns exec ns1 traceroute -n 198.51.100.1     (192.0.2.254, 203.0.113.2, 203.0.113.6, 198.51.100.1)
 *      ip netns exec ns1 ping -c 3 198.51.100.1          (ttl=61: 64 minus three routers)
 *      ip netns exec ns1 ping -c 1 -t 2 198.51.100.1     ("From 203.0.113.2 icmp_seq=1 Time to live exceeded")
 *      ip netns exec router2 tcpdump -tn -i any icmp     (in another shell, then traceroute again)
 *      npm run lab -- up ttl-traceroute hops=4           (the plan: router4 created, router3 unplugged from the switch)
 * A router sends ICMP errors to one destination about once a second after a burst of 6: traceroute
 * run in a tight loop shows `*` for the routers.
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Bridge, Namespace, Route, Sysctl, VethPair } from "../provider";
import { ping, type Check, type Lesson } from "./lesson";
import { icmpErrorFrom, nodes, numberStep, reaches, sysctlIs, tracePath, type Node } from "./checks";

const hopsOf = (value: string | undefined) => numberStep("ttl-traceroute", "hops", value, { min: 1, max: 8, fallback: 3 });

const TARGET = "198.51.100.1";
/** The MAC of whichever router is ns2's gateway: the same for each, so ns2's ARP entry stays right. */
export const GATEWAY_MAC = "02:00:00:00:00:fe";

/** The two ends of the segment between router i and router i+1: 203.0.113.(4i-3) and .(4i-2), a /30. */
export function link(i: number): { up: string; down: string } {
    const base = 4 * (i - 1);
    return { up: `203.0.113.${base + 1}`, down: `203.0.113.${base + 2}` };
}

/** The address router k answers ns1 from: its address on the segment toward ns1. */
export function routerAddress(k: number): string {
    return k === 1 ? "192.0.2.254" : link(k - 1).down;
}

/** What traceroute from ns1 to ns2 lists with `hops` routers: each router in order, then ns2. */
export function path(hops: number): string[] {
    return [...Array.from({ length: hops }, (_, i) => routerAddress(i + 1)), TARGET];
}

const routerNames = (hops: number) => Array.from({ length: hops }, (_, i) => `router${i + 1}`);

export const lesson: Lesson = {
    name: "ttl-traceroute",
    summary: "a chain of routers (config hops, 1-8): TTL 64 minus the routers, Time Exceeded from router K, traceroute lists each (seeds 000, 002)",

    define({ prefix, config }) {
        const hops = hopsOf(config.get("hops"));

        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const routers = routerNames(hops).map((r) => new Namespace(r, { name: `${prefix}${r}` }));
        const sw = new Namespace("switch", { name: `${prefix}switch` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });
        const router = (i: number) => routers[i - 1]!;

        // ns1: 192.0.2.1/24 on its cable to router1, everything else through router1.
        const ns1Cable = new VethPair("ns1-router1", { name: "ns1-veth0", namespace: ns1.name, peerName: "gw1-veth0", peerNamespace: router(1).name });
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });
        new Address("gw1-veth0-ip", { namespace: router(1).name, dev: ns1Cable.peerName, address: "192.0.2.254/24" });

        // Each router forwards; router i and router i+1 share a /30; onward by default, back to ns1's segment by a static route.
        for (let i = 1; i <= hops; i++) {
            new Sysctl(`router${i}-forward`, { namespace: router(i).name, key: "net.ipv4.ip_forward", value: "1" });
            if (i === hops) break;
            const { up, down } = link(i);
            const cable = new VethPair(`router${i}-router${i + 1}`, { name: `gw${i}-veth1`, namespace: router(i).name, peerName: `gw${i + 1}-veth0`, peerNamespace: router(i + 1).name });
            const upIp = new Address(`gw${i}-veth1-ip`, { namespace: router(i).name, dev: cable.name, address: `${up}/30` });
            const downIp = new Address(`gw${i + 1}-veth0-ip`, { namespace: router(i + 1).name, dev: cable.peerName, address: `${down}/30` });
            new Route(`router${i}-onward`, { namespace: router(i).name, to: "default", via: down }, { dependsOn: [upIp] });
            new Route(`router${i + 1}-back`, { namespace: router(i + 1).name, to: "192.0.2.0/24", via: up }, { dependsOn: [downIp] });
        }

        // The target's segment is a switch: the last router plugs into it with the gateway address and MAC.
        const br0 = new Bridge("switch-br0", { namespace: sw.name, name: "br0" });
        const lastCable = new VethPair(`router${hops}-switch`, {
            name: `gw${hops}-lan`, namespace: router(hops).name, address: GATEWAY_MAC,
            peerName: `sw-gw${hops}`, peerNamespace: sw.name, peerMaster: br0.name,
        });
        new Address(`gw${hops}-lan-ip`, { namespace: router(hops).name, dev: lastCable.name, address: "198.51.100.254/24" });

        // ns2, the target: 198.51.100.1/24 on the switch, everything else through 198.51.100.254.
        const ns2Cable = new VethPair("ns2-switch", { name: "ns2-veth0", namespace: ns2.name, peerName: "sw-ns2", peerNamespace: sw.name, peerMaster: br0.name });
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.name, address: "198.51.100.1/24" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "198.51.100.254" }, { dependsOn: [ns2Ip] });

        const middle = Math.min(2, hops);
        return {
            namespaces: [ns1.name, ...routers.map((r) => r.name), sw.name, ns2.name],
            hops,
            path: path(hops),
            replyTtl: 64 - hops,
            tryTraceroute: pulumi.interpolate`ip netns exec ${ns1.name} traceroute -n ${TARGET}`,
            tryPing: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 3 ${TARGET}   (ttl=${64 - hops}: 64 minus ${hops} router${hops === 1 ? "" : "s"})`,
            tryTimeExceeded: pulumi.interpolate`ip netns exec ${ns1.name} ping -c 1 -t ${middle} ${TARGET}   ("From ${routerAddress(middle)} icmp_seq=1 Time to live exceeded")`,
            tryCapture: pulumi.interpolate`ip netns exec ${router(middle).name} tcpdump -tn -i any icmp   (then traceroute again in another shell)`,
            nextStep: hops < 8
                ? `npm run lab -- up ttl-traceroute hops=${hops + 1}   (one more router: created, and router${hops} unplugged from the switch)`
                : "npm run lab -- up ttl-traceroute hops=3   (back to three routers)",
        };
    },

    checks(prefix, config) {
        const hops = hopsOf(config.hops);
        const routerLabels = routerNames(hops);
        const n = nodes(prefix, ["ns1", "ns2", ...routerLabels]) as Record<string, Node>;
        const ns1 = n.ns1!;
        const plural = hops === 1 ? "router" : "routers";
        const checks: Check[] = [
            ...routerLabels.map((r) => sysctlIs(n[r]!, "net.ipv4.ip_forward", "1", `${r} forwards`)),
            reaches(ns1, TARGET, "ns2", { ttl: 64 - hops, why: `through ${hops} ${plural}: ttl=${64 - hops}, 64 lowered by one at each` }),
            reaches(n.ns2!, "192.0.2.1", "ns1", { ttl: 64 - hops, why: `the way back, through the same ${hops} ${plural}` }),
            tracePath(ns1, TARGET, path(hops)),
        ];
        for (let k = 1; k <= hops; k++) {
            checks.push(icmpErrorFrom(ns1, TARGET, ["-t", String(k)], { label: `router${k}`, address: routerAddress(k) }, "Time to live exceeded",
                `the TTL of ${k} runs out at router ${k} (Time Exceeded)`));
        }
        checks.push(ttlJustEnough(ns1, hops));
        return checks;
    },
};

/** With a TTL of routers + 1 the request arrives with 1 left: ns2 answers. */
function ttlJustEnough(ns1: Node, hops: number): Check {
    return {
        title: `ns1 -> ${TARGET} (ping -t ${hops + 1}): the request arrives with a TTL of 1 and ns2 answers`,
        argv: ping(ns1.ns, TARGET, ["-t", String(hops + 1)]),
        expect: `exit 0, replies with ttl=${64 - hops} (the reply starts again from 64)`,
        ok: (r) => r.exitCode === 0 && /^\d+ bytes from 198\.51\.100\.1: .*\bttl=(\d+)\b/m.exec(r.stdout)?.[1] === String(64 - hops),
        evidence: (r) => r.stdout.split("\n").filter((l) => /^\d+ bytes from /.test(l)),
    };
}
