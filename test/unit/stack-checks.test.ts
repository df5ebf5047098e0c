// The whole-stack checks (provider/checks/declared.ts) through the resource classes, with the SDK's mocks
// (`pulumi.runtime.setMocks`): no engine, no processes. Each `setMocks` is a new program run, so
// each test gets its own StackChecks object; a failure is logged against the resource and sets
// the exit code the CLI would see (32), which the tests check and reset.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { Address, Bridge, Namespace, Route, Rule, Sysctl, Tunnel, VethPair } from "../../provider";
import { stackChecks } from "../../provider/checks/declared";

const mocks: pulumi.runtime.Mocks = {
    // The engine's answer: the inputs as outputs, nothing computed (so a computed output such as
    // linkLocal stays unknown in a preview, as it does before the pair exists).
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: () => ({}),
};

async function run(preview = false) {
    await pulumi.runtime.setMocks(mocks, "project", "stack", preview);
    return stackChecks();
}

/** Waits until every claim rule has had its values (or, with unknowns, until the SDK has nothing left to resolve). */
async function settle(checks: ReturnType<typeof stackChecks>, unknowns = false): Promise<void> {
    for (let i = 0; i < 100 && !checks.settled; i++) await new Promise((r) => setTimeout(r, 10));
    if (unknowns) await new Promise((r) => setTimeout(r, 200));
    else expect(checks.settled).toBe(true);
}

afterEach(() => {
    process.exitCode = undefined;
});

/** A program that makes one whole-stack problem, and the one failure it must get. */
interface Refused { what: string; make: () => void; failure: RegExp }

/** One test per case: exactly its failure, logged, and the CLI's exit code. */
function eachRefused(cases: Refused[]): void {
    for (const c of cases) {
        it(c.what, async () => {
            const checks = await run();
            c.make();
            await settle(checks);
            expect(checks.failures).toHaveLength(1);
            expect(checks.failures[0]).toMatch(c.failure);
            expect(process.exitCode).toBe(32);
        });
    }
}

describe("duplicates, one kind at a time", () => {
    const cases: Refused[] = [
        {
            what: "two Namespaces with one name",
            make: () => { new Namespace("a", { name: "lab" }); new Namespace("b", { name: "lab" }); },
            failure: /^Namespace "b": property name "lab" is already used by Namespace "a" \(name\): one stack cannot create two namespaces with one name$/,
        },
        {
            what: "a veth end and a bridge with one name in one namespace",
            make: () => {
                new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2" });
                new Bridge("br", { name: "y0", namespace: "n2" });
            },
            failure: /^Bridge "br": property name "y0" in namespace n2 is already used by VethPair "cable" \(peerName\): two interfaces in one namespace need different names$/,
        },
        {
            what: "two VethPairs with one end name in one namespace",
            make: () => {
                new VethPair("one", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2" });
                new VethPair("two", { name: "x1", namespace: "n1", peerName: "x0", peerNamespace: "n1" });
            },
            failure: /^VethPair "two": property peerName "x0" in namespace n1 is already used by VethPair "one" \(name\)/,
        },
        {
            what: "one Address twice on one interface, spelled two ways",
            make: () => {
                new Address("a", { namespace: "n1", dev: "x0", address: "2001:db8:0::1/64" });
                new Address("b", { namespace: "n1", dev: "x0", address: "2001:db8::1/64" });
            },
            failure: /^Address "b": property address 2001:db8::1\/64 on x0 in namespace n1 is already used by Address "a" \(address\): the same address on the same interface is one kernel object$/,
        },
        {
            what: "two Routes with one destination, table and metric (IPv4 metric 0 is no metric)",
            make: () => {
                new Route("a", { namespace: "n1", to: "198.51.100.0/24", dev: "x0" });
                new Route("b", { namespace: "n1", to: "198.51.100.0/24", dev: "x1", metric: 0 });
            },
            failure: /^Route "b": property to 198.51.100.0\/24 \(table main, metric 0\) in namespace n1 is already used by Route "a" \(to\): the kernel keeps one route per destination, table and metric$/,
        },
        {
            what: "two Sysctls with one key (the schema refuses the slash spelling, so only dots can collide)",
            make: () => {
                new Sysctl("a", { namespace: "n1", key: "net.ipv4.ip_forward", value: "1" });
                new Sysctl("b", { namespace: "n1", key: "net.ipv4.ip_forward", value: "0" });
            },
            failure: /^Sysctl "b": property key net\.ipv4\.ip_forward in namespace n1 is already used by Sysctl "a" \(key\): two values for one setting would overwrite each other on every up$/,
        },
        {
            what: "two identical Rules",
            make: () => {
                new Rule("a", { namespace: "n1", priority: 100, from: "192.0.2.0/24", lookup: 100 });
                new Rule("b", { namespace: "n1", priority: 100, from: "192.0.2.0/24", type: "blackhole" });
            },
            failure: /^Rule "b": property priority 100 \(from 192.0.2.0\/24 to all\) in namespace n1 is already used by Rule "a" \(priority\): the kernel refuses a second identical rule$/,
        },
        {
            what: "two VXLAN Tunnels with one VNI on one port in one namespace",
            make: () => {
                new Tunnel("a", { name: "vx0", namespace: "n1", type: "vxlan", vni: 42, dev: "x0", remote: "192.0.2.2" });
                new Tunnel("b", { name: "vx1", namespace: "n1", type: "vxlan", vni: 42, dstport: 4789, dev: "x0", remote: "192.0.2.3" });
            },
            failure: /^Tunnel "b": property vni VNI 42 on port 4789 in namespace n1 is already used by Tunnel "a" \(vni\): the kernel refuses a second VXLAN device with one VNI on one port in a namespace$/,
        },
        {
            what: "a Tunnel named like a veth end",
            make: () => {
                new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2" });
                new Tunnel("t", { name: "x0", namespace: "n1", type: "vxlan", vni: 42, dev: "x9", remote: "192.0.2.2" });
            },
            failure: /^Tunnel "t": property name "x0" in namespace n1 is already used by VethPair "cable" \(name\)/,
        },
    ];
    eachRefused(cases);

    it("accepts what only looks alike: other namespaces, tables, metrics, priorities, families", async () => {
        const checks = await run();
        new Namespace("a", { name: "n1" });
        new Namespace("b", { name: "n2" });
        new VethPair("cable", { name: "x0", namespace: "n1", peerName: "x0", peerNamespace: "n2" });
        new Address("a1", { namespace: "n1", dev: "x0", address: "192.0.2.1/24" });
        new Address("a2", { namespace: "n2", dev: "x0", address: "192.0.2.1/24" });
        new Route("r1", { namespace: "n1", to: "default", via: "192.0.2.2" });
        new Route("r2", { namespace: "n1", to: "default", via: "192.0.2.2", table: 100 });
        new Route("r3", { namespace: "n1", to: "default", via: "192.0.2.2", metric: 10 });
        new Rule("p1", { namespace: "n1", priority: 100, lookup: 100 });
        new Rule("p2", { namespace: "n1", priority: 100, from: "2001:db8::/64", lookup: 100 });
        new Sysctl("s1", { namespace: "n1", key: "net.ipv4.ip_forward", value: "1" });
        new Sysctl("s2", { namespace: "n2", key: "net.ipv4.ip_forward", value: "1" });
        await settle(checks);
        checks.finish();
        expect(checks.failures).toEqual([]);
        expect(process.exitCode).toBeUndefined();
    });
});

describe("gateways", () => {
    it("refuses a gateway on no segment of a namespace the stack creates, once the program has registered everything", async () => {
        const checks = await run();
        const ns = new Namespace("ns1", { name: "ns1" });
        new Address("ns1-ip", { namespace: ns.name, dev: "x0", address: "192.0.2.1/24" });
        new Route("ns1-default", { namespace: ns.name, to: "default", via: "203.0.113.1" });
        await settle(checks);
        expect(checks.failures).toEqual([]); // decided only at the end: an Address may come later
        checks.finish();
        expect(checks.failures).toEqual([
            `Route "ns1-default": property via 203.0.113.1 is on no connected segment of namespace ns1 (its segments in this stack: 192.0.2.1/24 (Address "ns1-ip")): the kernel would refuse this gateway. Add an Address in the gateway's subnet to ns1, or fix via`,
        ]);
        expect(process.exitCode).toBe(32);
    });

    it("says when the stack puts no address in the namespace", async () => {
        const checks = await run();
        new Namespace("ns1", { name: "ns1" });
        new Route("r", { namespace: "ns1", to: "198.51.100.0/24", via: "192.0.2.254" });
        await settle(checks);
        checks.finish();
        expect(checks.failures).toHaveLength(1);
        expect(checks.failures[0]).toMatch(/\(this stack puts no address in it\)/);
    });

    it("accepts a gateway on a segment of an Address or of a Route through a device, a link-local gateway, and any gateway in an adopted or foreign namespace", async () => {
        const checks = await run();
        new Namespace("ns1", { name: "ns1" });
        new Namespace("adopted", { name: "ns2", adopt: true });
        new Address("ip", { namespace: "ns1", dev: "x0", address: "192.0.2.1/24" });
        new Route("on-link", { namespace: "ns1", to: "198.51.100.0/24", dev: "x1" });
        new Route("via-addr", { namespace: "ns1", to: "default", via: "192.0.2.254" });
        new Route("via-link", { namespace: "ns1", to: "203.0.113.0/24", via: "198.51.100.7" });
        new Route("v6-ll", { namespace: "ns1", to: "2001:db8:2::/64", via: "fe80::1", dev: "x0" });
        new Route("adopted-ns", { namespace: "ns2", to: "default", via: "203.0.113.1" });
        new Route("foreign-ns", { namespace: "elsewhere", to: "default", via: "203.0.113.1" });
        await settle(checks);
        checks.finish();
        expect(checks.failures).toEqual([]);
    });
});

describe("unknown values in a preview", () => {
    it("are not checked: a duplicate whose name is unknown, and gateways when any Address or Route is unknown", async () => {
        const checks = await run(true);
        const ns = new Namespace("ns1", { name: "ns1" });
        const cable = new VethPair("cable", { name: "x0", namespace: ns.name, peerName: "y0", peerNamespace: "ns2" });
        // cable.mac is computed: unknown until the pair exists.
        new Bridge("br", { name: cable.mac.apply((m) => `br${m.slice(-2)}`), namespace: "ns2" });
        new Bridge("br2", { name: cable.mac.apply(() => "y0"), namespace: "ns2" });
        new Address("ip", { namespace: ns.name, dev: "x0", address: "192.0.2.1/24" });
        new Route("r", { namespace: ns.name, to: "2001:db8:2::/64", via: cable.linkLocal.apply((ll) => ll.replace("fe80", "2001:db8:9")) });
        new Route("r2", { namespace: ns.name, to: "default", via: "203.0.113.1" });
        await settle(checks, true);
        expect(checks.settled).toBe(false);
        checks.finish();
        expect(checks.failures).toEqual([]);
        expect(process.exitCode).toBeUndefined();
    });
});

describe("one object per program run", () => {
    it("never shares claims between two runs in one process (Automation API inline programs)", async () => {
        const first = await run();
        new Namespace("a", { name: "lab" });
        await settle(first);
        const second = await run();
        expect(second).not.toBe(first);
        new Namespace("a", { name: "lab" });
        await settle(second);
        expect(first.failures).toEqual([]);
        expect(second.failures).toEqual([]);
        expect(stackChecks()).toBe(second);
    });
});

describe("inline sub-objects against the standalone kinds", () => {
    const cases: Refused[] = [
        {
            what: "an address declared inline and by an Address on the same end",
            make: () => {
                new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses: ["192.0.2.1/24"] });
                new Address("ip", { namespace: "n1", dev: "x0", address: "192.0.2.1/24" });
            },
            failure: /^Address "ip": property address 192\.0\.2\.1\/24 on x0 in namespace n1 is already used by VethPair "cable" \(addresses\): the same address on the same interface is one kernel object$/,
        },
        {
            what: "a route declared inline and by a Route (the standalone one first)",
            make: () => {
                new Route("r", { namespace: "n2", to: "default", via: "192.0.2.1" });
                new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", peerAddresses: ["192.0.2.2/24"], peerRoutes: [{ to: "default", via: "192.0.2.1" }] });
            },
            failure: /^VethPair "cable": property peerRoutes default \(table main, metric 0\) in namespace n2 is already used by Route "r" \(to\): the kernel keeps one route per destination, table and metric$/,
        },
        {
            what: "one route twice inline, on two pairs in one namespace",
            make: () => {
                new VethPair("a", { name: "a0", namespace: "n1", peerName: "a1", peerNamespace: "n2", routes: [{ to: "198.51.100.0/24" }] });
                new VethPair("b", { name: "b0", namespace: "n1", peerName: "b1", peerNamespace: "n3", routes: [{ to: "198.51.100.0/24", metric: 0 }] });
            },
            failure: /^VethPair "b": property routes 198\.51\.100\.0\/24 \(table main, metric 0\) in namespace n1 is already used by VethPair "a" \(routes\)/,
        },
        {
            what: "a sysctl inline and by a Sysctl",
            make: () => {
                new Namespace("router", { name: "r1", sysctls: { "net.ipv4.ip_forward": "1" } });
                new Sysctl("fwd", { namespace: "r1", key: "net.ipv4.ip_forward", value: "0" });
            },
            failure: /^Sysctl "fwd": property key net\.ipv4\.ip_forward in namespace r1 is already used by Namespace "router" \(sysctls\): two values for one setting would overwrite each other on every up$/,
        },
    ];
    eachRefused(cases);

    it("accepts a standalone Address and Route on a device that has inline addresses, and an inline gateway's segment", async () => {
        const checks = await run();
        const n1 = new Namespace("n1", { name: "n1" });
        const r = new Namespace("r", { name: "r", sysctls: { "net.ipv4.ip_forward": "1" } });
        const cable = new VethPair("cable", { name: "x0", namespace: n1.name, peerName: "y0", peerNamespace: r.name,
            addresses: ["192.0.2.1/24"], peerAddresses: ["192.0.2.254/24"], routes: [{ to: "default", via: "192.0.2.254" }] });
        new Address("extra", { namespace: "n1", dev: cable.name, address: "192.0.2.7/24" });
        new Route("more", { namespace: "n1", to: "203.0.113.0/24", via: "192.0.2.254", dev: cable.name });
        new Sysctl("v6", { namespace: r.name, key: "net.ipv6.conf.all.forwarding", value: "1" });
        await settle(checks);
        checks.finish();
        expect(checks.failures).toEqual([]);
        expect(process.exitCode).toBeUndefined();
    });

    it("refuses an inline gateway on no segment of its namespace", async () => {
        const checks = await run();
        new Namespace("n1", { name: "n1" });
        new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses: ["192.0.2.1/24"], routes: [{ to: "default", via: "203.0.113.1" }] });
        await settle(checks);
        checks.finish();
        expect(checks.failures).toEqual([expect.stringMatching(/^VethPair "cable": property routes 203\.0\.113\.1 is on no connected segment of namespace n1 \(its segments in this stack: 192\.0\.2\.1\/24 \(VethPair "cable"\)\)/)]);
    });
});

describe("inline routes and the untied-route warning", () => {
    it("does not warn about an inline route whose own link carries an address on the gateway's segment", async () => {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        pulumi.log.warn = async (m: string) => { warnings.push(m); };
        try {
            const checks = await run();
            new Namespace("n1", { name: "n1" });
            new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses: ["192.0.2.1/24"], routes: [{ to: "default", via: "192.0.2.254" }] });
            new Address("extra", { namespace: "n1", dev: "x0", address: "192.0.2.7/24" });
            await settle(checks);
            checks.finish();
            expect(checks.failures).toEqual([]);
            expect(warnings).toEqual([]);
        } finally {
            pulumi.log.warn = warn;
        }
    });
});

describe("one destination, three spellings (issue 21 item 15)", () => {
    const cases: Refused[] = [
        {
            what: "two Routes to default and 0.0.0.0/0",
            make: () => {
                new Route("a", { namespace: "n1", to: "default", via: "192.0.2.1" });
                new Route("b", { namespace: "n1", to: "0.0.0.0/0", via: "192.0.2.2" });
            },
            failure: /^Route "b": property to 0\.0\.0\.0\/0 \(table main, metric 0\) in namespace n1 is already used by Route "a" \(to\)/,
        },
        {
            what: "two Routes to ::/0 and an IPv6 default",
            make: () => {
                new Route("a", { namespace: "n1", to: "::/0", via: "2001:db8::1" });
                new Route("b", { namespace: "n1", to: "default", via: "2001:db8::2" });
            },
            failure: /^Route "b": property to default \(table main, metric 1024\) in namespace n1 is already used by Route "a" \(to\)/,
        },
        {
            what: "an inline 0.0.0.0/0 and a Route to default",
            make: () => {
                new Route("r", { namespace: "n1", to: "default", via: "192.0.2.2" });
                new VethPair("cable", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", routes: [{ to: "0.0.0.0/0", via: "192.0.2.3" }] });
            },
            failure: /^VethPair "cable": property routes 0\.0\.0\.0\/0 \(table main, metric 0\) in namespace n1 is already used by Route "r" \(to\)/,
        },
    ];
    eachRefused(cases);

    it("keeps an IPv4 and an IPv6 default apart", async () => {
        const checks = await run();
        new Route("a", { namespace: "n1", to: "0.0.0.0/0", via: "192.0.2.1" });
        new Route("b", { namespace: "n1", to: "::/0", via: "2001:db8::1" });
        await settle(checks);
        expect(checks.failures).toEqual([]);
    });
});

describe("inputs the checks must not read before validation (issue 21 item 14)", () => {
    // Each is refused by the resource's own check (in one line naming the property); the
    // whole-stack checks must skip it, not throw a TypeError from a claim rule.
    const bad: { what: string; make: () => void }[] = [
        { what: "addresses as a string", make: () => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses: "198.51.100.1/24" as never }) },
        { what: "addresses as an object", make: () => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses: { 0: "198.51.100.1/24" } as never }) },
        { what: "routes as a string", make: () => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", routes: "default" as never }) },
        { what: "routes as an object", make: () => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", peerRoutes: { to: "default" } as never }) },
        { what: "a null route", make: () => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", routes: [null] as never }) },
        { what: "a Bridge's addresses as a string", make: () => new Bridge("b", { name: "br0", namespace: "n1", addresses: "198.51.100.1/24" as never }) },
        { what: "a Namespace's sysctls as a list", make: () => new Namespace("n", { name: "n1", sysctls: ["net.ipv4.ip_forward"] as never }) },
        { what: "a Route's to as a number", make: () => new Route("r", { namespace: "n1", to: 7 as never, via: "192.0.2.1" }) },
        { what: "an Address's address as an object", make: () => new Address("a", { namespace: "n1", dev: "x0", address: { ip: "192.0.2.1" } as never }) },
    ];
    for (const c of bad) {
        it(c.what, async () => {
            const errors: unknown[] = [];
            const onError = (e: unknown) => errors.push(e);
            process.on("unhandledRejection", onError);
            process.on("uncaughtException", onError);
            try {
                const checks = await run();
                c.make();
                await settle(checks);
                checks.finish();
                await new Promise((r) => setTimeout(r, 50));
                expect(errors).toEqual([]);
                expect(checks.failures).toEqual([]);
            } finally {
                process.off("unhandledRejection", onError);
                process.off("uncaughtException", onError);
            }
        });
    }
});

describe("sysctl aliases and coupled keys (one kernel value, or one write that sets another)", () => {
    const refused: { what: string; make: () => void; failure: RegExp }[] = [
        {
            what: "net.ipv4.ip_forward and net.ipv4.conf.all.forwarding, two Sysctls",
            make: () => {
                new Sysctl("a", { namespace: "n1", key: "net.ipv4.ip_forward", value: "1" });
                new Sysctl("b", { namespace: "n1", key: "net.ipv4.conf.all.forwarding", value: "0" });
            },
            failure: /^Sysctl "b": property key net\.ipv4\.conf\.all\.forwarding in namespace n1 is already used by Sysctl "a" \(key\): two values for one setting/,
        },
        {
            what: "net.ipv4.ip_forward inline and net.ipv4.conf.all.forwarding by a Sysctl",
            make: () => {
                new Namespace("r", { name: "r1", sysctls: { "net.ipv4.ip_forward": "1" } });
                new Sysctl("fwd", { namespace: "r1", key: "net.ipv4.conf.all.forwarding", value: "1" });
            },
            failure: /^Sysctl "fwd": property key net\.ipv4\.conf\.all\.forwarding in namespace r1 is already used by Namespace "r" \(sysctls\)/,
        },
        {
            what: "conf.all.forwarding and an interface's forwarding",
            make: () => {
                new Sysctl("all", { namespace: "n1", key: "net.ipv4.conf.all.forwarding", value: "1" });
                new Sysctl("one", { namespace: "n1", key: "net.ipv4.conf.x0.forwarding", value: "0" });
            },
            failure: /^Sysctl "one": property key net\.ipv4\.conf\.x0\.forwarding in namespace n1 is also written by Sysctl "all" \(key: net\.ipv4\.conf\.all\.forwarding\): the kernel sets net\.ipv4\.conf\.x0\.forwarding whenever net\.ipv4\.conf\.all\.forwarding is written/,
        },
        {
            what: "conf.default.forwarding, then ip_forward (the all key second)",
            make: () => {
                new Sysctl("dflt", { namespace: "n1", key: "net.ipv4.conf.default.forwarding", value: "0" });
                new Namespace("n", { name: "n1", sysctls: { "net.ipv4.ip_forward": "1" } });
            },
            failure: /^Namespace "n": property sysctls net\.ipv4\.ip_forward in namespace n1 is also written by Sysctl "dflt" \(key: net\.ipv4\.conf\.default\.forwarding\)/,
        },
        {
            what: "IPv6 conf.all.disable_ipv6 and conf.default.disable_ipv6",
            make: () => {
                new Sysctl("a", { namespace: "n1", key: "net.ipv6.conf.all.disable_ipv6", value: "1" });
                new Sysctl("b", { namespace: "n1", key: "net.ipv6.conf.default.disable_ipv6", value: "0" });
            },
            failure: /^Sysctl "b": property key net\.ipv6\.conf\.default\.disable_ipv6 in namespace n1 is also written by Sysctl "a"/,
        },
    ];
    for (const c of refused) {
        it(`refuses ${c.what}, in one line`, async () => {
            const checks = await run();
            c.make();
            await settle(checks);
            expect(checks.failures).toHaveLength(1);
            expect(checks.failures[0]).toMatch(c.failure);
            expect(checks.failures[0]).not.toContain("\n");
            expect(process.exitCode).toBe(32);
        });
    }

    it("accepts keys that are apart: two interfaces, default and an interface, all in two namespaces or two families, rp_filter", async () => {
        const checks = await run();
        new Sysctl("a", { namespace: "n1", key: "net.ipv4.conf.x0.forwarding", value: "1" });
        new Sysctl("b", { namespace: "n1", key: "net.ipv4.conf.x1.forwarding", value: "1" });
        new Sysctl("c", { namespace: "n1", key: "net.ipv4.conf.default.forwarding", value: "1" });
        new Sysctl("d", { namespace: "n2", key: "net.ipv4.ip_forward", value: "1" });
        new Sysctl("e", { namespace: "n1", key: "net.ipv6.conf.all.forwarding", value: "1" });
        new Sysctl("f", { namespace: "n3", key: "net.ipv4.conf.all.rp_filter", value: "1" });
        new Sysctl("g", { namespace: "n3", key: "net.ipv4.conf.x0.rp_filter", value: "0" });
        // One resource may write a coupled pair: one process, the values read before.
        new Namespace("n4", { name: "n4", sysctls: { "net.ipv4.ip_forward": "1", "net.ipv4.conf.default.forwarding": "1" } });
        await settle(checks);
        expect(checks.failures).toEqual([]);
    });
});
