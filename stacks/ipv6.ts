/**
 * Lesson: IPv6 across a router, and the link-local address made from a MAC (seed 004, "IP version
 * 6": アドレスの運用, ローカルアドレス; seed 000, "IPv4とIPv6").
 *
 *   [ns1] ns1-veth0 2001:db8:0:1::1/64 --- 2001:db8:0:1::254/64 gw-veth0 [router] gw-veth1 2001:db8:0:2::254/64 --- 2001:db8:0:2::1/64 ns2-veth0 [ns2]
 *         MAC 00:0b:97:28:c6:d5                   net.ipv6.conf.all.forwarding=1
 *         link-local fe80::20b:97ff:fe28:c6d5
 *         default via 2001:db8:0:1::254                                                  default via 2001:db8:0:2::254
 *   in each namespace, before its links exist: net.ipv6.conf.default.accept_dad=0, net.ipv6.conf.all.accept_dad=0
 *
 * IPv6 addresses are 128 bits, written as eight groups of four hex digits; "::" stands for one run
 * of zero groups (seed 004). The seed's subnet 1 of the documentation prefix 2001:db8::/32 is
 * 2001:db8:0:1::/64: the upper 64 bits name the network, the lower 64 bits the interface. Every
 * interface also gets a link-local address, fe80::/64 plus an interface identifier that the
 * kernel makes from the MAC by modified EUI-64: FF FE inserted in the middle, and the
 * universal/local bit (0x02 of the first byte) inverted. The seed's MAC 00-0B-97-28-C6-D5 gives
 * 020B:97FF:FE28:C6D5, so ns1-veth0's link-local address is fe80::20b:97ff:fe28:c6d5 (the seed
 * sets the bit with an OR, which is the same for a MAC whose bit is 0; for a locally administered
 * MAC such as 02:..., the kernel clears it). The check computes it from the MAC; it is not typed
 * in anywhere. A link-local address is the same network on every link, so using one needs the
 * interface too: fe80::20b:97ff:fe28:c6d5%gw-veth0 (the seed's "%n").
 * The router forwards IPv6 only with net.ipv6.conf.all.forwarding=1 (IPv4's ip_forward is a
 * separate switch: the two protocols are not compatible, seed 000). A host finds its neighbour's
 * MAC with NDP (ICMPv6 neighbour solicitation and advertisement), where IPv4 uses ARP: `ip -6
 * neigh` lists the router with the flag "router", which the router's answers carry because it
 * forwards.
 * Usable at once: a new IPv6 address is "tentative" while the kernel runs duplicate address
 * detection (DAD) on it, and on a fresh link the link-local addresses are tentative for one to
 * two seconds, during which the first packets across the router are lost. DAD finds two
 * interfaces with one address on a shared link; each of these links is a veth with two ends of
 * different MACs, so the lesson turns it off: each namespace gets accept_dad=0 (default, for the
 * links made after it, and all) as Sysctls on which the links depend, so every end is born with
 * DAD off and its link-local address is never tentative; the static addresses are added with
 * `nodad` (see Address). A `ping -6` right after `up` returns gets its reply.
 * Try: ip netns exec ns1 ping -6 -c 3 2001:db8:0:2::1            (ttl=63: the hop limit, one router)
 *      ip netns exec ns1 ip -6 address show dev ns1-veth0        (fe80::20b:97ff:fe28:c6d5, scope link)
 *      ip netns exec router ping -6 -c 3 fe80::20b:97ff:fe28:c6d5%gw-veth0
 *      ip netns exec ns1 ip -6 neigh show                         (the router, learnt by NDP)
 *      ip netns exec ns1 tcpdump -n -i ns1-veth0 icmp6            (then ping: neighbor solicitation / advertisement)
 *      npm run lab -- up ipv6 mac=00:00:5e:00:53:01               (one in-place update: the link-local follows the MAC)
 */
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import { eui64Address, eui64InterfaceId, eui64LinkLocal } from "../provider/kinds/eui64";
import { inNs, type Check, type Lesson } from "./lesson";
import { nodes, reaches, sysctlIs, type Node } from "./checks";

/** The seed's MAC address (seed 004: 00-0B-97-28-C6-D5). */
export const SEED_MAC = "00:0b:97:28:c6:d5";

/**
 * The step: the MAC of ns1-veth0, from config `mac` (default the seed's). A unicast MAC: six hex
 * bytes separated by ':', the first byte even (an odd one is a multicast address, which the
 * kernel refuses for an interface). Anything else fails with the key, the value and what is allowed.
 */
export function macStep(value: string | undefined): string {
    if (value === undefined || value === "") return SEED_MAC;
    const ok = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(value) && (parseInt(value.slice(0, 2), 16) & 1) === 0 && !/^(00:){5}00$/.test(value);
    if (ok) return value.toLowerCase();
    throw new pulumi.RunError(`lesson ipv6: config 'mac' must be a unicast MAC address (six hex bytes separated by ':', the first byte even, not all zero), ` +
        `such as 00:00:5e:00:53:01 (default "${SEED_MAC}"), not "${value}"; set it with: npm run lab -- up ipv6 mac=00:00:5e:00:53:01`);
}

/** The EUI-64 computation written out, as the seed does it by hand. */
export function eui64Steps(mac: string): string {
    const hex = mac.split(":");
    const id = eui64InterfaceId(mac).toString(16).padStart(16, "0").match(/.{4}/g)!.join(":");
    return `${mac} -> ${hex[0]}${hex[1]}:${hex[2]}ff:fe${hex[3]}:${hex[4]}${hex[5]} (ff:fe in the middle) -> ${id} (bit 0x02 of the first byte inverted) -> ${eui64LinkLocal(mac)}`;
}

interface AddrJson { ifname: string; address?: string; addr_info?: { family?: string; local?: string; scope?: string; tentative?: boolean; dadfailed?: boolean }[] }

/** ns1-veth0 carries the MAC of the step, and its only link-local address is the EUI-64 of that MAC, ready (not tentative). */
function linkLocalIsEui64(node: Node, dev: string, mac: string): Check {
    const want = eui64LinkLocal(mac);
    return {
        title: `${dev} has MAC ${mac} and the link-local address computed from it by EUI-64, ${want}, ready at once (not tentative)`,
        argv: inNs(node.ns, "ip", "-j", "address", "show", "dev", dev),
        expect: `exit 0; link/ether ${mac}; exactly one scope link address, ${want}, without "tentative"`,
        ok: (r) => {
            const l = (JSON.parse(r.stdout || "[]") as AddrJson[])[0];
            const ll = (l?.addr_info ?? []).filter((a) => a.family === "inet6" && a.scope === "link");
            return r.exitCode === 0 && l?.address === mac && eui64LinkLocal(l.address) === want
                && ll.length === 1 && ll[0]?.local === want && !ll[0].tentative && !ll[0].dadfailed;
        },
    };
}

/** No address of the namespace is tentative (DAD running) or failed DAD. */
function noneTentative(node: Node): Check {
    return {
        title: `no IPv6 address in ${node.label} is tentative: duplicate address detection is off, every address usable at once`,
        argv: inNs(node.ns, "ip", "-j", "-6", "address", "show", "tentative"),
        expect: "exit 0, an empty list",
        ok: (r) => r.exitCode === 0 && (JSON.parse(r.stdout || "null") as unknown[] | null)?.length === 0,
    };
}

export const lesson: Lesson = {
    name: "ipv6",
    summary: "IPv6 across a router: the EUI-64 link-local address of MAC 00:0b:97:28:c6:d5, forwarding, NDP, no DAD wait (seed 004)",

    define({ prefix, config }) {
        const mac = macStep(config.get("mac"));

        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const router = new Namespace("router", { name: `${prefix}router` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        // DAD off in each namespace before any link exists there: a new interface copies the
        // namespace's `default` settings, and the kernel runs DAD when `all` or the interface asks for it.
        const noDad = (label: string, ns: Namespace) => ["default", "all"].map((which) =>
            new Sysctl(`${label}-accept-dad-${which}`, { namespace: ns.name, key: `net.ipv6.conf.${which}.accept_dad`, value: "0" }));
        const ns1NoDad = noDad("ns1", ns1);
        const routerNoDad = noDad("router", router);
        const ns2NoDad = noDad("ns2", ns2);

        // The cables: ns1-veth0 (the seed's MAC, the step) <-> gw-veth0, ns2-veth0 <-> gw-veth1.
        const ns1Cable = new VethPair("ns1-router", { name: "ns1-veth0", namespace: ns1.name, address: mac, peerName: "gw-veth0", peerNamespace: router.name },
            { dependsOn: [...ns1NoDad, ...routerNoDad] });
        const ns2Cable = new VethPair("ns2-router", { name: "ns2-veth0", namespace: ns2.name, peerName: "gw-veth1", peerNamespace: router.name },
            { dependsOn: [...ns2NoDad, ...routerNoDad] });

        // ns1: subnet 1, everything else through the router.
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "2001:db8:0:1::1/64" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "2001:db8:0:1::254" }, { dependsOn: [ns1Ip] });

        // router: one address on each subnet, and IPv6 forwarding.
        new Address("gw-veth0-ip", { namespace: router.name, dev: ns1Cable.peerName, address: "2001:db8:0:1::254/64" });
        new Address("gw-veth1-ip", { namespace: router.name, dev: ns2Cable.peerName, address: "2001:db8:0:2::254/64" });
        new Sysctl("router-forward", { namespace: router.name, key: "net.ipv6.conf.all.forwarding", value: "1" });

        // ns2: subnet 2, everything else through the router.
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.name, address: "2001:db8:0:2::1/64" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "2001:db8:0:2::254" }, { dependsOn: [ns2Ip] });

        // What EUI-64 makes of the MAC, worked out here; the outputs mac and linkLocal are what the
        // kernel has (VethPair outputs), so the two can be put side by side.
        const linkLocal = eui64LinkLocal(mac);
        return {
            namespaces: [ns1.name, router.name, ns2.name],
            mac: ns1Cable.mac,
            linkLocal: ns1Cable.linkLocal,
            eui64: eui64Steps(mac),
            slaacExample: `${eui64Address("2001:db8:0:1::", mac)}   (what SLAAC would make on subnet 1, seed 004's 2001:0DB8::1:020B:97FF:FE28:C6D5; this lesson's addresses are static)`,
            tryPing: pulumi.interpolate`ip netns exec ${ns1.name} ping -6 -c 3 2001:db8:0:2::1`,
            tryPingBack: pulumi.interpolate`ip netns exec ${ns2.name} ping -6 -c 3 2001:db8:0:1::1`,
            tryLinkLocal: pulumi.interpolate`ip netns exec ${ns1.name} ip -6 address show dev ns1-veth0`,
            tryPingLinkLocal: pulumi.interpolate`ip netns exec ${router.name} ping -6 -c 3 ${linkLocal}%gw-veth0`,
            tryNeighbours: pulumi.interpolate`ip netns exec ${ns1.name} ip -6 neigh show`,
            tryRoutes: pulumi.interpolate`ip netns exec ${ns1.name} ip -6 route show`,
            tryCapture: pulumi.interpolate`ip netns exec ${ns1.name} tcpdump -n -i ns1-veth0 icmp6   (then ping from ns1 in another shell)`,
            nextStep: mac === SEED_MAC
                ? "npm run lab -- up ipv6 mac=00:00:5e:00:53:01   (a new MAC: one in-place update of ns1-router, and the link-local address follows)"
                : "npm run lab -- up ipv6 mac=00:0b:97:28:c6:d5   (back to the seed's MAC: one in-place update)",
        };
    },

    checks(prefix, config) {
        const mac = macStep(config.mac);
        const { ns1, router, ns2 } = nodes(prefix, ["ns1", "router", "ns2"]);
        const linkLocal = eui64LinkLocal(mac);
        return [
            // First, before anything else has sent a packet: a ping with a deadline shorter than DAD would take.
            {
                title: "ns1 reaches ns2 (2001:db8:0:2::1) over IPv6 at once: one echo, a deadline of 1 s (DAD would take 1-2 s)",
                argv: inNs(ns1.ns, "ping", "-6", "-n", "-c", "1", "-w", "1", "2001:db8:0:2::1"),
                expect: "exit 0, one reply with ttl=63 (the hop limit, lowered by the router)",
                ok: (r) => r.exitCode === 0 && /^\d+ bytes from 2001:db8:0:2::1: icmp_seq=1 ttl=63 /m.test(r.stdout),
            },
            linkLocalIsEui64(ns1, "ns1-veth0", mac),
            noneTentative(ns1),
            noneTentative(router),
            noneTentative(ns2),
            sysctlIs(ns1, "net.ipv6.conf.ns1-veth0.accept_dad", "0", "ns1-veth0 was born with DAD off (copied from default)"),
            sysctlIs(router, "net.ipv6.conf.all.forwarding", "1", "the router forwards IPv6"),
            {
                title: `router reaches ns1's link-local address ${linkLocal}%gw-veth0: the interface names which link`,
                argv: inNs(router.ns, "ping", "-6", "-n", "-c", "1", "-w", "1", `${linkLocal}%gw-veth0`),
                expect: "exit 0, a reply with ttl=64 (same link, no router)",
                ok: (r) => r.exitCode === 0 && /^\d+ bytes from \S+: icmp_seq=1 ttl=64 /m.test(r.stdout),
            },
            reaches(ns2, "2001:db8:0:1::1", "ns1", { ttl: 63, why: "through the router" }),
            {
                title: "ns1 learnt the router (2001:db8:0:1::254) by NDP: ip -6 neigh lists its MAC with the flag router",
                argv: inNs(ns1.ns, "ip", "-j", "-6", "neigh", "show", "dev", "ns1-veth0"),
                expect: "an entry 2001:db8:0:1::254 with an lladdr, the flag router, and a state other than INCOMPLETE or FAILED",
                ok: (r) => {
                    const e = (JSON.parse(r.stdout || "[]") as { dst: string; lladdr?: string; router?: unknown; state?: string[] }[]).find((n) => n.dst === "2001:db8:0:1::254");
                    return r.exitCode === 0 && e !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(e.lladdr ?? "") && "router" in e
                        && !(e.state ?? []).some((s) => s === "INCOMPLETE" || s === "FAILED");
                },
            },
        ];
    },
};
