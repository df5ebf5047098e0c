// The inline form through the real CLI (issue 13): a link that carries its addresses and routes,
// a namespace its sysctls.
//
//   [h] h0 192.0.2.1/24 203.0.113.1/24 ---L--- r0 192.0.2.254/24 [r]  forwarding on (sysctls)
//       default via 192.0.2.254 (inline)        plus an Address "extra" 192.0.2.7/24 on h0 (standalone)
//
// Adding an address and a route to the lists is exactly an `update` of the link (same ifindex),
// and removing them removes only those; an inline address removed by hand is seen by refresh and
// put back by the next up; the standalone Address on the same device is never touched; one
// address declared both ways is rejected at preview, before anything is made.
import { describe, expect, it } from "vitest";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { namespaces } from "../support/host";
import { FIXTURE, TestStack } from "./harness";
import { addresses, config, link, printed, ref, refreshVerdict, routes, sh, stateResources, sysctl, type Spec } from "./resource-support";

const prefix = filePrefix("inl");
const { stacks } = fileLifecycle(prefix);
const ns = (x: string) => `${prefix}${x}`;

const BASE = { addresses: ["192.0.2.1/24", "203.0.113.1/24"], routes: [{ to: "default", via: "192.0.2.254" }] };

function specs(o: { addresses?: string[]; routes?: object[]; peerAddresses?: string[]; dup?: boolean } = {}): Spec[] {
    return [
        { kind: "Namespace", name: "h", args: { name: ns("h") } },
        { kind: "Namespace", name: "r", args: { name: ns("r"), sysctls: { "net.ipv4.ip_forward": "1" } } },
        { kind: "VethPair", name: "L", args: { name: "h0", namespace: ref("h", "name"), peerName: "r0", peerNamespace: ref("r", "name"),
            addresses: o.addresses ?? BASE.addresses, routes: o.routes ?? BASE.routes, peerAddresses: o.peerAddresses ?? ["192.0.2.254/24"] } },
        { kind: "Address", name: "extra", args: { namespace: ref("h", "name"), dev: ref("L", "name"), address: "192.0.2.7/24" } },
        ...(o.dup ? [{ kind: "Address" as const, name: "dup", args: { namespace: ref("h", "name"), dev: ref("L", "name"), address: "192.0.2.1/24" } }] : []),
    ];
}

async function ifindex(): Promise<number | undefined> {
    return (await link(ns("h"), "h0"))?.ifindex;
}

describe("the inline form, end to end", () => {
    let stack: TestStack;
    let index: number | undefined;

    it("up makes the pair with its addresses and routes and the router's forwarding; nothing to change after", async () => {
        stack = await TestStack.create(`${prefix}s`, FIXTURE, config(specs()));
        stacks.push(stack);
        await stack.up();
        expect(await addresses(ns("h"), "h0")).toEqual(["192.0.2.1/24", "192.0.2.7/24", "203.0.113.1/24"]);
        expect(await addresses(ns("r"), "r0")).toEqual(["192.0.2.254/24"]);
        expect(await routes(ns("h"))).toContainEqual(expect.objectContaining({ dst: "default", gateway: "192.0.2.254", dev: "h0", protocol: "77" }));
        expect(await sysctl(ns("r"), "net.ipv4.ip_forward")).toBe("1");
        await sh("ip", "netns", "exec", ns("h"), "ping", "-n", "-c", "1", "-W", "2", "192.0.2.254");
        index = await ifindex();
        expect(index).toBeGreaterThan(0);
        await stack.expectNoChanges();
    });

    it("adding an address and a route (each end) is exactly an update of the link, in place", async () => {
        const more = specs({ addresses: [...BASE.addresses, "2001:db8:5::1/64"], routes: [...BASE.routes, { to: "198.51.100.0/24", via: "192.0.2.254", metric: 5 }],
            peerAddresses: ["192.0.2.254/24", "2001:db8:5::254/64"] });
        await stack.setConfig(config(more));
        expect(await stack.changes()).toEqual(["update L"]);
        await stack.up();
        expect(await ifindex()).toBe(index);
        expect(await addresses(ns("h"), "h0")).toEqual(["192.0.2.1/24", "192.0.2.7/24", "2001:db8:5::1/64", "203.0.113.1/24"]);
        expect(await addresses(ns("r"), "r0")).toEqual(["192.0.2.254/24", "2001:db8:5::254/64"]);
        expect(await routes(ns("h"))).toContainEqual(expect.objectContaining({ dst: "198.51.100.0/24", gateway: "192.0.2.254", metric: 5 }));
        await sh("ip", "netns", "exec", ns("h"), "ping", "-n", "-c", "1", "-W", "2", "2001:db8:5::254");
        await stack.expectNoChanges();
    });

    it("removing them is an update too, and removes only those (the standalone Address stays)", async () => {
        await stack.setConfig(config(specs()));
        expect(await stack.changes()).toEqual(["update L"]);
        await stack.up();
        expect(await ifindex()).toBe(index);
        expect(await addresses(ns("h"), "h0")).toEqual(["192.0.2.1/24", "192.0.2.7/24", "203.0.113.1/24"]);
        expect(await addresses(ns("r"), "r0")).toEqual(["192.0.2.254/24"]);
        expect((await routes(ns("h"))).map((r) => r.dst)).not.toContain("198.51.100.0/24");
        expect(await routes(ns("h"))).toContainEqual(expect.objectContaining({ dst: "default", gateway: "192.0.2.254" }));
        await stack.expectNoChanges();
        await stack.must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    });

    it("an inline address deleted by hand: refresh reports the link changed, up puts the address back", async () => {
        await sh("ip", "-n", ns("h"), "address", "del", "203.0.113.1/24", "dev", "h0");
        const r = await stack.refresh();
        expect(refreshVerdict(r, "VethPair", "L")).toBe("updated");
        expect(refreshVerdict(r, "Address", "extra")).toBe("unchanged");
        expect((await stack.resource("L"))?.outputs.addresses).toEqual(["192.0.2.1/24"]);
        expect(await stack.changes()).toEqual(["update L"]);
        await stack.up();
        expect(await addresses(ns("h"), "h0")).toEqual(["192.0.2.1/24", "192.0.2.7/24", "203.0.113.1/24"]);
        expect(await ifindex()).toBe(index);
        await stack.expectNoChanges();
    });

    it("one address declared inline and by a standalone Address is rejected at preview, naming both, and nothing is made", async () => {
        await stack.setConfig(config(specs({ dup: true })));
        const p = await stack.run(["preview"]);
        expect(p.exitCode, printed(p)).not.toBe(0);
        // Whichever of the two the program registers second is the one the message is logged against.
        const message = /(Address "dup": property address 192\.0\.2\.1\/24 on h0 in namespace \S+ is already used by VethPair "L" \(addresses\)|VethPair "L": property addresses 192\.0\.2\.1\/24 on h0 in namespace \S+ is already used by Address "dup" \(address\)): the same address on the same interface is one kernel object/g;
        // One error, against the resource registered second (the CLI prints it under the step and again under Diagnostics).
        const errors = new Set(printed(p).match(/error: .*/g));
        expect([...errors], printed(p)).toHaveLength(1);
        expect([...errors][0], printed(p)).toMatch(message);
        expect(printed(p)).not.toMatch(/warning: /);
        const u = await stack.run(["up", "--yes"]);
        expect(u.exitCode, printed(u)).not.toBe(0);
        expect((await stateResources(stack)).map((x) => x.urn.split("::").pop())).not.toContain("dup");
        await stack.setConfig(config(specs()));
        await stack.expectNoChanges();
    });

    it("destroy removes everything it made", async () => {
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
    });
});
