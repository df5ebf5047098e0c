// Address arithmetic from provider/model/net.ts: parsing, network/host/broadcast, containment, and the
// canonical text form (RFC 5952, as inet_ntop and `ip -j` print it).
import { describe, expect, it } from "vitest";
import { contains, formatCidr, formatIp, isBroadcast, isNetworkAddress, parseCidr, parseIp, type Cidr } from "../../provider/model/net";

const cidr = (s: string): Cidr => {
    const c = parseCidr(s);
    if (!c) throw new Error(`test data: ${s} is not a CIDR`);
    return c;
};

describe("parseIp", () => {
    it.each([
        { text: "0.0.0.0", family: 4, value: 0n },
        { text: "192.0.2.1", family: 4, value: 0xc0000201n },
        { text: "255.255.255.255", family: 4, value: 0xffffffffn },
        { text: "::", family: 6, value: 0n },
        { text: "::1", family: 6, value: 1n },
        { text: "1::", family: 6, value: 1n << 112n },
        { text: "2001:db8::1", family: 6, value: 0x20010db8000000000000000000000001n },
        { text: "2001:DB8::1", family: 6, value: 0x20010db8000000000000000000000001n },
        { text: "2001:0db8:0000:0000:0000:0000:0000:0001", family: 6, value: 0x20010db8000000000000000000000001n },
        { text: "fe80::1:2", family: 6, value: 0xfe800000000000000000000000010002n },
        { text: "1:2:3:4:5:6:7:8", family: 6, value: 0x00010002000300040005000600070008n },
        { text: "::ffff:192.0.2.1", family: 6, value: 0xffffc0000201n },
        { text: "::192.0.2.1", family: 6, value: 0xc0000201n },
        { text: "64:ff9b::198.51.100.7", family: 6, value: 0x0064ff9b0000000000000000c6336407n },
        { text: "1:2:3:4:5:6:1.2.3.4", family: 6, value: 0x00010002000300040005000601020304n },
    ])("$text", ({ text, family, value }) => {
        expect(parseIp(text)).toEqual({ family, value });
    });

    it.each([
        "", "abc", "1.2.3", "1.2.3.4.5", "256.1.1.1", "300.1.1.1", "01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ",
        "192.0.2.1/24", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "2001:db8::g", "fe80::1%eth0", "::ffff:300.0.0.1", "default",
    ])("refuses %j", (text) => {
        expect(parseIp(text)).toBeUndefined();
    });
});

describe("parseCidr", () => {
    it.each([
        { text: "192.0.2.1/24", family: 4, value: 0xc0000201n, prefix: 24 },
        { text: "0.0.0.0/0", family: 4, value: 0n, prefix: 0 },
        { text: "192.0.2.1/32", family: 4, value: 0xc0000201n, prefix: 32 },
        { text: "::/0", family: 6, value: 0n, prefix: 0 },
        { text: "2001:db8::/64", family: 6, value: 0x20010db8n << 96n, prefix: 64 },
        { text: "2001:db8::1/128", family: 6, value: (0x20010db8n << 96n) | 1n, prefix: 128 },
        { text: "::ffff:192.0.2.1/96", family: 6, value: 0xffffc0000201n, prefix: 96 },
    ])("$text", ({ text, family, value, prefix }) => {
        expect(parseCidr(text)).toEqual({ family, value, prefix });
    });

    it.each([
        "192.0.2.1", "192.0.2.1/", "/24", "192.0.2.1/33", "192.0.2.1/024", "192.0.2.1/-1", "192.0.2.1/+1", "192.0.2.1/1e1",
        "192.0.2.1/24/1", "192.0.2.1 /24", "192.0.2.1/ 24", "300.1.1.1/24", "2001:db8::/129", "2001:db8::/1000", "abc",
        "abc/24", "default", "fe80::1%eth0/64", "",
    ])("refuses %j", (text) => {
        expect(parseCidr(text)).toBeUndefined();
    });
});

describe("isNetworkAddress", () => {
    it.each([
        ["192.0.2.0/24", true], ["192.0.2.1/24", false], ["192.0.2.64/26", true], ["192.0.2.65/26", false],
        ["10.0.0.0/8", true], ["10.1.0.0/8", false], ["0.0.0.0/0", true], ["192.0.2.1/32", true],
        ["192.0.2.0/31", true], ["192.0.2.1/31", false], ["2001:db8::/64", true], ["2001:db8::1/64", false],
        ["2001:db8:0:0:8000::/64", false], ["::/0", true], ["2001:db8::1/128", true], ["2001:db8::/127", true],
    ] as const)("%s: %s", (text, want) => {
        expect(isNetworkAddress(cidr(text))).toBe(want);
    });
});

describe("isBroadcast", () => {
    it.each([
        ["192.0.2.255/24", true], ["192.0.2.254/24", false], ["192.0.2.3/30", true], ["192.0.2.127/25", true],
        ["10.255.255.255/8", true], ["10.0.0.255/16", false], ["255.255.255.255/0", true],
        // No broadcast address on point-to-point links or single addresses.
        ["192.0.2.1/31", false], ["192.0.2.255/32", false],
        // IPv6 has no broadcast.
        ["2001:db8::ffff:ffff:ffff:ffff/64", false], ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0", false],
    ] as const)("%s: %s", (text, want) => {
        expect(isBroadcast(cidr(text))).toBe(want);
    });
});

describe("contains", () => {
    it.each([
        ["192.0.2.0/24", "192.0.2.1", true],
        ["192.0.2.0/24", "192.0.2.255", true],
        ["192.0.2.0/24", "192.0.3.0", false],
        ["192.0.2.7/24", "192.0.2.200", true], // host bits of the network do not matter
        ["192.0.2.0/25", "192.0.2.128", false],
        ["0.0.0.0/0", "203.0.113.9", true],
        ["192.0.2.1/32", "192.0.2.1", true],
        ["192.0.2.1/32", "192.0.2.2", false],
        ["2001:db8::/64", "2001:db8::ffff", true],
        ["2001:db8::/64", "2001:db8:0:1::1", false],
        ["::/0", "2001:db8::1", true],
        // Never across families, not even for ::/0 and an IPv4 address of the same value.
        ["::/0", "192.0.2.1", false],
        ["0.0.0.0/0", "::1", false],
        ["::/96", "0.0.0.1", false],
    ] as const)("%s contains %s: %s", (net, ip, want) => {
        expect(contains(cidr(net), parseIp(ip)!)).toBe(want);
    });
});

describe("formatIp", () => {
    it.each([
        // IPv4
        ["192.0.2.1", "192.0.2.1"],
        ["0.0.0.0", "0.0.0.0"],
        ["255.255.255.255", "255.255.255.255"],
        // RFC 5952 4.1: no leading zeros. 4.3: lower case.
        ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
        ["2001:DB8::ABCD", "2001:db8::abcd"],
        // 4.2.1: the longest run of zeros is compressed, as far as possible.
        ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"],
        ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
        // 4.2.2: a single zero group is not compressed.
        ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
        ["0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"],
        ["1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"],
        // 4.2.3: of equal runs the first is compressed.
        ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
        ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"],
        // Runs at either end, and everything.
        ["0:0:0:0:0:0:0:0", "::"],
        ["0:0:0:0:0:0:0:1", "::1"],
        ["1:0:0:0:0:0:0:0", "1::"],
        ["fe80:0:0:0:0:0:0:0", "fe80::"],
        ["0:0:1:0:0:0:0:0", "0:0:1::"],
        // Section 5: IPv4-mapped and IPv4-compatible addresses end in dotted decimal, as inet_ntop prints them.
        ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
        ["0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1"],
        ["::ffff:0.0.0.0", "::ffff:0.0.0.0"],
        ["::192.0.2.1", "::192.0.2.1"],
        ["::0.0.0.2", "::2"],
        // Other addresses with zeros in front are plain hex.
        ["::1:0:0", "::1:0:0"],
        ["::ffff:0:c000:201", "::ffff:0:c000:201"],
        ["64:ff9b::198.51.100.7", "64:ff9b::c633:6407"],
        ["1::ffff:c000:201", "1::ffff:c000:201"],
    ])("%s -> %s", (text, want) => {
        expect(formatIp(parseIp(text)!)).toBe(want);
    });

    it.each(["192.0.2.1", "::", "::1", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "::ffff:192.0.2.1", "::192.0.2.1", "1::", "fe80::1:2:3"])(
        "round-trips %s",
        (text) => {
            const ip = parseIp(text)!;
            expect(formatIp(ip)).toBe(text);
            expect(parseIp(formatIp(ip))).toEqual(ip);
        },
    );
});

describe("formatCidr", () => {
    it.each([
        ["192.0.2.1/24", "192.0.2.1/24"],
        ["0.0.0.0/0", "0.0.0.0/0"],
        ["2001:db8:0::1/64", "2001:db8::1/64"],
        ["2001:0DB8:0000:0001:0000:0000:0000:0000/64", "2001:db8:0:1::/64"],
        ["0:0:0:0:0:0:0:0/0", "::/0"],
        ["::ffff:c000:0201/96", "::ffff:192.0.2.1/96"],
        ["2001:db8::/128", "2001:db8::/128"],
    ])("%s -> %s", (text, want) => {
        expect(formatCidr(cidr(text))).toBe(want);
    });
});
