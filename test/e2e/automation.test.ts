// The Automation API with an inline program and no workDir, from a user's own project that
// installs the packed package (docs/operations.md "Driving stacks from the Automation API"). Without the
// package's helper the CLI runs in the workspace's temporary directory, where the dynamic provider
// launcher cannot find `@pulumi/pulumi/cmd/dynamic-provider` (issue 27 item 1);
// `createOrSelectLabStack` from `pulumi-netns/automation` makes it work. Two runs of the user's
// script, as a tool would make them: the first creates the stack and runs up (outputs checked
// against the kernel); the second selects it, runs a no-change preview and destroys it. No
// backend passphrase is given: the helper's default is used.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { env } from "./harness";
import { link } from "./resource-support";
import { userProject } from "./packed";

const prefix = filePrefix("rcauto");
const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-automation-"));
const { stacks } = fileLifecycle(prefix, { cleanups: [() => rmSync(dir, { recursive: true, force: true })] });

/** The user's tool: `node drive.js up|preview-destroy STACK PREFIX BACKEND`, one JSON line on stdout. */
const DRIVE = `const { createOrSelectLabStack } = require("pulumi-netns/automation");
const { Namespace, VethPair } = require("pulumi-netns");
const [op, stackName, prefix, backendUrl] = process.argv.slice(2);

const program = async () => {
    const left = new Namespace("left", { name: prefix + "left" });
    const right = new Namespace("right", { name: prefix + "right" });
    const cable = new VethPair("cable", { name: "veth0", namespace: left.name, peerName: "veth1", peerNamespace: right.name, mtu: 1400 });
    return { left: left.name, right: right.name, mtu: cable.mtu, mac: cable.mac };
};

(async () => {
    const stack = await createOrSelectLabStack({ stackName, projectName: "netns-automation", program, backendUrl });
    if (op === "up") {
        const r = await stack.up();
        const outputs = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
        console.log(JSON.stringify({ result: r.summary.result, outputs }));
    } else {
        const p = await stack.preview({ expectNoChanges: true });
        const d = await stack.destroy();
        await stack.workspace.removeStack(stackName);
        console.log(JSON.stringify({ changes: p.changeSummary, destroyed: d.summary.result }));
    }
})().catch((e) => { console.error(String((e && e.stack) || e)); process.exit(1); });
`;

describe("the Automation API with an inline program, no workDir, from a user's project", () => {
    it("createOrSelectLabStack: up, outputs, no-change preview, destroy", async () => {
        const project = await userProject(dir, "netns-automation-user", { "drive.js": DRIVE, "index.js": "" });
        const backend = env().PULUMI_BACKEND_URL!;
        // The user's environment: no backend, no passphrase, no NODE_PATH (the helper sets them).
        const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PULUMI_BACKEND_URL|PULUMI_CONFIG_PASSPHRASE(_FILE)?|NODE_PATH)$/.test(k))) as Record<string, string>;
        const drive = async (op: string) => {
            // Run from another directory: the program is inline, nothing is read from the cwd.
            const r = await execa("node", [join(project, "drive.js"), op, `${prefix}s`, prefix, backend],
                { cwd: dir, env: { ...base, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" }, extendEnv: false, reject: false, timeout: 600_000 });
            expect(r.exitCode, `node drive.js ${op}\n${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
            return JSON.parse(String(r.stdout).trim().split("\n").pop()!) as Record<string, unknown>;
        };
        stacks.push({ name: `${prefix}s`, dispose: async () => { await drive("preview-destroy").catch(() => undefined); } });

        const up = await drive("up") as { result: string; outputs: Record<string, unknown> };
        expect(up.result).toBe("succeeded");
        const x = await link(`${prefix}left`, "veth0");
        expect(up.outputs).toEqual({ left: `${prefix}left`, right: `${prefix}right`, mtu: 1400, mac: x?.address });
        expect(x?.mtu).toBe(1400);

        const end = await drive("preview-destroy") as { changes: Record<string, number>; destroyed: string };
        expect(end.changes).toEqual({ same: 4 }); // the stack and its three resources
        expect(end.destroyed).toBe("succeeded");
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
    }, 900_000);
});
