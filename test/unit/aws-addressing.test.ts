// AWS's rules for VPC and subnet CIDR blocks and instance addresses (stacks/aws/addressing.ts),
// which the vpc lesson's components apply before they make anything. Pure functions, no processes.
import { describe, expect, it } from "vitest";
import { firstFree, instanceAddressProblem, reservedAddresses, routerAddress, subnetCidrProblem, usableRange, vpcCidrProblem } from "../../stacks/aws/addressing";

const VPC = { name: "dev-vpc", cidrBlock: "192.168.0.0/16" };
const PUBLIC = { name: "dev-subnet-public", cidrBlock: "192.168.1.0/28" };

describe("the five addresses AWS keeps in every subnet", () => {
    it("192.168.1.0/28: .0 .1 .2 .3 and .15; instances get .4 to .14; the router is .1", () => {
        expect(reservedAddresses("192.168.1.0/28").map((r) => r.address)).toEqual(["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3", "192.168.1.15"]);
        expect(usableRange("192.168.1.0/28")).toEqual({ first: "192.168.1.4", last: "192.168.1.14" });
        expect(routerAddress("192.168.1.0/28")).toBe("192.168.1.1/28");
    });

    it("a /24 and a /16 the same way", () => {
        expect(usableRange("10.0.5.0/24")).toEqual({ first: "10.0.5.4", last: "10.0.5.254" });
        expect(usableRange("192.168.0.0/16")).toEqual({ first: "192.168.0.4", last: "192.168.255.254" });
        expect(routerAddress("192.168.0.0/16")).toBe("192.168.0.1/16");
    });
});

describe("VPC CIDR blocks", () => {
    it.each([
        ["192.168.0.0/16", undefined],
        ["10.0.0.0/28", undefined],
        ["10.0.0.0/8", /is a \/8; AWS takes a VPC CIDR block from \/16 \(65536 addresses\) to \/28 \(16 addresses\)/],
        ["10.0.0.0/29", /is a \/29/],
        ["192.168.1.0/16", /has host bits set; the block starts at 192\.168\.0\.0\/16/],
        ["192.168.0.0", /is not an IPv4 CIDR block/],
        ["2001:db8::/56", /is not an IPv4 CIDR block/],
        ["dev-vpc", /is not an IPv4 CIDR block/],
    ])("%s", (cidr, want) => {
        const p = vpcCidrProblem(cidr);
        if (want === undefined) expect(p).toBeUndefined();
        else expect(p).toMatch(want);
    });
});

describe("subnet CIDR blocks", () => {
    const siblings = [{ name: "dev-subnet-private", cidrBlock: "192.168.2.0/28" }];
    it.each([
        ["192.168.1.0/28", undefined],
        ["192.168.2.16/28", undefined],
        ["192.168.0.0/16", /overlaps subnet dev-subnet-private/], // the whole VPC
        ["192.168.2.0/28", /overlaps subnet dev-subnet-private \(192\.168\.2\.0\/28\); the subnets of a VPC must not overlap/],
        ["192.168.2.0/24", /overlaps subnet dev-subnet-private/],
        ["192.168.2.8/29", /is a \/29/],
        ["10.0.1.0/28", /is not inside the CIDR block of VPC dev-vpc \(192\.168\.0\.0\/16\)/],
        ["192.168.1.4/28", /has host bits set; the block starts at 192\.168\.1\.0\/28/],
        ["192.168.1.0/30", /AWS takes a subnet CIDR block from \/16/],
    ])("%s", (cidr, want) => {
        const p = subnetCidrProblem(VPC, cidr, siblings);
        if (want === undefined) expect(p).toBeUndefined();
        else expect(p).toMatch(want);
    });
});

describe("instance addresses", () => {
    const RANGE = /use an address from 192\.168\.1\.4 to 192\.168\.1\.14/;
    it.each([
        ["192.168.1.4", undefined],
        ["192.168.1.14", undefined],
        ["192.168.1.0", /AWS reserves it \(the network address\)/],
        ["192.168.1.1", /AWS reserves it \(the VPC router's address\)/],
        ["192.168.1.2", /AWS reserves it \(the DNS server's address\)/],
        ["192.168.1.3", /192\.168\.1\.3 cannot be used in subnet dev-subnet-public \(192\.168\.1\.0\/28\): AWS reserves it \(for future use\)\. AWS keeps the first four addresses and the last one of every subnet/],
        ["192.168.1.15", /AWS reserves it \(the broadcast address/],
        ["192.168.1.16", /192\.168\.1\.16 is not in subnet dev-subnet-public \(192\.168\.1\.0\/28\)/],
        ["192.168.2.4", /is not in subnet/],
        ["192.168.1.4/28", /is not an IPv4 address such as 192\.168\.1\.4 \(give it without a prefix length: the subnet's \/28 is used\)/],
        ["2001:db8::4", /is not an IPv4 address/],
        ["web", /is not an IPv4 address/],
    ])("%s", (address, want) => {
        const p = instanceAddressProblem(PUBLIC, address);
        if (want === undefined) expect(p).toBeUndefined();
        else {
            expect(p).toMatch(want);
            if (!/not an IPv4/.test(p!)) expect(p).toMatch(RANGE);
        }
    });

    it("refuses an address another instance has", () => {
        expect(instanceAddressProblem(PUBLIC, "192.168.1.4", ["192.168.1.4"])).toMatch(/already the address of another instance in subnet dev-subnet-public/);
    });

    it("hands out the first free usable address, as AWS does, and nothing when the subnet is full", () => {
        expect(firstFree("192.168.1.0/28", [])).toBe("192.168.1.4");
        expect(firstFree("192.168.1.0/28", ["192.168.1.4", "192.168.1.6"])).toBe("192.168.1.5");
        const all = Array.from({ length: 11 }, (_, i) => `192.168.1.${i + 4}`);
        expect(firstFree("192.168.1.0/28", all.slice(0, 10))).toBe("192.168.1.14");
        expect(firstFree("192.168.1.0/28", all)).toBeUndefined();
    });
});
