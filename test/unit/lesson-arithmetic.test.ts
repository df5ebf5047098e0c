// The arithmetic the chapter lessons do by hand, held to the seeds' own worked examples: the
// netmask AND and the longest match (seed 004), IPv4 fragmentation (seed 003's table); and what
// the lessons read from their config and from nstat. No processes, no root.
import { describe, expect, it } from "vitest";
import { numberStep, step } from "../../stacks/checks";
import { describe as fragmentText, fragment, sendOver } from "../../stacks/fragments";
import { and, andStep, binary, lookup, lookupLines, netmask, type TableRoute } from "../../stacks/netmask";
import { dfSize, parseNstat } from "../../stacks/path-mtu";
import { table } from "../../stacks/routing-table";
import { link, path, routerAddress } from "../../stacks/ttl-traceroute";
import { lessons } from "../../stacks/lessons";

describe("netmask AND (seed 004)", () => {
    it("works the seed's example: 133.20.160.1 AND 255.255.255.0 = 133.20.160.0, in binary", () => {
        // The seed: 10000101000101001010000000000001 ⋀ 11111111111111111111111100000000 = 10000101000101001010000000000000
        expect(binary("133.20.160.1").replace(/\./g, "")).toBe("10000101000101001010000000000001");
        expect(binary(netmask(24)).replace(/\./g, "")).toBe("11111111111111111111111100000000");
        expect(and("133.20.160.1", "255.255.255.0")).toBe("133.20.160.0");
        const s = andStep("133.20.160.1", { to: "133.20.160.0/24", dev: "eth0" });
        expect(s.and.replace(/\./g, "")).toBe("10000101000101001010000000000000");
        expect(s.matches).toBe(true);
    });

    it("sends the seed's 192.0.34.163 to the default gateway: it matches 0.0.0.0/0 only", () => {
        const seedTable: TableRoute[] = [{ to: "133.20.160.0/24", dev: "eth0" }, { to: "default", via: "133.20.160.254" }];
        const r = lookup("192.0.34.163", seedTable);
        expect(r.steps.map((s) => s.matches)).toEqual([false, true]);
        expect(r.chosen?.via).toBe("133.20.160.254");
        expect(lookup("133.20.160.1", seedTable).chosen?.dev).toBe("eth0");
    });

    it.each([
        [0, "0.0.0.0"], [1, "128.0.0.0"], [8, "255.0.0.0"], [24, "255.255.255.0"], [25, "255.255.255.128"], [31, "255.255.255.254"], [32, "255.255.255.255"],
    ])("netmask(/%i) is %s", (prefix, mask) => {
        expect(netmask(prefix)).toBe(mask);
    });

    it("refuses what is no address or prefix", () => {
        expect(() => binary("256.0.0.1")).toThrow(/not an IPv4 address/);
        expect(() => netmask(33)).toThrow(/not a prefix length/);
    });

    it("picks the longest matching prefix in the routing-table lesson, for each step", () => {
        const on = table("on");
        expect(lookup("198.51.100.10", on).chosen?.label).toBe("routerA");
        expect(lookup("198.51.100.200", on).chosen?.label).toBe("routerB");
        expect(lookup("198.51.100.200", on).steps.filter((s) => s.matches).map((s) => s.prefix)).toEqual([24, 25, 0]);
        expect(lookup("203.0.113.100", on).chosen?.label).toBe("routerC");
        expect(lookup("198.51.100.127", on).chosen?.label).toBe("routerA"); // the last address below the /25
        expect(lookup("198.51.100.128", on).chosen?.label).toBe("routerB"); // the first inside it
        expect(lookup("192.0.2.77", on).chosen?.dev).toBe("ns1-veth0");
        const off = table("off");
        expect(off.length).toBe(on.length - 1);
        expect(lookup("198.51.100.200", off).chosen?.label).toBe("routerA");
    });

    it("lays out the hand computation as the seed does: address, AND mask, = result, for every route", () => {
        const lines = lookupLines("198.51.100.200", table("on"));
        expect(lines).toContain("198.51.100.128/25 via 192.0.2.253 (routerB):");
        expect(lines).toContain("      11000110.00110011.01100100.11001000  198.51.100.200");
        expect(lines).toContain("  AND 11111111.11111111.11111111.10000000  255.255.255.128 (/25)");
        expect(lines).toContain("    = 11000110.00110011.01100100.10000000  198.51.100.128 = 198.51.100.128: match");
        expect(lines.at(-1)).toBe("longest match: /25, 198.51.100.128/25 via 192.0.2.253 (routerB)");
        expect(lines.every((l) => l.length <= 100), "short enough for pulumi stack output, which cuts strings of about 150 characters").toBe(true);
    });
});

describe("IPv4 fragmentation (seed 003)", () => {
    it("reproduces the seed's table for 2000 bytes of data over MTUs 1500 then 500", () => {
        const r = sendOver(2000, [1500, 500]);
        expect(r.hops[0]!.map(fragmentText)).toEqual(["H+1480: MF=1, FO=0", "H+520: MF=0, FO=1480"]);
        expect(r.hops[1]!.map(fragmentText)).toEqual([
            "H+480: MF=1, FO=0", "H+480: MF=1, FO=480", "H+480: MF=1, FO=960", "H+40: MF=1, FO=1440",
            "H+480: MF=1, FO=1480", "H+40: MF=0, FO=1960",
        ]);
        expect(r.created).toEqual([2, 6]);
        expect(r.cut).toEqual([1, 2]);
        expect(r.reassembly).toEqual({ reqds: 6, oks: 1 });
    });

    it("cuts 1500-byte datagrams once on seed 002's 1492 link", () => {
        const r = sendOver(2000, [1500, 1492]);
        expect(r.hops[1]!.map(fragmentText)).toEqual(["H+1472: MF=1, FO=0", "H+8: MF=1, FO=1472", "H+520: MF=0, FO=1480"]);
        expect(r.created).toEqual([2, 2]);
        expect(r.reassembly).toEqual({ reqds: 3, oks: 1 });
    });

    it("leaves a datagram that fits alone, and counts no reassembly for it", () => {
        expect(fragment({ length: 1480, offset: 0, more: false }, 1500)).toEqual([{ length: 1480, offset: 0, more: false }]);
        expect(sendOver(1000, [1500, 4000])).toMatchObject({ created: [0, 0], cut: [0, 0], reassembly: { reqds: 0, oks: 0 } });
    });

    it("puts the DF check's datagram above the middle MTU for both steps", () => {
        expect(dfSize(500) + 28).toBeGreaterThan(500);
        expect(dfSize(1492) + 28).toBe(1500); // seed 002: 20 bytes of header and 1480 of data
    });

    it("reads nstat's counters, and only those", () => {
        const out = "#kernel\nIpFragCreates                   6                  0.0\nIpFragOKs 2 0.0\nIpExtInOctets 99 0.0\n";
        expect(parseNstat(out)).toEqual({ IpFragCreates: 6, IpFragOKs: 2 });
    });
});

describe("the chain of routers (ttl-traceroute)", () => {
    it("gives router i and i+1 a /30 of 203.0.113.0/24, the seed's .1 and .2 first", () => {
        expect(link(1)).toEqual({ up: "203.0.113.1", down: "203.0.113.2" });
        expect(link(7)).toEqual({ up: "203.0.113.25", down: "203.0.113.26" });
        expect(routerAddress(1)).toBe("192.0.2.254");
        expect(routerAddress(3)).toBe("203.0.113.6");
    });

    it("lists every router in order, then the target", () => {
        expect(path(1)).toEqual(["192.0.2.254", "198.51.100.1"]);
        expect(path(4)).toEqual(["192.0.2.254", "203.0.113.2", "203.0.113.6", "203.0.113.10", "198.51.100.1"]);
        expect(path(8)).toHaveLength(9);
    });
});

describe("the steps of the chapter lessons are validated", () => {
    it.each([["0"], ["9"], ["3.5"], ["03"], ["three"], [" 3"], ["-1"]])("hops=%j is refused, naming key, value and range", (value) => {
        expect(() => numberStep("ttl-traceroute", "hops", value, { min: 1, max: 8, fallback: 3 }))
            .toThrow(`lesson ttl-traceroute: config 'hops' must be a whole number from 1 to 8 (default 3), not "${value}"; set it with: npm run lab -- up ttl-traceroute hops=3`);
    });

    it("takes 1 to 8, and 3 when unset", () => {
        expect([undefined, "", "1", "8"].map((v) => numberStep("ttl-traceroute", "hops", v, { min: 1, max: 8, fallback: 3 }))).toEqual([3, 3, 1, 8]);
    });

    it("refuses other values in the checks of each lesson too (verify reads the same config)", () => {
        expect(() => lessons["ttl-traceroute"]!.checks("x-", { hops: "9" })).toThrow(/config 'hops' must be a whole number from 1 to 8/);
        expect(() => lessons["path-mtu"]!.checks("x-", { middleMtu: "9000" }))
            .toThrow(`lesson path-mtu: config 'middleMtu' must be "500" or "1492" (default "500"), not "9000"`);
        expect(() => lessons["routing-table"]!.checks("x-", { slash25: "maybe" }))
            .toThrow(`lesson routing-table: config 'slash25' must be "on" or "off" (default "on"), not "maybe"`);
        expect(() => step("path-mtu", "middleMtu", "1500", ["500", "1492"])).toThrow(/not "1500"/);
    });

    it("has one check per router for the Time Exceeded, each naming the router's address", () => {
        const titles = lessons["ttl-traceroute"]!.checks("x-", { hops: "5" }).map((c) => c.title);
        for (let k = 1; k <= 5; k++) expect(titles.some((t) => t.includes(`(ping -t ${k}): router${k} (${routerAddress(k)}) answers ICMP type 11 code 0`))).toBe(true);
        expect(titles.some((t) => t.includes("(ping -t 6): the request arrives with a TTL of 1"))).toBe(true);
    });
});
