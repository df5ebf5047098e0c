// Upgrading pulumi-netns under a running stack. Up to commit aa2adcc the resources were
// pulumi.dynamic.Resource, whose provider the SDK serialized (about 1.8 KB of code, stored twice
// with every resource); now they store one line (provider/engine/dynamic.ts). A stack made by the old
// code must go on working with the new one: no change planned, nothing replaced, refresh and
// destroy run, and the state moves to the short form. The fixture builds the old form with
// config legacy=true (test/e2e/fixture/program.js).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { storedProvider } from "../../provider/engine/dynamic";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, REPO, TestStack } from "./harness";
import { config, link, ref, sh, stateResources, type Spec } from "./resource-support";

const prefix = filePrefix("upgrade");
const temp: string[] = [];
// Leak check, then clean-up (test/support/lifecycle.ts); the previous release's build goes too.
const { stacks } = fileLifecycle(prefix, { cleanups: [() => { for (const t of temp) rmSync(t, { recursive: true, force: true }); }] });

/**
 * The release before "one definition per kind" (commit f81358b: no computed mac/linkLocal, the
 * outputs liveMtu, liveAddress, ...), built from git into a temporary directory, and a copy of
 * the fixture project whose node_modules/pulumi-netns is that build (the other packages are this
 * repository's). A stack made there stores what that release stored; the same stack run from
 * the real fixture directory then runs the current code.
 */
const PREVIOUS_RELEASE = "f81358b";
async function previousReleaseProject(): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), "pulumi-netns-previous-"));
    temp.push(root);
    const src = join(root, "pulumi-netns"), project = join(root, "project");
    mkdirSync(src);
    const archive = await execa("git", ["-C", REPO, "archive", "--format=tar", PREVIOUS_RELEASE, "provider", "tsconfig.json", "package.json"], { encoding: "buffer" });
    await execa("tar", ["-x", "-C", src], { input: archive.stdout });
    symlinkSync(join(REPO, "node_modules"), join(src, "node_modules"));
    await execa(join(REPO, "node_modules/.bin/tsc"), ["-p", join(src, "tsconfig.json")]);
    mkdirSync(join(project, "node_modules"), { recursive: true });
    for (const f of ["Pulumi.yaml", "program.js"]) copyFileSync(join(FIXTURE, f), join(project, f));
    for (const pkg of readdirSync(join(REPO, "node_modules"))) {
        if (pkg !== "pulumi-netns" && pkg !== ".bin") symlinkSync(join(REPO, "node_modules", pkg), join(project, "node_modules", pkg));
    }
    symlinkSync(src, join(project, "node_modules", "pulumi-netns"));
    return project;
}

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

describe("a stack made by the previous release, run by this one", () => {
    it("plans no change, refreshes to the computed outputs, and destroys everything", async () => {
        const p = `${prefix}r-`;
        const old = await previousReleaseProject();
        const name = `${prefix}r`;
        const specs: Spec[] = [...topology(p), { kind: "Bridge", name: "br", args: { name: "br0", namespace: ref("b", "name"), mtu: 1400 } }];
        const before = await TestStack.create(name, old, config(specs));
        stacks.push(before);
        await before.up();
        const made = await before.resource("cable");
        expect(made?.outputs.liveMtu).toBeDefined(); // the previous release's outputs
        expect(made?.outputs.mac).toBeUndefined();
        const cable = await link(`${p}a`, "x0");

        // The same stack (same project name, same backend, same config file), run from the fixture: the current code.
        copyFileSync(join(old, `Pulumi.${name}.yaml`), join(FIXTURE, `Pulumi.${name}.yaml`));
        temp.push(join(FIXTURE, `Pulumi.${name}.yaml`)); // the user's config file: removed with the stack
        const now = TestStack.open(name, FIXTURE);
        stacks[stacks.indexOf(before)] = now; // one stack: the clean-up destroys and removes it once, with the current code
        await now.expectNoChanges();
        expect(await now.changes()).toEqual([]);
        await now.refresh();
        await now.expectNoChanges();
        const after = await now.resource("cable");
        expect(after?.outputs).toMatchObject({ ifindex: cable?.ifindex, mac: cable?.address });
        expect(after?.outputs.linkLocal).toMatch(/^fe80::/);
        expect(after?.outputs.liveMtu).toBeUndefined(); // the previous release's outputs are gone, not kept stale
        expect((await now.resource("br"))?.outputs.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        await now.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 900_000);
});
