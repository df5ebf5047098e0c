/**
 * Lesson: a UDP receiver and a UDP sender across a router (seed 001, "[C言語]UDP": "UDP受信",
 * "UDP送信").
 *
 *   [ns1] ns1-veth0 192.0.2.1/24 --- 192.0.2.254/24 gw-veth0 [router] gw-veth1 198.51.100.254/24 --- 198.51.100.1/24 ns2-veth0 [ns2]
 *         sender.js: "HELLO" -> 198.51.100.1:12345          ip_forward=1               receiver.js: bound to 0.0.0.0:12345
 *
 * The seed's two C programs, as two small Node.js programs shipped with the lesson
 * (stacks/udp/receiver.js and sender.js, dgram sockets, the same steps): the receiver makes a
 * socket, binds it to port 12345 on every address (INADDR_ANY), receives one datagram and prints
 * it; the sender makes a socket and sends "HELLO" to 198.51.100.1 port 12345, then closes. A port
 * number names the program on a host, as the address names the host.
 * TCP and UDP (seed 001): TCP is a stream, a connection set up first (listen, accept, connect),
 * bytes delivered in order, acknowledged and sent again when lost, with no boundaries of their
 * own. UDP is datagrams: each send is one message, delivered whole or not at all, with no
 * connection, no acknowledgement, no retry. The seed's sender uses sendto(): nothing ever tells
 * it whether anyone received "HELLO" (UDP does not know). Send with nobody listening and ns2's
 * kernel answers ICMP port unreachable (type 3 code 3, the icmp-unreachable lesson); the
 * unconnected sender never hears of it, but a socket that connect()s to the peer is handed that
 * error by the kernel: ECONNREFUSED, "connection refused", on the next receive or send.
 * The check runs the two programs the way you would: `ip netns exec NS node FILE`, with the node
 * that runs the check. To start the receiver, wait until it is bound, send, read what it printed
 * and stop it, it runs stacks/udp/exchange.js, one command: a lesson check is one command with
 * one result (stacks/lesson.ts), and `npm run lab -- verify` prints it so that you can run it
 * yourself. The receiver says when it is bound; every wait ends on its event and has a bound;
 * the receiver is stopped by its PID whatever happens.
 * (ns2 answers a burst of 6 port unreachables to one sender, then one a second: net.ipv4.icmp_ratelimit,
 * see the icmp-unreachable lesson. The checks send two such datagrams.)
 * Try: ip netns exec ns2 node stacks/udp/receiver.js 12345                  (waits: run the sender in another shell)
 *      ip netns exec ns1 node stacks/udp/sender.js 198.51.100.1 12345 HELLO  (the receiver prints HELLO and exits)
 *      ip netns exec ns1 node stacks/udp/sender.js --connect 198.51.100.1    (no receiver: ECONNREFUSED)
 *      ip netns exec ns2 ss -uln                                            (while the receiver runs: 0.0.0.0:12345)
 *      ip netns exec ns2 tcpdump -n -i ns2-veth0 udp or icmp                 (the datagram, and the port unreachable)
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, Route, Sysctl, VethPair } from "../provider";
import { inNs, type Check, type Lesson } from "./lesson";
import { nodes, reaches, sysctlIs } from "./checks";

export const PORT = 12345;
export const MESSAGE = "HELLO";

/**
 * Where a program of the lesson is: beside this module in the repository (stacks/udp/, where the
 * tests run it from), and from the compiled module (dist/stacks/) in the repository's stacks/udp/:
 * plain JavaScript, not compiled, so `npm run build` neither copies nor removes them.
 */
export function udpProgram(file: "receiver.js" | "sender.js" | "exchange.js", from: string = __dirname): string {
    const candidates = [join(from, "udp", file), join(from, "..", "..", "stacks", "udp", file)];
    const found = candidates.find((p) => existsSync(p));
    if (!found) throw new Error(`udp-socket lesson: ${file} not found in ${candidates.join(" or ")}; it ships with the lesson in stacks/udp/`);
    return found;
}

export const lesson: Lesson = {
    name: "udp-socket",
    summary: "a UDP receiver on port 12345 and a sender of HELLO across a router; no receiver: ICMP port unreachable, ECONNREFUSED (seed 001)",

    define({ prefix }) {
        const ns1 = new Namespace("ns1", { name: `${prefix}ns1` });
        const router = new Namespace("router", { name: `${prefix}router` });
        const ns2 = new Namespace("ns2", { name: `${prefix}ns2` });

        const ns1Cable = new VethPair("ns1-router", { name: "ns1-veth0", namespace: ns1.name, peerName: "gw-veth0", peerNamespace: router.name });
        const ns2Cable = new VethPair("ns2-router", { name: "ns2-veth0", namespace: ns2.name, peerName: "gw-veth1", peerNamespace: router.name });

        // ns1: the sender's host.
        const ns1Ip = new Address("ns1-ip", { namespace: ns1.name, dev: ns1Cable.name, address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns1.name, to: "default", via: "192.0.2.254" }, { dependsOn: [ns1Ip] });

        // router: between the two segments.
        new Address("gw-veth0-ip", { namespace: router.name, dev: ns1Cable.peerName, address: "192.0.2.254/24" });
        new Address("gw-veth1-ip", { namespace: router.name, dev: ns2Cable.peerName, address: "198.51.100.254/24" });
        new Sysctl("router-forward", { namespace: router.name, key: "net.ipv4.ip_forward", value: "1" });

        // ns2: the receiver's host.
        const ns2Ip = new Address("ns2-ip", { namespace: ns2.name, dev: ns2Cable.name, address: "198.51.100.1/24" });
        new Route("ns2-default", { namespace: ns2.name, to: "default", via: "198.51.100.254" }, { dependsOn: [ns2Ip] });

        const receiver = udpProgram("receiver.js");
        const sender = udpProgram("sender.js");
        return {
            namespaces: [ns1.name, router.name, ns2.name],
            port: PORT,
            tryReceiver: pulumi.interpolate`ip netns exec ${ns2.name} node ${receiver} ${PORT}   (waits for one datagram; then, in another shell:)`,
            trySender: pulumi.interpolate`ip netns exec ${ns1.name} node ${sender} 198.51.100.1 ${PORT} ${MESSAGE}`,
            tryRefused: pulumi.interpolate`ip netns exec ${ns1.name} node ${sender} --connect 198.51.100.1 ${PORT} ${MESSAGE}   (no receiver running: ECONNREFUSED)`,
            trySockets: pulumi.interpolate`ip netns exec ${ns2.name} ss -uln   (while the receiver waits)`,
            tryCapture: pulumi.interpolate`ip netns exec ${ns2.name} tcpdump -n -i ns2-veth0 udp or icmp`,
        };
    },

    checks(prefix) {
        const { ns1, router, ns2 } = nodes(prefix, ["ns1", "router", "ns2"]);
        const node = process.execPath;
        const exchange: Check = {
            title: `receiver.js in ns2 bound to 0.0.0.0:${PORT} prints ${MESSAGE}, sent by sender.js in ns1 through the router (then stopped)`,
            argv: [node, udpProgram("exchange.js"), ns2.ns, ns1.ns, "198.51.100.1", String(PORT), MESSAGE],
            expect: `exit 0; the receiver bound to 0.0.0.0:${PORT}, got ${MESSAGE.length} bytes from 192.0.2.1 and printed exactly "${MESSAGE}"`,
            ok: (r) => r.exitCode === 0 && new RegExp(`^receiver: bound to 0\\.0\\.0\\.0:${PORT} `, "m").test(r.stdout)
                && /^receiver: 5 bytes from 192\.0\.2\.1:\d+$/m.test(r.stdout) && r.stdout.includes(`receiver printed: "${MESSAGE}\\n", exited 0`),
        };
        return [
            sysctlIs(router, "net.ipv4.ip_forward", "1", "the router forwards"),
            reaches(ns1, "198.51.100.1", "ns2", { ttl: 63, why: "through the router" }),
            exchange,
            {
                title: `with no receiver, the seed's sendto() of ${MESSAGE} to 198.51.100.1:${PORT} still succeeds: UDP does not know whether it arrived`,
                argv: inNs(ns1.ns, node, udpProgram("sender.js"), "198.51.100.1", String(PORT), MESSAGE),
                expect: `exit 0, "sent ${MESSAGE.length} bytes to 198.51.100.1:${PORT}"`,
                ok: (r) => r.exitCode === 0 && r.stdout.includes(`sender: sent ${MESSAGE.length} bytes to 198.51.100.1:${PORT}`),
            },
            {
                title: `with no receiver, a connected UDP socket gets ECONNREFUSED: ns2 answered ICMP type 3 code 3, port unreachable (lesson icmp-unreachable)`,
                argv: inNs(ns1.ns, node, udpProgram("sender.js"), "--connect", "--wait-ms", "2000", "198.51.100.1", String(PORT), MESSAGE),
                expect: "exit 3 within 2 s, \"ECONNREFUSED\" (the kernel's error for an ICMP port unreachable on a connected socket)",
                ok: (r) => r.exitCode === 3 && /^sender: ECONNREFUSED /m.test(r.stdout),
            },
            {
                title: "no process is left in ns2 (the check stopped its receiver)",
                argv: ["ip", "netns", "pids", ns2.ns],
                expect: "exit 0, no PID",
                ok: (r) => r.exitCode === 0 && r.stdout.trim() === "",
            },
        ];
    },
};
