// What a check report shows under "saw:": the lines that carry the evidence (ping's replies with
// their ttl, the ICMP error line, traceroute's hops), chosen by what they say, not ping's banner.
import { describe, expect, it } from "vitest";
import { evidenceLines, formatOutcome, type CheckOutcome } from "../../lab/checks";

const reply = [
    "PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.",
    "64 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time=0.061 ms",
    "64 bytes from 198.51.100.1: icmp_seq=2 ttl=63 time=0.049 ms",
    "",
    "--- 198.51.100.1 ping statistics ---",
    "2 packets transmitted, 2 received, 0% packet loss, time 201ms",
    "rtt min/avg/max/mdev = 0.049/0.055/0.061/0.006 ms",
].join("\n");

const unreachable = [
    "PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.",
    "From 192.0.2.254 icmp_seq=1 Destination Net Unreachable",
    "From 192.0.2.254 icmp_seq=2 Destination Net Unreachable",
    "",
    "--- 198.51.100.1 ping statistics ---",
    "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 202ms",
].join("\n");

const trace = [
    "traceroute to 198.51.100.1 (198.51.100.1), 6 hops max, 60 byte packets",
    " 1  192.0.2.254  0.040 ms  0.010 ms  0.008 ms",
    " 2  203.0.113.2  0.020 ms  0.012 ms  0.011 ms",
    " 3  198.51.100.1  0.022 ms  0.014 ms  0.013 ms",
].join("\n");

function outcome(ok: boolean, stdout: string, exitCode = ok ? 0 : 1): CheckOutcome {
    const lines = evidenceLines(stdout);
    return {
        check: { title: "ns1 reaches ns2", argv: ["ip", "netns", "exec", "ns1", "ping", "198.51.100.1"], expect: "replies with ttl=63", ok: () => ok },
        ok, exitCode, saw: `exit ${exitCode}\n${lines.map((l) => `      | ${l}`).join("\n")}`,
    };
}

describe("evidenceLines", () => {
    it.each([
        ["ping's replies with their ttl and its tally", reply, [
            "64 bytes from 198.51.100.1: icmp_seq=1 ttl=63 time=0.061 ms",
            "64 bytes from 198.51.100.1: icmp_seq=2 ttl=63 time=0.049 ms",
            "2 packets transmitted, 2 received, 0% packet loss, time 201ms",
        ]],
        ["the ICMP error lines, naming the router", unreachable, [
            "From 192.0.2.254 icmp_seq=1 Destination Net Unreachable",
            "From 192.0.2.254 icmp_seq=2 Destination Net Unreachable",
            "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 202ms",
        ]],
        ["traceroute's hops", trace, [" 1  192.0.2.254  0.040 ms  0.010 ms  0.008 ms", " 2  203.0.113.2  0.020 ms  0.012 ms  0.011 ms", " 3  198.51.100.1  0.022 ms  0.014 ms  0.013 ms"]],
        ["ping's own error", "ping: connect: Network is unreachable", ["ping: connect: Network is unreachable"]],
        ["ping with a source address in its banner", "PING 192.0.2.1 (192.0.2.1) from 192.0.2.254 gw-veth0: 56(84) bytes of data.\n64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.05 ms",
            ["64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.05 ms"]],
        ["anything else, whole", "net.ipv4.ip_forward = 1", ["net.ipv4.ip_forward = 1"]],
        ["a banner alone (no reply at all) is still shown rather than nothing", "PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.", ["PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data."]],
    ])("%s", (_what, text, want) => {
        expect(evidenceLines(text)).toEqual(want);
    });
});

describe("formatOutcome", () => {
    it("a passing ping shows its replies with the ttl, not the banner", () => {
        const s = formatOutcome(outcome(true, reply));
        expect(s).toContain("saw:      exit 0\n      | 64 bytes from 198.51.100.1: icmp_seq=1 ttl=63");
        expect(s).toContain("icmp_seq=2 ttl=63");
        expect(s).not.toContain("bytes of data");
    });

    it("a failing ping shows the ICMP error line", () => {
        const s = formatOutcome(outcome(false, unreachable));
        expect(s).toContain("| From 192.0.2.254 icmp_seq=1 Destination Net Unreachable");
        expect(s).not.toContain("bytes of data");
    });
});
