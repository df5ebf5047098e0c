// Permissions: without root and without sudo, one clear error and no stack trace.
//   - The provider implementation, run as user `nobody` (setpriv, no groups, a copy of this
//     Node.js binary that nobody may execute): the create of every kind fails with the NetnsError
//     whose hint says that this needs root, and creates nothing.
//   - `npm test`'s own check (scripts/test.sh), run as nobody: the two-line message and exit 1,
//     before the set-up would try to install anything.
//   - The real CLI, run as nobody (a copy of the CLI and of Node.js that nobody may execute, a
//     state backend and PULUMI_HOME of its own): `preview` and `up` are refused once, before any
//     step, with the message of docs/operations.md; no resource is planned, nothing is created.
import { execa } from "execa";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURE, REPO } from "../e2e/harness";
import { filePrefix } from "../support/prefix";
import { fileLifecycle, namespacesWith } from "./support";

const prefix = filePrefix("perm");
let dir = "";
let node = "";
fileLifecycle(prefix, undefined, { cleanups: [() => rmSync(dir, { recursive: true, force: true })] });

const AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent", "LC_ALL=C"];

beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pulumi-netns-perm-"));
    chmodSync(dir, 0o755);
    node = join(dir, "node");
    copyFileSync(process.execPath, node); // the Node.js in use may live where nobody cannot read
    chmodSync(node, 0o755);
});

/** The directory of the `pulumi` on PATH (the set-up's build or an official install), with what is beside it. */
async function cliDir(): Promise<string> {
    const r = await execa("sh", ["-c", "command -v pulumi"]);
    return join(String(r.stdout).trim(), "../..");
}

const ROOT_HINT = "managing network namespaces needs root: run as root (best on a machine or VM kept for this), or install sudo and give this user passwordless sudo for ip; that is root-equivalent ('sudo ip netns exec NS /bin/sh' is a root shell), so grant it only to a user who may be root";


describe("without root and without sudo", () => {
    it("every kind's create, run as nobody, fails with one NetnsError that says it needs root, no stack trace, nothing created", async () => {
        const ns = `${prefix}nobody`;
        const inputs: Record<string, Record<string, unknown>> = {
            Namespace: { name: ns, adopt: false },
            VethPair: { name: "v0", namespace: ns, peerName: "v1", peerNamespace: `${ns}2`, up: true, peerUp: true, adopt: false },
            Address: { namespace: ns, dev: "v0", address: "192.0.2.1/24", adopt: false },
            Route: { namespace: ns, to: "198.51.100.0/24", via: "192.0.2.254", table: "main", adopt: false },
            Sysctl: { namespace: ns, key: "net.ipv4.ip_forward", value: "1" },
            Bridge: { name: "br0", namespace: ns, up: true, adopt: false },
            Rule: { namespace: ns, priority: 1000, from: "192.168.1.0/28", to: "all", lookup: 100, adopt: false },
        };
        const script = `
            const { providers } = require(${JSON.stringify(join(REPO, "dist/provider/impl.js"))});
            const inputs = ${JSON.stringify(inputs)};
            (async () => {
                const out = {};
                for (const [kind, args] of Object.entries(inputs)) {
                    try {
                        await providers[kind].create({ resourceName: "perm-" + kind.toLowerCase(), ...args });
                        out[kind] = { created: true };
                    } catch (e) {
                        out[kind] = { name: e.name, message: e.message };
                    }
                }
                console.log(JSON.stringify(out));
                process.exit(0); // a spawn that never started may leave its 60 s timeout timer behind
            })();`;
        const r = await execa(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), node, "-e", script], { cwd: dir, reject: false });
        expect(r.exitCode, String(r.stderr)).toBe(0);
        const out = JSON.parse(String(r.stdout)) as Record<string, { created?: boolean; name?: string; message?: string }>;
        for (const kind of Object.keys(inputs)) {
            const e = { ...out[kind]!, message: out[kind]!.message ?? "" };
            expect(e.created, `${kind} created something as nobody`).toBeUndefined();
            expect(e.name).toBe("NetnsError");
            expect(e.message).toMatch(new RegExp(`^${kind} "perm-${kind.toLowerCase()}" create failed`));
            expect(e.message).toContain(`hint:    ${ROOT_HINT}`);
            expect(e.message, "no stack trace").not.toMatch(/^\s+at /m);
            expect(e.message.split("\n").filter((l) => l.includes("hint:")), "one hint").toHaveLength(1);
        }
        expect(await namespacesWith(prefix)).toEqual([]);
        console.log(`[reliability] permissions: ${Object.keys(inputs).length} kinds' creates as nobody, each one NetnsError with the root hint\n${out.Namespace!.message}`);
    }, 120_000);

    it("npm test's own check (scripts/test.sh), run as nobody: the message and exit 1, nothing else", async () => {
        const r = await execa(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), "bash", join(REPO, "scripts/test.sh")], { cwd: dir, reject: false });
        expect(r.exitCode).toBe(1);
        expect(String(r.stdout)).toBe("");
        expect(String(r.stderr)).toBe([
            "npm test: the integration and end-to-end tests create network namespaces and need root.",
            "  Run as root (sudo npm test), allow passwordless sudo, or run only the unit tests: npm run test:unit",
        ].join("\n"));
    }, 120_000);

    it("pulumi preview and up, run as nobody, are refused once, before any step, with the message of docs/operations.md", async () => {
        // What nobody may read and write: a copy of the CLI, a project (the fixture's program, this
        // checkout's node_modules), a state backend and a PULUMI_HOME.
        const cli = join(dir, "cli");
        await execa("cp", ["-a", await cliDir(), cli]);
        const project = join(dir, "project"), state = join(dir, "state"), home = join(dir, "home");
        for (const d of [project, state, home]) mkdirSync(d);
        for (const f of ["Pulumi.yaml", "program.js"]) copyFileSync(join(FIXTURE, f), join(project, f));
        symlinkSync(join(REPO, "node_modules"), join(project, "node_modules"));
        await execa("chown", ["-R", "nobody:nogroup", project, state, home]);
        const ns = `${prefix}cli`;
        const resources = [
            { kind: "Namespace", name: "a", args: { name: `${ns}a` } },
            { kind: "Namespace", name: "b", args: { name: `${ns}b` } },
            { kind: "VethPair", name: "cable", args: { name: "x0", namespace: `${ns}a`, peerName: "y0", peerNamespace: `${ns}b` } },
        ];
        const env = [`PATH=${join(cli, "bin")}:${dir}:/usr/sbin:/usr/bin:/sbin:/bin`, `PULUMI_HOME=${home}`, `PULUMI_BACKEND_URL=file://${state}`,
            "PULUMI_CONFIG_PASSPHRASE=lessons", "PULUMI_SKIP_UPDATE_CHECK=true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true"];
        const pulumi = (args: string[]) => execa(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), ...env, "pulumi", ...args, "--stack", "perm", "--non-interactive", "--cwd", project], { cwd: dir, reject: false, timeout: 300_000 });
        for (const args of [["stack", "init"], ["config", "set", "resources", JSON.stringify(resources)]]) {
            const r = await pulumi(args);
            expect(r.exitCode, `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
        }
        for (const args of [["preview"], ["up", "--yes"], ["up", "--yes", "--skip-preview"]]) {
            const r = await pulumi(args);
            const out = `${String(r.stdout)}\n${String(r.stderr)}`;
            expect(r.exitCode, out).not.toBe(0);
            // The CLI shows a program's error on the stack's progress line and once under Diagnostics.
            const diagnostics = out.slice(out.indexOf("Diagnostics:"));
            expect(diagnostics.split(ROOT_HINT).length - 1, `refused once, with the message:\n${out}`).toBe(1);
            expect(out, "no resource planned, no step").not.toContain("dynamic/netns:");
            expect(out, "no stack trace").not.toMatch(/^\s+at /m);
            if (args[0] === "preview") console.log(`[reliability] permissions: pulumi preview as nobody:\n${out}`);
        }
        expect(await namespacesWith(prefix)).toEqual([]);
    }, 300_000);
});
