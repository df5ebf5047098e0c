// After a link is replaced, one `up` leaves a working network (issue 15), through the real CLI.
//
//   [a] va 192.0.2.1 ---L1--- ra 192.0.2.254 [r] rb 198.51.100.254 ---L2--- vb 198.51.100.1 [b]
//       default via .254                         forwarding on                 routes written each way
//
// The routes through L2 are written each way docs/reference.md allows: `via` with dependsOn the Address
// on the gateway's segment (b-back, b-v6), `dev` from the link (b-dev), `via` alone on a segment
// that an Address of the stack makes (b-plain, r-far); r-rb-rpf is a setting of rb itself.
// Replacing L2 (a new peer name, then a move of the peer end to another namespace) must plan
// every one of them as replaced before anything runs, and one `up` must leave ping working,
// `preview --expect-no-changes` passing and `refresh` finding nothing. Then a namespace's contents
// are not deleted one by one when it goes (deletedWith): a host removed from the stack, and the
// destroy, run `ip netns del` and nothing else in it, and the rest keeps working. Then the VPC
// lesson with a subnet's bridge replaced: its instance still reaches the internet after one `up`.
// And the preview warns about a route tied to nothing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatOutcome, runChecks } from "../../lab/checks";
import { lessons } from "../../stacks/lessons";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { FIXTURE, REPO, TestStack } from "./harness";
import { config, link, printed, ref, route, routes, sh, stateResources, sysctl } from "./resource-support";

const prefix = filePrefix("rep");
const logs = mkdtempSync(join(tmpdir(), "pulumi-netns-rep-"));
// Leak check, then clean-up (test/support/lifecycle.ts); the command logs go too.
const { stacks } = fileLifecycle(prefix, { cleanups: [() => rmSync(logs, { recursive: true, force: true })] });

interface Spec { kind: string; name: string; args: Record<string, unknown>; dependsOn?: string[] }

const ns = (x: string) => `${prefix}${x}`;

/** The topology above; `peerName` and `peerNs` place L2's far end, `withA: false` removes host a. */
function specs(o: { peerName: string; peerNs: "b" | "c"; withA?: boolean }): Spec[] {
    const far = o.peerNs;
    const a: Spec[] = o.withA === false ? [] : [
        { kind: "Namespace", name: "a", args: { name: ns("a") } },
        { kind: "VethPair", name: "L1", args: { name: "va", namespace: ref("a", "name"), peerName: "ra", peerNamespace: ref("r", "name") } },
        { kind: "Address", name: "a-ip", args: { namespace: ref("a", "name"), dev: ref("L1", "name"), address: "192.0.2.1/24" } },
        { kind: "Route", name: "a-default", args: { namespace: ref("a", "name"), to: "default", via: "192.0.2.254" }, dependsOn: ["a-ip"] },
        { kind: "Sysctl", name: "a-ttl", args: { namespace: ref("a", "name"), key: "net.ipv4.ip_default_ttl", value: "65" } },
        { kind: "Address", name: "r-ip1", args: { namespace: ref("r", "name"), dev: ref("L1", "peerName"), address: "192.0.2.254/24" } },
    ];
    return [
        { kind: "Namespace", name: "r", args: { name: ns("r") } },
        { kind: "Namespace", name: "b", args: { name: ns("b") } },
        { kind: "Namespace", name: "c", args: { name: ns("c") } },
        { kind: "Sysctl", name: "r-forward", args: { namespace: ref("r", "name"), key: "net.ipv4.ip_forward", value: "1" } },
        { kind: "VethPair", name: "L2", args: { name: "rb", namespace: ref("r", "name"), peerName: o.peerName, peerNamespace: ref(far, "name") } },
        { kind: "Address", name: "r-ip2", args: { namespace: ref("r", "name"), dev: ref("L2", "name"), address: "198.51.100.254/24" } },
        { kind: "Address", name: "r-ip6", args: { namespace: ref("r", "name"), dev: ref("L2", "name"), address: "2001:db8:2::254/64" } },
        // A setting of the interface rb itself: it goes with the interface.
        { kind: "Sysctl", name: "r-rb-rpf", args: { namespace: ref("r", "name"), key: "net.ipv4.conf.rb.rp_filter", value: "2" } },
        { kind: "Address", name: "b-ip", args: { namespace: ref(far, "name"), dev: ref("L2", "peerName"), address: "198.51.100.1/24" } },
        { kind: "Address", name: "b-ip6", args: { namespace: ref(far, "name"), dev: ref("L2", "peerName"), address: "2001:db8:2::1/64" } },
        // The way of docs/reference.md: via, and dependsOn the Address on the gateway's segment.
        { kind: "Route", name: "b-back", args: { namespace: ref(far, "name"), to: "192.0.2.0/24", via: "198.51.100.254" }, dependsOn: ["b-ip"] },
        { kind: "Route", name: "b-v6", args: { namespace: ref(far, "name"), to: "2001:db8:1::/64", via: "2001:db8:2::254" }, dependsOn: ["b-ip6"] },
        // dev from the link.
        { kind: "Route", name: "b-dev", args: { namespace: ref(far, "name"), to: "203.0.113.0/25", via: "198.51.100.254", dev: ref("L2", "peerName") } },
        // via alone, on the segment of an Address constructed before it in the same namespace.
        { kind: "Route", name: "b-plain", args: { namespace: ref(far, "name"), to: "default", via: "198.51.100.254" } },
        { kind: "Route", name: "r-far", args: { namespace: ref("r", "name"), to: "203.0.113.128/25", via: "198.51.100.1" } },
        ...a,
    ];
}

const THROUGH_L2 = ["L2", "r-ip2", "r-ip6", "r-rb-rpf", "b-ip", "b-ip6", "b-back", "b-v6", "b-dev", "b-plain", "r-far"];

async function ping(from: string, to: string): Promise<void> {
    await sh("ip", "netns", "exec", from, "ping", "-n", "-c", "1", "-W", "2", to);
}

/** Everything in place: ping across r both ways, every route of the stack in the kernel, nothing to change. */
async function converged(stack: TestStack, far: string): Promise<void> {
    await ping(ns("a"), "198.51.100.1");
    await ping(far, "192.0.2.1");
    await sh("ip", "netns", "exec", far, "ping", "-n", "-c", "1", "-W", "2", "2001:db8:2::254");
    expect(await route(far, "192.0.2.0/24")).toMatchObject({ gateway: "198.51.100.254" });
    expect(await route(far, "2001:db8:1::/64")).toMatchObject({ gateway: "2001:db8:2::254" });
    expect(await route(far, "203.0.113.0/25")).toMatchObject({ gateway: "198.51.100.254" });
    expect(await route(far, "default")).toMatchObject({ gateway: "198.51.100.254" });
    expect(await route(ns("r"), "203.0.113.128/25")).toMatchObject({ gateway: "198.51.100.1" });
    expect(await sysctl(ns("r"), "net.ipv4.conf.rb.rp_filter")).toBe("2");
    await stack.expectNoChanges();
    await stack.must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
}

interface Logged { kind: string; op: string; argv: string[]; mutating: boolean }

async function logged(file: string): Promise<Logged[]> {
    try {
        return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Logged);
    } catch {
        return [];
    }
}

describe("replacing a link under routes written each documented way", () => {
    let stack: TestStack;

    it("up builds it, and the routes are in place", async () => {
        stack = await TestStack.create(`${prefix}net`, FIXTURE, config(specs({ peerName: "vb", peerNs: "b" }) as never));
        stacks.push(stack);
        await stack.up();
        await converged(stack, ns("b"));
    });

    it("a new peer name: the plan replaces the link, its addresses and every route through it; one up, and it works", async () => {
        await stack.setConfig(config(specs({ peerName: "vx", peerNs: "b" }) as never));
        expect(await stack.changes()).toEqual(THROUGH_L2.map((n) => `replace ${n}`).sort());
        await stack.up();
        expect(await link(ns("b"), "vb")).toBeUndefined();
        expect(await link(ns("b"), "vx")).toBeDefined();
        await converged(stack, ns("b"));
    });

    it("the far end moved to another namespace: the same, one up", async () => {
        await stack.setConfig(config(specs({ peerName: "vx", peerNs: "c" }) as never));
        expect(await stack.changes()).toEqual(THROUGH_L2.map((n) => `replace ${n}`).sort());
        await stack.up();
        expect(await link(ns("b"), "vx")).toBeUndefined();
        expect(await routes(ns("b"))).toEqual([]);
        await converged(stack, ns("c"));
    });

    it("a host removed from the stack: its namespace goes with one `ip netns del`, nothing in it is deleted one by one, the rest works", async () => {
        const log = join(logs, "remove-a.jsonl");
        await stack.setConfig(config(specs({ peerName: "vx", peerNs: "c", withA: false }) as never));
        expect(await stack.changes()).toEqual(["delete L1", "delete a", "delete a-default", "delete a-ip", "delete a-ttl", "delete r-ip1"]);
        await stack.up([], { PULUMI_NETNS_COMMAND_LOG: log });
        const mutating = (await logged(log)).filter((c) => c.mutating).map((c) => c.argv.join(" "));
        // r's address on L1 lives on in r until deleted; a's contents (the pair, a's address,
        // route and sysctl) go with the namespace.
        expect(mutating).toEqual([`ip -n ${ns("r")} address del 192.0.2.254/24 dev ra`, `ip netns del ${ns("a")}`]);
        expect(await namespaces()).not.toContain(ns("a"));
        expect(await link(ns("r"), "ra")).toBeUndefined();
        expect(await sysctl(ns("r"), "net.ipv4.ip_forward")).toBe("1");
        await ping(ns("r"), "198.51.100.1");
        await ping(ns("c"), "198.51.100.254");
        expect(await route(ns("r"), "203.0.113.128/25")).toMatchObject({ gateway: "198.51.100.1" });
        await stack.expectNoChanges();
        await stack.must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    });

    it("destroy runs `ip netns del` for each namespace and nothing else", async () => {
        const log = join(logs, "destroy.jsonl");
        await stack.must(["destroy", "--yes", "--skip-preview"], { PULUMI_NETNS_COMMAND_LOG: log });
        const mutating = (await logged(log)).filter((c) => c.mutating).map((c) => c.argv.join(" ")).sort();
        expect(mutating).toEqual(["b", "c", "r"].map((x) => `ip netns del ${ns(x)}`));
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
        expect(await stateResources(stack)).toEqual([]);
    });
});

describe("a route tied to nothing", () => {
    it("the preview warns, naming the Address and link of the gateway's segment and what to add", async () => {
        // The route comes before the Address in the program, with a plain gateway: nothing can tie it.
        const s = await TestStack.create(`${prefix}warn`, FIXTURE, config([
            { kind: "Namespace", name: "w", args: { name: ns("w") } },
            { kind: "Namespace", name: "x", args: { name: ns("x") } },
            { kind: "Route", name: "w-default", args: { namespace: ref("w", "name"), to: "default", via: "192.0.2.254" } },
            { kind: "VethPair", name: "wl", args: { name: "wa", namespace: ref("w", "name"), peerName: "xa", peerNamespace: ref("x", "name") } },
            { kind: "Address", name: "w-ip", args: { namespace: ref("w", "name"), dev: ref("wl", "name"), address: "192.0.2.1/24" } },
        ] as never));
        stacks.push(s);
        const r = await s.run(["preview"]);
        expect(r.exitCode, printed(r)).toBe(0);
        expect(printed(r)).toContain(`Route "w-default": via 192.0.2.254 is on the segment of Address "w-ip" (192.0.2.1/24 on wa) in namespace ${ns("w")}, but nothing ties the route to it`);
        expect(printed(r)).toContain(`Add dependsOn: [Address "w-ip"] to the route's options, or give it dev from the link's output (dev: link.name)`);
    });
});

describe("the VPC lesson with a subnet's bridge replaced", () => {
    it("one up replaces the bridge, the router's address on it, the instance's port, address and route; the instance still reaches the internet", async () => {
        const vpc = await TestStack.create(`${prefix}vpc`, REPO, { lesson: "vpc", prefix });
        stacks.push(vpc);
        await vpc.up();
        const bridge = (await stateResources(vpc)).find((r) => r.urn.endsWith("::dev-subnet-public-bridge"))!.urn;
        // `--replace`: the bridge comes back with the same name, so nothing but the replacement
        // itself tells the engine that its ports and addresses went with it.
        expect(await vpc.changes(["--replace", bridge])).toEqual([
            "replace dev-subnet-public-bridge", "replace dev-subnet-public-router", "replace dev-web-default", "replace dev-web-eni", "replace dev-web-ip",
        ]);
        await vpc.up(["--replace", bridge]);
        const failed = (await runChecks(lessons.vpc!.checks(prefix, {}))).filter((o) => !o.ok);
        expect(failed.map(formatOutcome).join("\n\n")).toBe("");
        await vpc.expectNoChanges();
        await vpc.must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        await vpc.destroy();
    });
});
