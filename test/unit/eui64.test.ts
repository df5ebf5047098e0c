// Modified EUI-64 (RFC 4291 appendix A), as the kernel makes link-local addresses from a MAC:
// the seed's example, the universal/local bit inverted (not set), and the veth update's argv.
import { describe, expect, it } from "vitest";
import { eui64Address, eui64InterfaceId, eui64LinkLocal } from "../../provider/kinds/eui64";
import { argv } from "../../provider/kinds/veth";

describe("EUI-64 from a MAC address", () => {
    it.each([
        // seed 004: 00-0B-97-28-C6-D5 -> 020B:97FF:FE28:C6D5, link-local FE80::020B:97FF:FE28:C6D5
        ["00:0b:97:28:c6:d5", "fe80::20b:97ff:fe28:c6d5"],
        ["00:0B:97:28:C6:D5", "fe80::20b:97ff:fe28:c6d5"],
        // locally administered (bit 0x02 set): the kernel inverts it to 0, so the identifier starts with zeros
        ["02:00:5e:10:00:01", "fe80::5eff:fe10:1"],
        ["02:00:5e:00:53:02", "fe80::5eff:fe00:5302"],
        // RFC 7042's documentation MAC
        ["00:00:5e:00:53:01", "fe80::200:5eff:fe00:5301"],
        ["ff:ff:ff:ff:ff:fe", "fe80::fdff:ffff:feff:fffe"],
        ["00:00:00:00:00:00", "fe80::200:ff:fe00:0"],
    ])("%s -> %s", (mac, ll) => {
        expect(eui64LinkLocal(mac)).toBe(ll);
    });

    it("inserts ff:fe between the halves and inverts the universal/local bit", () => {
        expect(eui64InterfaceId("00:0b:97:28:c6:d5").toString(16)).toBe("20b97fffe28c6d5");
        expect(eui64InterfaceId("02:0b:97:28:c6:d5").toString(16)).toBe("b97fffe28c6d5");
    });

    it("makes the seed's global example on subnet 1: 2001:0DB8::1:020B:97FF:FE28:C6D5", () => {
        expect(eui64Address("2001:db8:0:1::", "00:0b:97:28:c6:d5")).toBe("2001:db8:0:1:20b:97ff:fe28:c6d5");
        // host bits of the prefix are ignored: only its upper 64 bits count
        expect(eui64Address("2001:db8:0:1::ffff", "00:0b:97:28:c6:d5")).toBe("2001:db8:0:1:20b:97ff:fe28:c6d5");
    });

    it.each(["00:0b:97:28:c6", "00-0b-97-28-c6-d5", "zz:0b:97:28:c6:d5", ""])("refuses %j", (mac) => {
        expect(() => eui64LinkLocal(mac)).toThrow(/is not a MAC address/);
    });
    it("refuses a prefix that is not IPv6", () => {
        expect(() => eui64Address("192.0.2.0", "00:0b:97:28:c6:d5")).toThrow(/not an IPv6 prefix/);
    });
});

describe("VethPair: renewing the link-local address after a new MAC", () => {
    const end = { name: "ns1-veth0", namespace: "ns1" };
    it("reads the MAC with the link-scope addresses (no -6: ip would leave the MAC out)", () => {
        expect(argv.linkLocal(end)).toEqual(["ip", "-n", "ns1", "-j", "address", "show", "dev", "ns1-veth0", "scope", "link"]);
    });
    it("regenerates through sysctl (none, then eui64), slash-separated so a dot in a name stays literal", () => {
        expect(argv.regenerate(end)).toEqual(["ip", "netns", "exec", "ns1", "sysctl", "-q", "-w",
            "net/ipv6/conf/ns1-veth0/addr_gen_mode=1", "net/ipv6/conf/ns1-veth0/addr_gen_mode=0"]);
        expect(argv.regenerate({ name: "eth0.100", namespace: "ns1" })).toContain("net/ipv6/conf/eth0.100/addr_gen_mode=1");
    });
    it("then removes the old one", () => {
        expect(argv.delAddress(end, "fe80::20b:97ff:fe28:c6d5/64")).toEqual(["ip", "-n", "ns1", "address", "del", "fe80::20b:97ff:fe28:c6d5/64", "dev", "ns1-veth0"]);
    });
});
