// One spelling of a sysctl key for the whole-stack checks, and the keys the kernel writes together (provider/checks/declared.ts).
import { describe, expect, it } from "vitest";
import { sysctlCanonical, sysctlCoupling } from "../../provider/checks/declared";

describe("sysctlCanonical", () => {
    it.each([
        ["net.ipv4.ip_forward", "net/ipv4/conf/all/forwarding"],
        ["net/ipv4/ip_forward", "net/ipv4/conf/all/forwarding"],
        ["net.ipv4.conf.all.forwarding", "net/ipv4/conf/all/forwarding"],
        ["net.ipv4.conf.eth0/1.rp_filter", "net/ipv4/conf/eth0.1/rp_filter"],
        ["net/ipv4/conf/eth0.1/rp_filter", "net/ipv4/conf/eth0.1/rp_filter"],
        ["net.ipv6.conf.all.forwarding", "net/ipv6/conf/all/forwarding"],
        ["net.core.somaxconn", "net/core/somaxconn"],
    ])("%s -> %s", (key, want) => expect(sysctlCanonical(key)).toBe(want));
});

describe("sysctlCoupling", () => {
    it.each([
        ["net.ipv4.ip_forward", { group: "ipv4 forwarding", all: true }],
        ["net.ipv4.conf.all.forwarding", { group: "ipv4 forwarding", all: true }],
        ["net.ipv4.conf.default.forwarding", { group: "ipv4 forwarding", all: false }],
        ["net/ipv4/conf/eth0.1/forwarding", { group: "ipv4 forwarding", all: false }],
        ["net.ipv6.conf.all.forwarding", { group: "ipv6 forwarding", all: true }],
        ["net.ipv6.conf.x0.disable_ipv6", { group: "ipv6 disable_ipv6", all: false }],
        ["net.ipv4.conf.all.rp_filter", undefined],
        ["net.ipv4.conf.all.disable_ipv6", undefined],
        ["net.ipv6.conf.all.accept_dad", undefined],
    ])("%s", (key, want) => expect(sysctlCoupling(key)).toEqual(want));
});
