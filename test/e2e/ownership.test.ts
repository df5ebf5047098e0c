// Ownership through the real Pulumi CLI (docs/reference.md, Ownership): two stacks of one project that
// declare the same namespace. The second `up` fails naming the first as the owner and leaves the
// namespace alone, adopt: true is refused as well, and only adoptFrom takes it over; from then on
// the first stack's destroy leaves it in place (with a warning in the CLI's output) and the
// second's removes it.
import { beforeAll, describe, expect, it } from "vitest";
import { parseMark } from "../../provider/ownership/owner";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { config, printed, ref, sh, stateResources, upFails, type Spec } from "./resource-support";

const prefix = filePrefix("owner");
const X = `${prefix}x`;
const life = fileLifecycle(prefix);
const PROJECT = "netns-fixture"; // test/e2e/fixture/Pulumi.yaml

const ns = (args: Record<string, unknown> = {}): Spec => ({ kind: "Namespace", name: "n", args: { name: X, ...args } });
/** The mark in the namespace's lo alias, parsed. */
async function markOf(name: string, dev = "lo") {
    const lo = JSON.parse(await sh("ip", "-n", name, "-j", "link", "show", "dev", dev)) as { ifalias?: string }[];
    return parseMark(lo[0]?.ifalias);
}

describe("two stacks claiming one namespace cannot delete each other's", () => {
    let first: TestStack, second: TestStack;
    beforeAll(async () => {
        first = await TestStack.create(`${prefix}first`, FIXTURE, config([ns()]));
        life.stacks.push(first);
        second = await TestStack.create(`${prefix}second`, FIXTURE, config([ns()]));
        life.stacks.push(second);
    });

    it("the first stack's up marks its namespace with its project, stack and resource", async () => {
        await first.up();
        expect(await markOf(X)).toEqual({ project: PROJECT, stack: first.name, kind: "Namespace", name: "n" });
        await first.expectNoChanges();
    });

    it("the second stack's up fails naming the owner, and the first's namespace stays as it was", async () => {
        const out = await upFails(second);
        expect(out).toContain(`Namespace "n" create failed`);
        expect(out).toContain(`hint:    namespace ${X} belongs to stack ${PROJECT}/${first.name} (Namespace n): destroy that stack first (pulumi destroy --stack ${first.name}, in project ${PROJECT}), or give this one other names; or, to take it over on purpose, set adopt: true and adoptFrom: "${PROJECT}/${first.name}"`);
        expect(await namespaces()).toContain(X);
        expect(await markOf(X)).toMatchObject({ stack: first.name });
        expect(await stateResources(second)).toEqual([]);
    });

    it("adopt: true is refused too: it takes over only unmarked objects or this stack's own", async () => {
        await second.setConfig(config([ns({ adopt: true })]));
        const out = await upFails(second);
        expect(out).toContain(`namespace ${X} belongs to stack ${PROJECT}/${first.name}`);
        expect(await markOf(X)).toMatchObject({ stack: first.name });
        expect(await stateResources(second)).toEqual([]);
    });

    it("adoptFrom is checked at preview, then takes it over on purpose and re-marks it", async () => {
        await second.setConfig(config([ns({ adoptFrom: "not a stack" })]));
        const bad = await second.run(["preview"]);
        expect(bad.exitCode).not.toBe(0);
        expect(printed(bad)).toMatch(/adoptFrom.*must be "PROJECT\/STACK"/);

        await second.setConfig(config([ns({ adoptFrom: `${PROJECT}/${first.name}` })]));
        await second.up();
        expect(await markOf(X)).toEqual({ project: PROJECT, stack: second.name, kind: "Namespace", name: "n" });
        await second.expectNoChanges();
    });

    it("the first stack's destroy now leaves the namespace in place, and says so", async () => {
        const r = await first.must(["destroy", "--yes", "--skip-preview"]);
        expect(printed(r)).toContain(`namespace ${X} belongs to stack ${PROJECT}/${second.name} (Namespace n), not to this stack: left in place`);
        expect(await namespaces()).toContain(X);
        expect(await stateResources(first)).toEqual([]);
    });

    it("the owner's destroy removes it", async () => {
        await second.destroy();
        expect(await namespaces()).not.toContain(X);
        expect(await stateResources(second)).toEqual([]);
    });
});

describe("marks after pulumi stack rename (issue 21 item 9)", () => {
    const A = `${prefix}lo-a`, B = `${prefix}lo-b`;
    const specs: Spec[] = [
        { kind: "Namespace", name: "a", args: { name: A } },
        { kind: "Namespace", name: "b", args: { name: B } },
        { kind: "VethPair", name: "ab", args: { name: "lo-ab0", namespace: ref("a", "name"), peerName: "lo-ab1", peerNamespace: ref("b", "name") } },
    ];
    const marks = async () => [await markOf(A), await markOf(B), await markOf(A, "lo-ab0"), await markOf(B, "lo-ab1")];
    const markedBy = (stack: string) => [
        { project: PROJECT, stack, kind: "Namespace", name: "a" }, { project: PROJECT, stack, kind: "Namespace", name: "b" },
        { project: PROJECT, stack, kind: "VethPair", name: "ab" }, { project: PROJECT, stack, kind: "VethPair", name: "ab" },
    ];

    it("the first up after a rename rewrites every mark to the new name; a new stack of the old name cannot take them; destroy leaves nothing", async () => {
        const oldName = `${prefix}lo-old`, newName = `${prefix}lo-new`;
        const old = await TestStack.create(oldName, FIXTURE, config(specs));
        life.stacks.push(old);
        await old.up();
        expect(await marks()).toEqual(markedBy(oldName));

        await old.must(["stack", "rename", newName]);
        const renamed = TestStack.open(newName, FIXTURE);
        life.stacks.splice(life.stacks.indexOf(old), 1, renamed); // the old name is no stack now
        // The owner moved: every resource is updated in place (the marks), nothing is replaced.
        expect(await renamed.changes()).toEqual(["update a", "update ab", "update b"]);
        await renamed.up();
        expect(await marks()).toEqual(markedBy(newName));
        await renamed.expectNoChanges();

        // A new stack that takes the old name finds the objects marked by the renamed one.
        const again = await TestStack.create(oldName, FIXTURE, config(specs));
        life.stacks.push(again);
        const out = await upFails(again);
        expect(out).toContain(`namespace ${A} belongs to stack ${PROJECT}/${newName} (Namespace a)`);
        expect(await stateResources(again)).toEqual([]);
        expect(await marks()).toEqual(markedBy(newName));
        await again.destroy();

        await renamed.refresh();
        await renamed.expectNoChanges();
        await renamed.destroy();
        expect((await namespaces()).filter((n) => n === A || n === B)).toEqual([]);
    }, 600_000);
});

describe("what a taken-back namespace holds is taken back too (issue 21 item 12)", () => {
    const A = `${prefix}lo-ta`, B = `${prefix}lo-tb`;
    const specs: Spec[] = [
        { kind: "Namespace", name: "a", args: { name: A } },
        { kind: "Namespace", name: "b", args: { name: B } },
        { kind: "VethPair", name: "ab", args: { name: "lo-t0", namespace: ref("a", "name"), peerName: "lo-t1", peerNamespace: ref("b", "name") } },
        { kind: "Address", name: "ip-a", args: { namespace: ref("a", "name"), dev: ref("ab", "name"), address: "198.51.100.1/24" } },
        { kind: "Address", name: "ip-b", args: { namespace: ref("b", "name"), dev: ref("ab", "peerName"), address: "198.51.100.2/24" } },
        { kind: "Route", name: "rt-a", args: { namespace: ref("a", "name"), to: "203.0.113.0/24", via: "198.51.100.2" }, dependsOn: ["ip-a"] },
        { kind: "Rule", name: "rl-a", args: { namespace: ref("a", "name"), priority: 1000, from: "192.0.2.0/28", lookup: 100 } },
    ];

    it("state delete --target-dependents of a Namespace, then one up converges (addresses, routes, rules taken over), and destroy leaves nothing", async () => {
        const stack = await TestStack.create(`${prefix}lo-take`, FIXTURE, config(specs));
        life.stacks.push(stack);
        await stack.up();
        const urn = (await stateResources(stack)).find((r) => r.urn.endsWith("::a"))!.urn;
        await stack.must(["state", "delete", urn, "--target-dependents", "--yes"]);
        // What stays recorded: namespace b only (ip-b goes with the veth pair, which depends on a).
        expect((await stateResources(stack)).map((r) => r.urn.split("::").pop()).sort()).toEqual(["b"]);

        const up = await stack.up();
        expect(printed(up)).not.toContain("already assigned");
        expect((await stateResources(stack)).map((r) => r.urn.split("::").pop()).sort()).toEqual(["a", "ab", "b", "ip-a", "ip-b", "rl-a", "rt-a"]);
        await stack.expectNoChanges();

        await stack.destroy();
        expect((await namespaces()).filter((n) => n === A || n === B)).toEqual([]);
    }, 600_000);
});
