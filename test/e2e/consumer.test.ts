// pulumi-netns as a user gets it: `npm pack` of this repository, installed with @pulumi/pulumi and
// typescript into a fresh project of its own whose program is TypeScript (index.ts, compiled by
// the SDK's ts-node, not by us), run through the real CLI with a file:// backend. The outputs
// (MTU, MAC, IPv6 link-local) are checked against the kernel; the stored provider's
// `require("pulumi-netns/dist/provider/impl.js")` must resolve from that project (refresh and
// destroy run it); nothing is left behind.
// The versions installed are this repository's own (its node_modules), with --prefer-offline: the
// npm cache of `npm ci` usually holds them all.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { env, REPO, TestStack } from "./harness";
import { link } from "./resource-support";

const prefix = filePrefix("consumer");
const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-consumer-"));
// Leak check, then clean-up (test/support/lifecycle.ts); the consumer project goes too.
const { stacks } = fileLifecycle(prefix, { cleanups: [() => rmSync(dir, { recursive: true, force: true })] });

const version = (pkg: string) => (JSON.parse(readFileSync(join(REPO, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

async function npm(args: string[], cwd: string): Promise<string> {
    const r = await execa("npm", args, { cwd, reject: false, timeout: 600_000, env: { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
    if (r.exitCode !== 0) throw new Error(`npm ${args.join(" ")} failed (exit ${r.exitCode})\n${String(r.stdout)}\n${String(r.stderr)}`);
    return String(r.stdout);
}

/** The user's program: two namespaces and a veth, every value read from the typed outputs. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Namespace, VethPair, type VethPairArgs } from "pulumi-netns";

const prefix = new pulumi.Config().require("prefix");
const left = new Namespace("left", { name: \`\${prefix}left\` });
const right = new Namespace("right", { name: \`\${prefix}right\` });
const args: VethPairArgs = { name: "veth0", namespace: left.name, peerName: "veth1", peerNamespace: right.name, mtu: 1400 };
const cable = new VethPair("cable", args);

// Every input is a typed output, and so is what the kernel computes.
const mtu: pulumi.Output<number | undefined> = cable.mtu;
const mac: pulumi.Output<string> = cable.mac;
// @ts-expect-error: outputs are typed: a VethPair has no output "peerBridge"
void cable.peerBridge;

export const namespace = cable.namespace;
export const peerNamespace = cable.peerNamespace;
export const outputs = { mtu, peerMtu: cable.peerMtu, mac, peerMac: cable.peerMac, linkLocal: cable.linkLocal, peerLinkLocal: cable.peerLinkLocal, ifindex: cable.ifindex, up: cable.up };
`;

describe("a Pulumi project of the user's own that installs the packed package", () => {
    it("packs only the compiled provider, installs it, and runs preview, up, outputs, no-change preview, refresh and destroy", async () => {
        // 1. The package: compiled JS and .d.ts of the provider (with its folders), of the command
        // (cli/), of the picture (graph/) and of the recovery (lab/recover) only (`prepare` builds it).
        const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", dir], REPO)) as { filename: string; files: { path: string }[] }[];
        const files = packed[0]!.files.map((f) => f.path);
        expect(files).toContain("dist/provider/index.js");
        expect(files).toContain("dist/provider/index.d.ts");
        expect(files).toContain("dist/provider/impl.js");
        expect(files).toContain("dist/provider/kinds/veth.js"); // the folders under provider/ too
        expect(files).toContain("dist/cli/main.js");
        expect(files).toContain("dist/lab/recover.js"); // npx pulumi-netns recover
        expect(files).toContain("dist/lab/capture.js"); // npx pulumi-netns capture
        expect(files).toContain("dist/provider/automation.js"); // pulumi-netns/automation
        for (const f of files) expect(f).toMatch(/^(package\.json|README\.md|LICENSE|dist\/provider\/((kinds|engine|checks|ownership|model|host|host\/tools)\/)?[a-z0-9]+\.(js|d\.ts)|dist\/cli\/main\.(js|d\.ts)|dist\/graph\/(png|render|stack)\.(js|d\.ts)|dist\/lab\/(recover|capture)\.(js|d\.ts))$/);

        // 2. The user's project.
        const project = join(dir, "project");
        rmSync(project, { recursive: true, force: true });
        await execa("mkdir", ["-p", project]);
        writeFileSync(join(project, "package.json"), JSON.stringify({ name: "netns-consumer", private: true, main: "index.ts" }, null, 2));
        writeFileSync(join(project, "Pulumi.yaml"), "name: netns-consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
        writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", esModuleInterop: true, forceConsistentCasingInFileNames: true }, files: ["index.ts"] }, null, 2));
        writeFileSync(join(project, "index.ts"), PROGRAM);
        await npm(["install", "--prefer-offline", "--save-exact", "--loglevel=error", join(dir, packed[0]!.filename),
            `@pulumi/pulumi@${version("@pulumi/pulumi")}`, `typescript@${version("typescript")}`, `@types/node@${version("@types/node")}`], project);
        // The stored provider's path resolves from the project, through the package's exports map.
        const resolved = await execa("node", ["-p", `require.resolve("pulumi-netns/dist/provider/impl.js")`], { cwd: project });
        expect(String(resolved.stdout)).toBe(join(project, "node_modules/pulumi-netns/dist/provider/impl.js"));
        // The program type checks against the published .d.ts (with the SDK's own ts-node at run time too).
        await execa(join(project, "node_modules/.bin/tsc"), ["--noEmit", "-p", project]);

        // 3. The CLI, as the user runs it.
        const p = `${prefix}u-`;
        const stack = await TestStack.create(`${prefix}u`, project, { prefix: p });
        stacks.push(stack);
        expect(await stack.changes()).toEqual(["create cable", "create left", "create right"]);
        await stack.up();
        const out = await stack.outputs() as { namespace: string; peerNamespace: string; outputs: Record<string, unknown> };
        expect(out.namespace).toBe(`${p}left`);
        expect(out.peerNamespace).toBe(`${p}right`);
        const [x, y] = [await link(`${p}left`, "veth0"), await link(`${p}right`, "veth1")];
        expect(x?.mtu).toBe(1400);
        expect(y?.mtu).toBe(1400);
        const linkLocal = async (ns: string, dev: string) => {
            const r = await execa("ip", ["-n", ns, "-j", "-6", "address", "show", "dev", dev, "scope", "link"]);
            return (JSON.parse(String(r.stdout)) as { addr_info: { local: string }[] }[])[0]?.addr_info[0]?.local;
        };
        expect(out.outputs).toEqual({
            mtu: 1400, peerMtu: 1400, up: true, ifindex: x?.ifindex,
            mac: x?.address, peerMac: y?.address,
            linkLocal: await linkLocal(`${p}left`, "veth0"), peerLinkLocal: await linkLocal(`${p}right`, "veth1"),
        });
        expect(out.outputs.linkLocal).toMatch(/^fe80::/);

        // The picture of the user's stack, by the package's own command, from the project.
        const svgPath = join(dir, "consumer.svg");
        const graph = await execa(join(project, "node_modules/.bin/pulumi-netns"), ["graph", "--stack", stack.name, "-o", svgPath, "--strip-prefix", p],
            { cwd: project, env: env(), reject: false });
        expect(graph.exitCode, String(graph.stderr)).toBe(0);
        const svg = readFileSync(svgPath, "utf8");
        for (const label of ["left", "right", "veth0", "veth1", "mtu 1400"]) expect(svg).toContain(label);

        await stack.expectNoChanges();
        await stack.refresh(); // runs the stored provider, which loads the installed package
        await stack.expectNoChanges();
        await stack.destroy();
        expect((await namespaces()).filter((n) => n.startsWith(p))).toEqual([]);
    }, 900_000);
});
