/**
 * Lesson: path MTU and fragmentation (seed 003, "Fragmentation & Reassemble"; seed 002,
 * "フラグメント失敗/Path MTU Discovery"). The MTUs are the seed's: host A on 1500, a middle link
 * of 500 (config `middleMtu`: 500, or 1492 as in seed 002's wireless link), host B on 4000.
 *
 *   [hostA] hostA-veth0 192.0.2.1/24 === MTU 1500 === 192.0.2.254/24 gw1-veth0 [gateway1] gw1-veth1 203.0.113.1/24 ---
 *           default via 192.0.2.254                            198.51.100.0/24 via 203.0.113.2
 *
 *     --- MTU 500 --- 203.0.113.2/24 gw2-veth0 [gateway2] gw2-veth1 198.51.100.254/24 === MTU 4000 === 198.51.100.1/24 hostB-veth0 [hostB]
 *                       192.0.2.0/24 via 203.0.113.1                                                 default via 198.51.100.254
 *
 * Every link has an MTU, the largest IP datagram its frames carry. A datagram too large for the
 * next link is cut into fragments there (IPv4 lets routers do it), and only the final receiver
 * puts them back together. The seed's example, a datagram of 2000 bytes of data from A to B:
 * A cuts it to fit 1500 (H+1480, H+520), gateway1 cuts those to fit 500 (H+480 three times and
 * H+40, then H+480 and H+40: six fragments), B reassembles the six (stacks/fragments.ts works it
 * out; the check reads the kernel's counters with nstat: 2 made at A, 6 at gateway1, 1 datagram
 * reassembled at B). A datagram with DF (Don't Fragment) set may not be cut: gateway1 drops it
 * and answers ICMP "Fragmentation needed" (type 3, code 4) with the MTU that would pass, and
 * the sender remembers that path MTU and sends smaller datagrams from then on (Path MTU
 * Discovery, seed 002). tracepath finds it hop by hop: pmtu 500.
 *
 * What the kernel adds to the seed, and the checks take into account:
 * - hostA remembers a path's MTU in its route cache for 10 minutes (`ip route get 198.51.100.1`
 *   shows "cache expires ... mtu"), and never by itself learns that the path got better. A check
 *   that asks the network starts with `ip -n hostA route flush cache`, so that an old entry
 *   cannot answer for it: without the flush, tracepath after middleMtu=1492 still says 552, a
 *   second DF ping gets a local error instead of gateway1's answer, and hostA cuts the seed's
 *   2000 bytes to fit the remembered 552 (4 fragments instead of the seed's 2).
 * - Linux never remembers a path MTU below net.ipv4.route.min_pmtu (552, near the 576 octets
 *   every IPv4 host must accept, seed 003's 最低保証 576 octet): told 500, hostA remembers
 *   "mtu lock 552" and sends 552-byte datagrams without DF, for gateway1 to cut.
 * - nstat without -a shows the change since its last run, kept in one history file per user
 *   (/tmp/.nstat.u0 for root) shared by every namespace: read in gateway1 after hostA, it mixes
 *   the two. The check reads absolute values (-a) and leaves the history alone (-s), in each
 *   namespace before and after its ping, and compares.
 *
 * The step middleMtu=1492 is one in-place update of the middle link (both ends, same
 * interfaces): seed 002's case, 1500 bytes (20 + 1480) with DF no longer pass; tracepath: 1492.
 * Try: ip netns exec hostA ping -c 1 -M do -s 1000 198.51.100.1     ("Frag needed and DF set (mtu = 500)" from 192.0.2.254)
 *      ip netns exec hostA ip route get 198.51.100.1                 (what hostA remembers; ip route flush cache forgets it)
 *      ip netns exec hostA ping -c 1 -M dont -s 1992 198.51.100.1    (the seed's 2000 bytes of data, fragmented)
 *      ip netns exec gateway1 tcpdump -n -v -i gw1-veth1 icmp        (each fragment: its offset, flags [+] for MF, length)
 *      ip netns exec gateway1 nstat -az IpFragCreates IpFragOKs      (counters since the namespace was made)
 *      ip netns exec hostA tracepath -n 198.51.100.1                 (pmtu 500)
 *      npm run lab -- up path-mtu middleMtu=1492                     (the plan: one update of gateway1-gateway2)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import { inNs, type Check, type CheckResult, type Lesson, type Output } from "./lesson";
import { icmpErrorFrom, nodes, reaches, step, type Node } from "./checks";
import { describe as describeFragment, sendOver } from "./fragments";

const MIDDLE_MTU = ["500", "1492"] as const;
const middleMtuOf = (value: string | undefined) => Number(step("path-mtu", "middleMtu", value, MIDDLE_MTU));

export const MTU_A = 1500;
export const MTU_B = 4000;
const HOST_B = "198.51.100.1";
const GATEWAY1 = { label: "gateway1", address: "192.0.2.254" };
/** The seed's datagram: 2000 bytes of data (seed 003), that is 8 bytes of ICMP header and 1992 of ping data. */
export const SEED_DATA = 2000;
/** The ping size (ICMP data) of the DF check: 1000 bytes over a 500 link (the issue's), 1472 over 1492 (seed 002's 20 + 1480). */
export const dfSize = (middleMtu: number) => (middleMtu < 1028 ? 1000 : 1472);

/** The counters of fragmentation and reassembly, as nstat names them. */
const COUNTERS = ["IpFragCreates", "IpFragOKs", "IpReasmReqds", "IpReasmOKs"] as const;
type Counter = (typeof COUNTERS)[number];

/** Absolute values, history ignored and left alone (-a -s): the same answer however often it runs. */
const nstat = (ns: string) => inNs(ns, "nstat", "-a", "-s", "-z", ...COUNTERS);
const flushCache = (ns: string) => ["ip", "-n", ns, "route", "flush", "cache"];

export function parseNstat(stdout: string): Partial<Record<Counter, number>> {
    const out: Partial<Record<Counter, number>> = {};
    for (const line of stdout.split("\n")) {
        const m = /^(\w+)\s+(\d+)/.exec(line);
        if (m && (COUNTERS as readonly string[]).includes(m[1]!)) out[m[1] as Counter] = Number(m[2]);
    }
    return out;
}

export const lesson: Lesson = {
    name: "path-mtu",
    summary: "MTUs 1500 / 500 / 4000: fragments counted at each hop, Frag needed with DF, tracepath pmtu 500 (seeds 002, 003)",

    define({ prefix, config }) {
        const middle = middleMtuOf(config.get("middleMtu"));

        const hostA = new Namespace("hostA", { name: `${prefix}hostA` });
        const gateway1 = new Namespace("gateway1", { name: `${prefix}gateway1` });
        const gateway2 = new Namespace("gateway2", { name: `${prefix}gateway2` });
        const hostB = new Namespace("hostB", { name: `${prefix}hostB` });

        // The cables and their MTUs (both ends of each): 1500, the middle link, 4000.
        const aCable = new VethPair("hostA-gateway1", { name: "hostA-veth0", namespace: hostA.name, peerName: "gw1-veth0", peerNamespace: gateway1.name, mtu: MTU_A });
        const midCable = new VethPair("gateway1-gateway2", { name: "gw1-veth1", namespace: gateway1.name, peerName: "gw2-veth0", peerNamespace: gateway2.name, mtu: middle });
        const bCable = new VethPair("gateway2-hostB", { name: "gw2-veth1", namespace: gateway2.name, peerName: "hostB-veth0", peerNamespace: hostB.name, mtu: MTU_B });

        // hostA: 192.0.2.1/24, everything else through gateway1.
        const aIp = new Address("hostA-ip", { namespace: hostA.name, dev: aCable.name, address: "192.0.2.1/24" });
        new Route("hostA-default", { namespace: hostA.name, to: "default", via: "192.0.2.254" }, { dependsOn: [aIp] });

        // gateway1: 192.0.2.254/24 toward A, 203.0.113.1/24 on the middle link, forwarding.
        new Address("gw1-veth0-ip", { namespace: gateway1.name, dev: aCable.peerName, address: "192.0.2.254/24" });
        const gw1Mid = new Address("gw1-veth1-ip", { namespace: gateway1.name, dev: midCable.name, address: "203.0.113.1/24" });
        new Route("gateway1-to-hostB", { namespace: gateway1.name, to: "198.51.100.0/24", via: "203.0.113.2" }, { dependsOn: [gw1Mid] });
        new Sysctl("gateway1-forward", { namespace: gateway1.name, key: "net.ipv4.ip_forward", value: "1" });

        // gateway2: 203.0.113.2/24 on the middle link, 198.51.100.254/24 toward B, forwarding.
        const gw2Mid = new Address("gw2-veth0-ip", { namespace: gateway2.name, dev: midCable.peerName, address: "203.0.113.2/24" });
        new Address("gw2-veth1-ip", { namespace: gateway2.name, dev: bCable.name, address: "198.51.100.254/24" });
        new Route("gateway2-to-hostA", { namespace: gateway2.name, to: "192.0.2.0/24", via: "203.0.113.1" }, { dependsOn: [gw2Mid] });
        new Sysctl("gateway2-forward", { namespace: gateway2.name, key: "net.ipv4.ip_forward", value: "1" });

        // hostB: 198.51.100.1/24, everything else through gateway2.
        const bIp = new Address("hostB-ip", { namespace: hostB.name, dev: bCable.peerName, address: "198.51.100.1/24" });
        new Route("hostB-default", { namespace: hostB.name, to: "default", via: "198.51.100.254" }, { dependsOn: [bIp] });

        const seed = sendOver(SEED_DATA, [MTU_A, middle]);
        return {
            namespaces: [hostA.name, gateway1.name, gateway2.name, hostB.name],
            mtus: { hostA: MTU_A, middle, hostB: MTU_B },
            // The seed's table for 2000 bytes of data, computed for this middle MTU.
            fragmentsFromHostA: seed.hops[0]!.map(describeFragment),
            fragmentsFromGateway1: seed.hops[1]!.map(describeFragment),
            tryDontFragment: pulumi.interpolate`ip netns exec ${hostA.name} ping -c 1 -M do -s ${dfSize(middle)} ${HOST_B}   ("Frag needed and DF set (mtu = ${middle})" from 192.0.2.254)`,
            tryRemembered: pulumi.interpolate`ip netns exec ${hostA.name} ip route get ${HOST_B}   (then: ip -n ${hostA.name} route flush cache)`,
            tryFragments: pulumi.interpolate`ip netns exec ${hostA.name} ping -c 1 -M dont -s 1992 ${HOST_B}   (2000 bytes of data: ${seed.created[1]} fragments made by gateway1)`,
            tryCapture: pulumi.interpolate`ip netns exec ${gateway1.name} tcpdump -n -v -i gw1-veth1 icmp   (offset, flags [+] and length of each fragment)`,
            tryCounters: pulumi.interpolate`ip netns exec ${gateway1.name} nstat -az IpFragCreates IpFragOKs`,
            tryTracepath: pulumi.interpolate`ip netns exec ${hostA.name} tracepath -n ${HOST_B}   (pmtu ${middle})`,
            nextStep: middle === 500
                ? "npm run lab -- up path-mtu middleMtu=1492   (one in-place update of gateway1-gateway2; flush hostA's cache, then tracepath says 1492)"
                : "npm run lab -- up path-mtu middleMtu=500    (back to the seed's 500)",
        };
    },

    checks(prefix, config) {
        const middle = middleMtuOf(config.middleMtu);
        const { hostA, gateway1, gateway2, hostB } = nodes(prefix, ["hostA", "gateway1", "gateway2", "hostB"]);
        const size = dfSize(middle);
        const fragNeeded = {
            ...icmpErrorFrom(hostA, HOST_B, ["-M", "do", "-s", String(size)], GATEWAY1,
                `Frag needed and DF set (mtu = ${middle})`,
                `a ${size + 28}-byte datagram with DF set does not fit the middle link; gateway1 drops it and names the MTU`),
            before: [flushCache(hostA.ns)],
        };
        return [
            mtusAre(hostA, { "hostA-veth0": MTU_A }),
            mtusAre(gateway1, { "gw1-veth0": MTU_A, "gw1-veth1": middle }),
            mtusAre(gateway2, { "gw2-veth0": middle, "gw2-veth1": MTU_B }),
            mtusAre(hostB, { "hostB-veth0": MTU_B }),
            reaches(hostA, HOST_B, "hostB", { ttl: 62, why: "small datagrams pass: two gateways (ttl=62)" }),
            fragNeeded,
            remembered(hostA, middle),
            withoutDf(hostA, middle),
            fragmentCounters({ hostA, gateway1, hostB }, middle),
            tracepath(hostA, middle),
        ];
    },
};

/** The MTU of each named interface of a namespace, from `ip -j link show`. */
function mtusAre(node: Node, want: Record<string, number>): Check {
    const mtus = (stdout: string) => Object.fromEntries((JSON.parse(stdout || "[]") as { ifname: string; mtu: number }[]).map((l) => [l.ifname, l.mtu]));
    return {
        title: `${node.label}'s links: ${Object.entries(want).map(([i, m]) => `${i} mtu ${m}`).join(", ")}`,
        argv: ["ip", "-n", node.ns, "-j", "link", "show"],
        expect: Object.entries(want).map(([i, m]) => `${i} with mtu ${m}`).join(", "),
        ok: (r) => r.exitCode === 0 && Object.entries(want).every(([i, m]) => mtus(r.stdout)[i] === m),
        evidence: (r) => Object.keys(want).map((i) => `${i} mtu ${mtus(r.stdout)[i]}`),
    };
}

/**
 * After a Frag needed, hostA remembers the path MTU (seed 002: 次の通信からMTUを超えないサイズで):
 * `ip route get` shows it in the cache, and the same datagram with DF is refused before it leaves.
 * What it remembers is the MTU, or net.ipv4.route.min_pmtu "locked" when the MTU is below that.
 */
function remembered(hostA: Node, middle: number): Check {
    const size = String(dfSize(middle));
    const dfPing = inNs(hostA.ns, "ping", "-n", "-c", "1", "-W", "1", "-M", "do", "-s", size, HOST_B);
    const expected = (r: CheckResult) => {
        const minPmtu = Number(r.before?.[2]?.stdout.trim());
        return middle < minPmtu ? { mtu: minPmtu, lock: true } : { mtu: middle, lock: false };
    };
    const cached = (r: CheckResult) => /cache expires \d+sec mtu (lock )?(\d+)/.exec(r.stdout);
    return {
        title: `hostA remembers the path MTU to ${HOST_B} and refuses the next too-large datagram with DF itself`,
        before: [flushCache(hostA.ns), dfPing, inNs(hostA.ns, "sysctl", "-n", "net.ipv4.route.min_pmtu")],
        argv: ["ip", "-n", hostA.ns, "route", "get", HOST_B],
        after: [dfPing],
        expect: `after one Frag needed: "cache expires Nsec mtu ${middle}" (or "mtu lock MIN" when ${middle} is below net.ipv4.route.min_pmtu = MIN), ` +
            `then ping -M do -s ${size} fails at once with "local error: message too long, mtu=" that value`,
        ok: (r) => {
            const want = expected(r);
            const m = cached(r);
            const local = r.after?.[0];
            return r.exitCode === 0 && !!m && Number(m[2]) === want.mtu && !!m[1] === want.lock &&
                !!local && local.exitCode !== 0 && new RegExp(`local error: message too long, mtu=${want.mtu}\\b`).test(local.stdout + local.stderr);
        },
        evidence: (r) => [
            `net.ipv4.route.min_pmtu = ${r.before?.[2]?.stdout.trim()}`,
            ...r.stdout.split("\n").filter((l) => l.includes("cache")).map((l) => l.trim()),
            ...(r.after?.[0]?.stderr ?? "").split("\n").filter((l) => l.includes("local error")),
        ],
    };
}

/** Without DF, the datagram too large for the middle link is cut by gateway1 and put together at B: a reply comes back. */
function withoutDf(hostA: Node, middle: number): Check {
    const size = dfSize(middle);
    const line = new RegExp(`^${size + 8} bytes from ${HOST_B.replace(/\./g, "\\.")}: icmp_seq=1 ttl=62`, "m");
    return {
        title: `hostA -> ${HOST_B} (ping -M dont -s ${size}): without DF the ${size + 28}-byte datagram gets through, cut by gateway1 to fit ${middle}`,
        before: [flushCache(hostA.ns)],
        argv: inNs(hostA.ns, "ping", "-n", "-c", "1", "-W", "1", "-M", "dont", "-s", String(size), HOST_B),
        expect: `exit 0 and "${size + 8} bytes from ${HOST_B}: icmp_seq=1 ttl=62"`,
        ok: (r) => r.exitCode === 0 && line.test(r.stdout),
        evidence: (r) => r.stdout.split("\n").filter((l) => / bytes from /.test(l)),
    };
}

/**
 * Seed 003's datagram of 2000 bytes of data, without DF: nstat's counters before and after, in
 * hostA, gateway1 and hostB; the differences must be what stacks/fragments.ts computes.
 */
function fragmentCounters(n: { hostA: Node; gateway1: Node; hostB: Node }, middle: number): Check {
    const seed = sendOver(SEED_DATA, [MTU_A, middle]);
    const want: { node: Node; counter: Counter; delta: number }[] = [
        { node: n.hostA, counter: "IpFragCreates", delta: seed.created[0]! },
        { node: n.gateway1, counter: "IpFragCreates", delta: seed.created[1]! },
        { node: n.gateway1, counter: "IpFragOKs", delta: seed.cut[1]! },
        { node: n.hostB, counter: "IpReasmReqds", delta: seed.reassembly.reqds },
        { node: n.hostB, counter: "IpReasmOKs", delta: seed.reassembly.oks },
    ];
    const where = [n.hostA, n.gateway1, n.hostB];
    const delta = (r: CheckResult, node: Node, counter: Counter) => {
        const i = where.indexOf(node);
        const read = (o: Output | undefined) => (o && o.exitCode === 0 ? parseNstat(o.stdout)[counter] : undefined);
        const [b, a] = [read(r.before?.[i + 1]), read(r.after?.[i])];
        return a === undefined || b === undefined ? undefined : a - b;
    };
    return {
        title: `2000 bytes of data from hostA without DF (seed 003): ${seed.hops[0]!.length} fragments from hostA, ${seed.hops[1]!.length} from gateway1, one datagram reassembled at hostB`,
        before: [flushCache(n.hostA.ns), ...where.map((w) => nstat(w.ns))],
        argv: inNs(n.hostA.ns, "ping", "-n", "-c", "1", "-W", "1", "-M", "dont", "-s", String(SEED_DATA - 8), HOST_B),
        after: where.map((w) => nstat(w.ns)),
        expect: `a reply of ${SEED_DATA} bytes, and counter differences ${want.map((w) => `${w.node.label} ${w.counter} +${w.delta}`).join(", ")} ` +
            `(hostA sends ${seed.hops[0]!.map(describeFragment).join(", ")}; gateway1 sends ${seed.hops[1]!.map(describeFragment).join(", ")})`,
        ok: (r) => r.exitCode === 0 && new RegExp(`^${SEED_DATA} bytes from `, "m").test(r.stdout) &&
            want.every((w) => delta(r, w.node, w.counter) === w.delta),
        evidence: (r) => [
            ...r.stdout.split("\n").filter((l) => / bytes from /.test(l)),
            want.map((w) => `${w.node.label} ${w.counter} +${delta(r, w.node, w.counter)}`).join(", "),
        ],
    };
}

/** tracepath finds the path MTU hop by hop (after a flush: a remembered value would answer instead). */
function tracepath(hostA: Node, middle: number): Check {
    return {
        title: `tracepath from hostA to ${HOST_B} reports pmtu ${middle}`,
        before: [flushCache(hostA.ns)],
        argv: inNs(hostA.ns, "tracepath", "-n", "-m", "6", HOST_B),
        expect: `"Resume: pmtu ${middle} hops 3", the target reached`,
        ok: (r) => r.exitCode === 0 && new RegExp(`Resume: pmtu ${middle} hops 3\\b`).test(r.stdout) && / reached$/m.test(r.stdout),
        evidence: (r) => r.stdout.split("\n").filter((l) => /pmtu|reached/.test(l)).map((l) => l.trim()),
    };
}
