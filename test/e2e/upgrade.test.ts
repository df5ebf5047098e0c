// Upgrading pulumi-netns under a running stack. Up to commit aa2adcc the resources were
// pulumi.dynamic.Resource, whose provider the SDK serialized (about 1.8 KB of code, stored twice
// with every resource); now they store one line (provider/dynamic.ts). A stack made by the old
// code must go on working with the new one: no change planned, nothing replaced, refresh and
// destroy run, and the state moves to the short form. The fixture builds the old form with
// config legacy=true (test/e2e/fixture/program.js).
import { describe, expect, it } from "vitest";
import { storedProvider } from "../../provider/dynamic";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { config, link, ref, sh, stateResources, type Spec } from "./resource-support";

const prefix = filePrefix("upgrade");
const { stacks } = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

/** Two namespaces on a cable with an address pair and a route: one resource of most kinds. */
function topology(p: string): Spec[] {
    return [
        { kind: "Namespace", name: "a", args: { name: `${p}a` } },
        { kind: "Namespace", name: "b", args: { name: `${p}b` } },
        { kind: "VethPair", name: "cable", args: { name: "x0", namespace: ref("a", "name"), peerName: "y0", peerNamespace: ref("b", "name") } },
        { kind: "Address", name: "a-ip", args: { namespace: ref("a", "name"), dev: ref("cable", "name"), address: "192.0.2.1/24" } },
        { kind: "Address", name: "b-ip", args: { namespace: ref("b", "name"), dev: ref("cable", "peerName"), address: "192.0.2.2/24" } },
        { kind: "Route", name: "a-route", args: { namespace: ref("a", "name"), to: "198.51.100.0/24", via: "192.0.2.2" }, dependsOn: ["a-ip"] },
        { kind: "Sysctl", name: "b-forward", args: { namespace: ref("b", "name"), key: "net.ipv4.ip_forward", value: "1" } },
    ];
}

type Kind = Parameters<typeof storedProvider>[0];

/** The `__provider` texts stored in the state, inputs and outputs, by resource name. */
async function stored(stack: TestStack): Promise<Record<string, { kind: Kind; inputs: string; outputs: string }>> {
    const res = (await stateResources(stack)).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/netns:"));
    return Object.fromEntries(res.map((r) => [r.urn.split("::").pop()!,
        { kind: r.type.split(":").pop() as Kind, inputs: String(r.inputs?.__provider), outputs: String(r.outputs?.__provider) }]));
}

describe("a stack made by the previous form of the provider, run by the current one", () => {
    it("plans no change, updates nothing, refreshes, stores the short form, and destroys everything", async () => {
        const p = `${prefix}u-`;
        const stack = await TestStack.create(`${prefix}u`, FIXTURE, { ...config(topology(p)), legacy: "true" });
        stacks.push(stack);
        await stack.up();
        const before = await stored(stack);
        expect(Object.keys(before)).toHaveLength(7);
        for (const s of Object.values(before)) expect(s.outputs.length).toBeGreaterThan(1000); // the serialized closure
        const cable = await link(`${p}a`, "x0");

        // The current code on that state.
        await stack.setConfig({ legacy: "false" });
        expect(await stack.changes()).toEqual([]);
        await stack.expectNoChanges();
        const up = await stack.up();
        expect(up.stdout).not.toMatch(/updated|replaced|created|deleted/);
        expect((await link(`${p}a`, "x0"))?.ifindex).toBe(cable?.ifindex); // the same interface: nothing was remade
        const after = await stored(stack);
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        for (const [name, s] of Object.entries(after)) expect(s.inputs, name).toBe(storedProvider(s.kind));

        await stack.refresh();
        await stack.expectNoChanges();
        expect(await sh("ip", "-n", `${p}a`, "-j", "route", "show", "198.51.100.0/24")).toMatch(/"gateway":"192.0.2.2"/);

        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 600_000);

    it("destroy straight after the upgrade runs the stored old form, which loads the current code", async () => {
        const p = `${prefix}d-`;
        const stack = await TestStack.create(`${prefix}d`, FIXTURE, { ...config(topology(p)), legacy: "true" });
        stacks.push(stack);
        await stack.up();
        await stack.setConfig({ legacy: "false" });
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 600_000);
});
