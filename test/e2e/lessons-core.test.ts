// The core lessons of seed 000 through the real Pulumi CLI. hello-namespace, which has no step:
// the plan, up, its checks, refresh, destroy. Then two-hosts, router, two-routers, each: up, the
// lesson's own checks (the ones `npm run lab -- verify` runs), a no-change preview; then the
// lesson's step: the plan is exactly what the lesson claims, up, the checks of that step pass and
// the checks of the default step fail exactly where the step says they should, and every link
// keeps its ifindex (read from the kernel: nothing was replaced); back to the default step (again
// the exact plan), checks, no-change preview, refresh and another no-change preview; destroy.
// First, the checks' own reading of ping and traceroute output.
import { describe, expect, it } from "vitest";
import { netUnreachable, tracePath } from "../../stacks/checks";
import { lessons } from "../../stacks/lessons";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { REPO, TestStack } from "./harness";
import { sh } from "./resource-support";
import { expectPictureMatches } from "./pictures";
import { check, expectAllPass, type StepCase } from "./lesson-checks";

const prefix = filePrefix("core");
const { stacks } = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

const cases: StepCase[] = [
    {
        lesson: "two-hosts", tag: "th", key: "link", other: "down",
        there: ["update ns1-ns2"],
        back: ["update ns1-ns2"],
        flips: ["ns1-veth0 is up, with a carrier", "ns1 reaches ns2 (192.0.2.2)", "ns2 reaches ns1 (192.0.2.1)", "ns1's route table holds only its own segment"],
    },
    {
        lesson: "router", tag: "rt", key: "forwarding", other: "off",
        there: ["update router-forward"],
        back: ["update router-forward"],
        flips: ["net.ipv4.ip_forward is 1 in router", "ns1 reaches ns2 (198.51.100.1)", "ns2 reaches ns1 (192.0.2.1)", "tcpdump in router while ns1 pings 198.51.100.1"],
    },
    {
        lesson: "two-routers", tag: "tr", key: "staticRoutes", other: "off",
        there: ["delete router1-to-ns2", "delete router2-to-ns1"],
        back: ["create router1-to-ns2", "create router2-to-ns1"],
        flips: ["router1: ip route get 198.51.100.1", "router2: ip route get 192.0.2.1", "ns1 reaches ns2 (198.51.100.1)", "ns2 reaches ns1 (192.0.2.1)", "traceroute from ns1 to 198.51.100.1"],
    },
];

describe("what the checks read from ping and traceroute", () => {
    const ns1 = { label: "ns1", ns: "x-ns1" };

    it("finds the seed's Destination Net Unreachable line, from the right router only", () => {
        const seed = "PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.\nFrom 192.0.2.254 icmp_seq=1 Destination Net Unreachable\n";
        const c = netUnreachable(ns1, "198.51.100.1", { label: "router1", address: "192.0.2.254" });
        expect(c.ok({ exitCode: 1, stdout: seed, stderr: "" })).toBe(true);
        expect(c.ok({ exitCode: 1, stdout: seed.replace("192.0.2.254", "192.0.2.25"), stderr: "" })).toBe(false);
        expect(c.ok({ exitCode: 1, stdout: seed.replace("Net", "Host"), stderr: "" })).toBe(false);
        expect(c.ok({ exitCode: 2, stdout: "", stderr: "ping: connect: Network is unreachable" })).toBe(false);
    });

    it("wants traceroute's hops exactly, in order, and no * among them", () => {
        const c = tracePath(ns1, "198.51.100.1", ["192.0.2.254", "203.0.113.2", "198.51.100.1"]);
        const out = (hops: string[]) => ({ exitCode: 0, stderr: "",
            stdout: ["traceroute to 198.51.100.1 (198.51.100.1), 6 hops max, 60 byte packets", ...hops.map((h, i) => ` ${i + 1}  ${h}  0.030 ms`)].join("\n") });
        expect(c.ok(out(["192.0.2.254", "203.0.113.2", "198.51.100.1"]))).toBe(true);
        expect(c.ok(out(["*", "203.0.113.2", "198.51.100.1"]))).toBe(false);
        expect(c.ok(out(["203.0.113.2", "192.0.2.254", "198.51.100.1"]))).toBe(false);
        expect(c.ok(out(["192.0.2.254", "203.0.113.2", "*", "198.51.100.1"]))).toBe(false);
    });
});

describe("core lessons (seed 000) through the real Pulumi CLI", () => {
    it.each(cases)("$lesson: up, checks, step $key=$other and back, destroy", async (c) => {
        const p = `${prefix}${c.tag}-`;
        const stack = await TestStack.create(`${prefix}${c.lesson}`, REPO, { lesson: c.lesson, prefix: p });
        stacks.push(stack);

        // The default step.
        await stack.up();
        await expectPictureMatches(stack, c.lesson, p);
        await expectAllPass(c.lesson, p, {});
        await stack.expectNoChanges();
        const before = await evidence(p);
        // Something to compare: the lesson's links besides the loopbacks.
        expect(Object.keys(before).filter((k) => !k.endsWith("/lo")).length, `${c.lesson}: links in its namespaces`).toBeGreaterThan(1);

        // The other step: exactly the plan the lesson claims, and verify means something there too.
        await stack.setConfig({ [c.key]: c.other });
        expect(await stack.changes()).toEqual(c.there);
        await stack.up();
        await expectAllPass(c.lesson, p, { [c.key]: c.other });
        const flipped = await check(c.lesson, p, {});
        expect(flipped.failed.map((t) => c.flips.find((f) => t.startsWith(f)) ?? t)).toEqual(c.flips);
        await stack.expectNoChanges();
        await expectUnchangedIdentity(c.lesson, p, before, "after the step");

        // Back to the default step (the key removed: the default is the first value).
        await stack.must(["config", "rm", c.key]);
        expect(await stack.changes()).toEqual(c.back);
        await stack.up();
        await expectAllPass(c.lesson, p, {});
        await stack.expectNoChanges();
        await expectUnchangedIdentity(c.lesson, p, before, "back at the default step");
        // What the provider reads back from the kernel is what the program declares.
        await stack.refresh();
        await stack.expectNoChanges();

        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    });

    it("refuses a step value it does not know, naming the key and the choices", async () => {
        const stack = await TestStack.create(`${prefix}bad-step`, REPO, { lesson: "router", prefix: `${prefix}bad-`, forwarding: "maybe" });
        stacks.push(stack);
        const r = await stack.run(["preview"]);
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout + r.stderr).toContain(`lesson router: config 'forwarding' must be "on" or "off" (default "on"), not "maybe"`);
        expect(r.stdout + r.stderr, "the message alone, no stack trace").not.toMatch(/^\s+at /m);
        expect(() => lessons.router!.checks(`${prefix}bad-`, { forwarding: "maybe" })).toThrow(/config 'forwarding' must be "on" or "off"/);
        expect((await namespaces()).filter((n) => n.startsWith(`${prefix}bad-`))).toEqual([]);
    });
});

describe("hello-namespace (seed 000) through the real Pulumi CLI", () => {
    it("plans one namespace; up makes it with only lo and no route, its checks pass; refresh changes nothing; destroy removes it", async () => {
        const p = `${prefix}hn-`;
        const ns = `${p}helloworld`;
        const stack = await TestStack.create(`${prefix}hello-namespace`, REPO, { lesson: "hello-namespace", prefix: p });
        stacks.push(stack);
        expect(await stack.changes()).toEqual(["create helloworld"]);
        expect(await namespaces()).not.toContain(ns); // the preview made nothing

        await stack.up();
        await expectAllPass("hello-namespace", p, {});
        expect(await namespaces()).toContain(ns);
        const links = JSON.parse(await sh("ip", "-n", ns, "-j", "link", "show")) as { ifname: string; flags: string[] }[];
        expect(links.map((l) => l.ifname)).toEqual(["lo"]);
        expect(links[0]?.flags).toContain("UP");
        expect(JSON.parse(await sh("ip", "-n", ns, "-j", "route", "show"))).toEqual([]);
        expect(await stack.outputs()).toMatchObject({ namespace: ns });
        await stack.expectNoChanges();
        await stack.refresh();
        await stack.expectNoChanges();

        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
        // The checks see it: the namespace is gone.
        expect((await check("hello-namespace", p, {})).failed).toContain(`${ns} exists`);
    });
});

/**
 * What must survive an in-place step, read from the kernel: the ifindex of every link in every
 * namespace of the lesson (a replaced link, or a remade namespace, gets a new one).
 */
async function evidence(lessonPrefix: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ns of (await namespaces()).filter((n) => n.startsWith(lessonPrefix)).sort()) {
        for (const l of JSON.parse(await sh("ip", "-n", ns, "-j", "link", "show")) as { ifname: string; ifindex: number }[]) out[`${ns}/${l.ifname}`] = l.ifindex;
    }
    return out;
}

async function expectUnchangedIdentity(lesson: string, lessonPrefix: string, before: Record<string, number>, when: string) {
    expect(await evidence(lessonPrefix), `${lesson}: every link kept its ifindex ${when}`).toEqual(before);
}
