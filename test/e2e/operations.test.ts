// Ordinary Pulumi operations from a user's own project that installs the packed package (issue 27):
//   - a targeted update of a change that replaces: renaming a namespace and `up --target` of it
//     alone is refused at preview, before any step, with the line that says to add
//     --target-dependents; with --target-dependents the same run works and the network is whole;
//   - a secret address (`pulumi config set --secret`): not in clear text anywhere in the state
//     (the backend's files, `pulumi stack export`) or in what the CLI prints (preview --diff, up,
//     `pulumi stack --show-ids`, refresh, destroy); its ID is opaque. A secret namespace name is
//     refused at preview, without being printed.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { env, TestStack, type CliResult } from "./harness";
import { packedProject, pack } from "./packed";
import { addresses } from "./resource-support";

const prefix = filePrefix("op");
const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-ops-"));
const { stacks } = fileLifecycle(prefix, { cleanups: [() => rmSync(dir, { recursive: true, force: true })] });

const PROJECT = "netns-ops";
/** Two namespaces on a cable with an address on each end; config adds a secret address or a secret namespace name. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Address, Namespace, VethPair } from "pulumi-netns";

const config = new pulumi.Config();
const p = config.require("prefix");
const ns1 = new Namespace("ns1", { name: \`\${p}ns1\` });
const ns2 = new Namespace("ns2", { name: \`\${p}\${config.get("ns2") ?? "ns2"}\` });
const cable = new VethPair("cable", { name: "v1", namespace: ns1.name, peerName: "v2", peerNamespace: ns2.name });
new Address("a1", { namespace: ns1.name, dev: cable.name, address: "192.0.2.1/24" });
new Address("a2", { namespace: ns2.name, dev: cable.peerName, address: "192.0.2.2/24" });
const secretAddress = config.getSecret("secretAddress");
if (secretAddress) new Address("hidden", { namespace: ns1.name, dev: cable.name, address: secretAddress });
const secretName = config.getSecret("secretName");
if (secretName) new Namespace("secret-ns", { name: secretName });
`;

let project = "";
beforeAll(async () => {
    project = await packedProject(dir, PROJECT, await pack(dir), PROGRAM);
}, 900_000);

const printed = (r: CliResult) => `${r.stdout}\n${r.stderr}`;
const urn = (stack: TestStack, kind: string, name: string) => `urn:pulumi:${stack.name}::${PROJECT}::pulumi-nodejs:dynamic/netns:${kind}::${name}`;

async function ping(ns: string, ip: string): Promise<boolean> {
    return (await execa("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "2", ip], { reject: false })).exitCode === 0;
}

describe("pulumi up --target of a change that replaces", () => {
    it("renaming a namespace and targeting it alone is refused at preview with the hint; with --target-dependents it works", async () => {
        const p = `${prefix}t-`;
        const stack = await TestStack.create(`${prefix}t`, project, { prefix: p });
        stacks.push(stack);
        await stack.up();
        expect(await ping(`${p}ns1`, "192.0.2.2")).toBe(true);

        await stack.setConfig({ ns2: "nsb" });
        const target = urn(stack, "Namespace", "ns2");
        for (const cmd of [["preview"], ["up", "--yes"], ["up", "--yes", "--skip-preview"]]) {
            const r = await stack.run([...cmd, "--target", target]);
            expect(r.exitCode, printed(r)).not.toBe(0);
            const out = printed(r);
            expect(out).toContain("Add --target-dependents");
            // One error (the CLI shows it on the resource's progress line and once under Diagnostics).
            const diagnostics = out.slice(out.indexOf("Diagnostics:"));
            expect(diagnostics.split("Add --target-dependents").length - 1, `refused once:\n${out}`).toBe(1);
            for (const dep of ['VethPair "cable"', 'Address "a2"']) expect(out).toContain(dep);
            // Before any step: the old network is untouched.
            expect((await namespaces()).filter((n) => n.startsWith(p)).sort()).toEqual([`${p}ns1`, `${p}ns2`]);
            expect(await ping(`${p}ns1`, "192.0.2.2")).toBe(true);
        }
        console.log(`[e2e] targeted rename refused:\n${printed(await stack.run(["preview", "--target", target]))}`);

        await stack.must(["up", "--yes", "--target", target, "--target-dependents"]);
        expect((await namespaces()).filter((n) => n.startsWith(p)).sort()).toEqual([`${p}ns1`, `${p}nsb`]);
        expect(await addresses(`${p}nsb`, "v2")).toContain("192.0.2.2/24");
        expect(await ping(`${p}ns1`, "192.0.2.2")).toBe(true);
        await stack.expectNoChanges();
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 900_000);
});

/** Every file under `root`, as text. */
function filesUnder(root: string): { path: string; text: string }[] {
    const out: { path: string; text: string }[] = [];
    for (const name of readdirSync(root)) {
        const path = join(root, name);
        if (statSync(path).isDirectory()) out.push(...filesUnder(path));
        else out.push({ path, text: readFileSync(path, "latin1") });
    }
    return out;
}

describe("secrets and IDs", () => {
    it("a secret address is in clear text nowhere in the state or the CLI's output, and its ID is opaque", async () => {
        const p = `${prefix}s-`;
        const secret = "192.0.2.77";
        const stack = await TestStack.create(`${prefix}s`, project, { prefix: p });
        stacks.push(stack);
        await stack.must(["config", "set", "--secret", "secretAddress", `${secret}/24`]);
        const seen: CliResult[] = [];
        const run = async (args: string[]) => { const r = await stack.must(args); seen.push(r); return r; };
        await run(["preview", "--diff"]);
        await run(["up", "--yes", "--diff"]);
        expect(await addresses(`${p}ns1`, "v1")).toContain(`${secret}/24`);
        await run(["stack", "--show-ids"]);
        await run(["stack", "output", "--json"]);
        await run(["refresh", "--yes", "--diff"]);
        await run(["preview", "--diff", "--expect-no-changes"]);
        const exported = await run(["stack", "export"]);

        const d = JSON.parse(exported.stdout) as { deployment: { resources: { urn: string; id?: string }[] } };
        const idOf = (name: string) => d.deployment.resources.find((r) => r.urn.endsWith(`::${name}`))?.id;
        expect(idOf("hidden")).toMatch(/^secret-[0-9a-f]{32}$/);
        expect(idOf("a1")).toBe(`${p}ns1/v1/192.0.2.1/24`); // no secret input: the natural ID, as before
        const state = new URL(env().PULUMI_BACKEND_URL!).pathname;
        const files = filesUnder(state);
        expect(files.length).toBeGreaterThan(0);
        for (const f of files) expect(f.text.includes(secret), `${f.path} holds the secret`).toBe(false);

        // A secret name of a Namespace (its ID) is refused at preview, and not printed.
        await stack.must(["config", "set", "--secret", "secretName", `${p}hid`]);
        const refused = await stack.run(["preview", "--diff"]);
        expect(refused.exitCode).not.toBe(0);
        expect(printed(refused)).toContain("names the Namespace in clear text");
        expect(printed(refused)).not.toContain(`${p}hid`);
        await stack.must(["config", "rm", "secretName"]);

        seen.push(await stack.destroy());
        for (const r of [...seen, refused]) expect(printed(r).includes(secret), `the CLI printed the secret:\n${printed(r)}`).toBe(false);
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 900_000);
});
