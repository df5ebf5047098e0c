// What the ipv6, icmp-unreachable and udp-socket lessons read from the commands they run, and
// how they validate their config and find their programs: pure, no processes.
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { pingErrors } from "../../stacks/icmp";
import { lessons } from "../../stacks/lessons";
import { eui64Steps, macStep, SEED_MAC } from "../../stacks/ipv6";
import { portUnreachableHops } from "../../stacks/icmp-unreachable";
import { udpProgram } from "../../stacks/udp-socket";

const REPO = resolve(__dirname, "../..");
const result = (stdout: string, exitCode = 0, stderr = "") => ({ exitCode, stdout, stderr });
const byTitle = (lesson: string, start: string, config: Record<string, string> = {}) => {
    const c = lessons[lesson]!.checks("x-", config).find((k) => k.title.startsWith(start));
    if (!c) throw new Error(`no check of ${lesson} starting with "${start}"`);
    return c;
};

describe("ipv6: the mac step", () => {
    it("defaults to the seed's MAC and takes any unicast MAC, in lower case", () => {
        expect(macStep(undefined)).toBe(SEED_MAC);
        expect(macStep("")).toBe("00:0b:97:28:c6:d5");
        expect(macStep("00:00:5E:00:53:01")).toBe("00:00:5e:00:53:01");
        expect(macStep("02:0b:97:28:c6:d5")).toBe("02:0b:97:28:c6:d5");
    });
    it.each(["01:00:5e:00:00:01", "00:00:00:00:00:00", "00-0b-97-28-c6-d5", "00:0b:97:28:c6", "zz:0b:97:28:c6:d5", "maybe"])("refuses %j in one line naming the key, the value and what is allowed", (v) => {
        let message = "";
        try { macStep(v); } catch (e) { message = (e as Error).message; }
        expect(message).toContain(`lesson ipv6: config 'mac' must be a unicast MAC address`);
        expect(message).toContain(`not "${v}"`);
        expect(message).toContain("npm run lab -- up ipv6 mac=");
        expect(message).not.toContain("\n");
        expect(() => lessons.ipv6!.checks("x-", { mac: v })).toThrow(/config 'mac'/);
    });
    it("writes the EUI-64 computation out as the seed does", () => {
        expect(eui64Steps(SEED_MAC)).toBe("00:0b:97:28:c6:d5 -> 000b:97ff:fe28:c6d5 (ff:fe in the middle) -> 020b:97ff:fe28:c6d5 (bit 0x02 of the first byte inverted) -> fe80::20b:97ff:fe28:c6d5");
    });
});

describe("ipv6: what the checks read", () => {
    const addr = (mac: string, infos: object[]) => JSON.stringify([{ ifname: "ns1-veth0", address: mac, addr_info: [{ family: "inet6", local: "2001:db8:0:1::1", scope: "global" }, ...infos] }]);
    const ll = (local: string, extra: object = {}) => ({ family: "inet6", local, prefixlen: 64, scope: "link", ...extra });

    it("wants the kernel's MAC and exactly the EUI-64 link-local of the configured MAC, not tentative", () => {
        const seed = byTitle("ipv6", "ns1-veth0 has MAC");
        expect(seed.title).toContain("fe80::20b:97ff:fe28:c6d5");
        expect(seed.ok(result(addr(SEED_MAC, [ll("fe80::20b:97ff:fe28:c6d5")])))).toBe(true);
        expect(seed.ok(result(addr(SEED_MAC, [ll("fe80::20b:97ff:fe28:c6d5", { tentative: true })])))).toBe(false);
        expect(seed.ok(result(addr(SEED_MAC, [ll("fe80::5eff:fe00:5301"), ll("fe80::20b:97ff:fe28:c6d5")])))).toBe(false);
        expect(seed.ok(result(addr("00:00:5e:00:53:01", [ll("fe80::20b:97ff:fe28:c6d5")])))).toBe(false);
        const step = byTitle("ipv6", "ns1-veth0 has MAC", { mac: "00:00:5e:00:53:01" });
        expect(step.ok(result(addr("00:00:5e:00:53:01", [ll("fe80::200:5eff:fe00:5301")])))).toBe(true);
        expect(step.ok(result(addr("00:00:5e:00:53:01", [ll("fe80::20b:97ff:fe28:c6d5")])))).toBe(false);
    });
    it("wants the first ping answered at once, with hop limit 63", () => {
        const c = byTitle("ipv6", "ns1 reaches ns2 (2001:db8:0:2::1) over IPv6 at once");
        expect(c.argv).toEqual(["ip", "netns", "exec", "x-ns1", "ping", "-6", "-n", "-c", "1", "-w", "1", "2001:db8:0:2::1"]);
        expect(c.ok(result("PING 2001:db8:0:2::1(2001:db8:0:2::1) 56 data bytes\n64 bytes from 2001:db8:0:2::1: icmp_seq=1 ttl=63 time=0.082 ms\n"))).toBe(true);
        expect(c.ok(result("PING 2001:db8:0:2::1(2001:db8:0:2::1) 56 data bytes\n\n--- 2001:db8:0:2::1 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n", 1))).toBe(false);
    });
    it("wants the router in ip -6 neigh, learnt (not FAILED) and flagged router", () => {
        const c = byTitle("ipv6", "ns1 learnt the router");
        const n = (e: object) => result(JSON.stringify([e]));
        expect(c.ok(n({ dst: "2001:db8:0:1::254", lladdr: "de:f2:2b:58:c3:21", router: null, state: ["REACHABLE"] }))).toBe(true);
        expect(c.ok(n({ dst: "2001:db8:0:1::254", lladdr: "de:f2:2b:58:c3:21", router: null, state: ["STALE"] }))).toBe(true);
        expect(c.ok(n({ dst: "2001:db8:0:1::254", lladdr: "de:f2:2b:58:c3:21", state: ["REACHABLE"] }))).toBe(false);
        expect(c.ok(n({ dst: "2001:db8:0:1::254", router: null, state: ["FAILED"] }))).toBe(false);
        expect(c.ok(result("[]"))).toBe(false);
    });
});

describe("icmp-unreachable: the type and code read from ping and traceroute", () => {
    it("maps ping's error lines to type and code, with the sender", () => {
        const out = "PING 203.0.113.1 (203.0.113.1) 56(84) bytes of data.\nFrom 192.0.2.254 icmp_seq=1 Destination Net Unreachable\n" +
            "From 192.0.2.254 icmp_seq=2 Destination Host Unreachable\nFrom 192.0.2.254 (192.0.2.254) icmp_seq=3 Frag needed and DF set (mtu = 500)\n" +
            "From 192.0.2.254 icmp_seq=4 Time to live exceeded\nFrom 192.0.2.254 icmp_seq=5 Something new\n";
        expect(pingErrors(out).map((e) => [e.from, e.seq, e.type, e.code])).toEqual([
            ["192.0.2.254", 1, 3, 0], ["192.0.2.254", 2, 3, 1], ["192.0.2.254", 3, 3, 4], ["192.0.2.254", 4, 11, 0], ["192.0.2.254", 5, -1, -1]]);
    });
    const line = (text: string, from = "192.0.2.254") => result(`PING x (x) 56(84) bytes of data.\nFrom ${from} icmp_seq=1 ${text}\n\n--- x ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n`, 1);
    it.each([
        ["x-ns1 -> 203.0.113.1", "Destination Net Unreachable", "type 3 code 0"],
        ["x-ns1 -> 198.51.100.99", "Destination Host Unreachable", "type 3 code 1"],
    ])("%s: only %s from the router, named %s", (_to, text, named) => {
        const c = byTitle("icmp-unreachable", `ns1 -> ${_to.split(" -> ")[1]}`);
        expect(c.title).toContain(named);
        expect(c.ok(line(text))).toBe(true);
        expect(c.ok(line(text, "198.51.100.254"))).toBe(false);
        expect(c.ok(line(text === "Destination Net Unreachable" ? "Destination Host Unreachable" : "Destination Net Unreachable"))).toBe(false);
        expect(c.ok({ ...line(text), exitCode: 0 })).toBe(false);
        expect(c.ok(result("PING x (x) 56(84) bytes of data.\n", 1))).toBe(false);
    });
    it("bounds the wait for host unreachable beyond ARP's 3 s, and ping returns when the error comes", () => {
        expect(byTitle("icmp-unreachable", "ns1 -> 198.51.100.99").argv).toEqual(["ip", "netns", "exec", "x-ns1", "ping", "-n", "-c", "1", "-W", "6", "198.51.100.99"]);
    });
    it("reads traceroute -U: the target last and unmarked is port unreachable", () => {
        const trace = (last: string) => `traceroute to 198.51.100.1 (198.51.100.1), 4 hops max, 60 byte packets\n 1  192.0.2.254  0.049 ms\n 2  ${last}\n`;
        expect(portUnreachableHops(trace("198.51.100.1  0.266 ms"))).toEqual({ hops: ["192.0.2.254", "198.51.100.1"], marked: false });
        expect(portUnreachableHops(trace("198.51.100.1  0.266 ms !P")).marked).toBe(true);
        const c = byTitle("icmp-unreachable", "traceroute -U from ns1");
        expect(c.ok(result(trace("198.51.100.1  0.266 ms")))).toBe(true);
        expect(c.ok(result(trace("198.51.100.1  0.266 ms !H")))).toBe(false);
        expect(c.ok(result(trace("*")))).toBe(false);
        expect(c.ok(result(`${trace("198.51.100.1  0.266 ms")} 3  198.51.100.1  0.1 ms\n`))).toBe(false);
    });
});

describe("udp-socket: its programs and what its checks read", () => {
    it("finds the programs from the repository's stacks/ and from the compiled dist/stacks/", () => {
        expect(udpProgram("receiver.js")).toBe(join(REPO, "stacks/udp/receiver.js"));
        expect(udpProgram("sender.js", join(REPO, "stacks"))).toBe(join(REPO, "stacks/udp/sender.js"));
        expect(resolve(udpProgram("exchange.js", join(REPO, "dist/stacks")))).toBe(join(REPO, "stacks/udp/exchange.js"));
        expect(() => udpProgram("receiver.js", "/nonexistent/stacks")).toThrow(/receiver.js not found/);
    });
    it("runs them with this node binary, not whatever node is on PATH", () => {
        const checks = lessons["udp-socket"]!.checks("x-", {});
        for (const c of checks.filter((k) => k.argv.some((a) => a.endsWith(".js")))) expect(c.argv).toContain(process.execPath);
    });
    it("wants the receiver to print exactly HELLO, from ns1's address", () => {
        const c = byTitle("udp-socket", "receiver.js in ns2");
        const transcript = (printed: string, from = "192.0.2.1") => result([
            "receiver: started in x-ns2, pid 1", "receiver: bound to 0.0.0.0:12345 after 333 ms", "sender: sent 5 bytes to 198.51.100.1:12345 (sendto) (sender in x-ns1 exited 0)",
            `receiver: 5 bytes from ${from}:53070`, `receiver printed: ${JSON.stringify(printed)}, exited 0, after 741 ms`].join("\n"));
        expect(c.ok(transcript("HELLO\n"))).toBe(true);
        expect(c.ok(transcript("HELL\n"))).toBe(false);
        expect(c.ok(transcript("HELLO\n", "198.51.100.254"))).toBe(false);
        expect(c.ok({ ...transcript("HELLO\n"), exitCode: 1 })).toBe(false);
    });
    it("wants ECONNREFUSED from the connected sender, and the unconnected one to know nothing", () => {
        const refused = byTitle("udp-socket", "with no receiver, a connected UDP socket");
        expect(refused.ok(result("sender: sent 5 bytes to 198.51.100.1:12345 on a connected socket\nsender: ECONNREFUSED (recvmsg): an ICMP port unreachable came back\n", 3))).toBe(true);
        expect(refused.ok(result("sender: sent 5 bytes to 198.51.100.1:12345 on a connected socket\nsender: no error within 2000 ms\n", 0))).toBe(false);
        const blind = byTitle("udp-socket", "with no receiver, the seed's sendto()");
        expect(blind.ok(result("sender: sent 5 bytes to 198.51.100.1:12345 (sendto: the socket will never hear whether they arrived)\n"))).toBe(true);
        expect(blind.ok(result("sender: ECONNREFUSED x\n", 1))).toBe(false);
    });
});
