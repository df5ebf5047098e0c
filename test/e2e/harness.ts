// Drives the real `pulumi` CLI: one stack per test, a file:// backend in a temporary directory,
// the fixed test passphrase, no update checks. Every call is the CLI a user would run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";

export const REPO = resolve(__dirname, "../..");
export const FIXTURE = join(REPO, "test/e2e/fixture");

export interface Step {
    op: string;
    urn: string;
    type: string;
    name: string;
    diffs: string[];
}

export interface CliResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

// The file:// backend of this test file, made on first use (a file that runs no CLI makes none)
// and removed by removeState() at the end of the file (test/support/lifecycle.ts).
let state: string | undefined;

function stateDir(): string {
    state ??= mkdtempSync(join(tmpdir(), "pulumi-netns-e2e-"));
    return state;
}

/** The CLI's environment; `extra` is added to it (the provider process inherits it: PULUMI_NETNS_COMMAND_LOG). */
export function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
        PULUMI_BACKEND_URL: `file://${stateDir()}`,
        PULUMI_CONFIG_PASSPHRASE: "lessons",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...extra,
    };
}

export class TestStack {
    private constructor(readonly name: string, readonly dir: string) {}

    /** Creates a stack in `dir` (the lessons project or the fixture) with the given config. */
    static async create(name: string, dir: string, config: Record<string, string>): Promise<TestStack> {
        const s = new TestStack(name, dir);
        await s.must(["stack", "init"]);
        await s.setConfig(config);
        return s;
    }

    /** A stack that exists already, run from `dir` (whose Pulumi.<stack>.yaml holds its config). */
    static open(name: string, dir: string): TestStack {
        return new TestStack(name, dir);
    }

    async setConfig(config: Record<string, string>): Promise<void> {
        for (const [k, v] of Object.entries(config)) await this.must(["config", "set", k, v]);
    }

    async run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
        const r = await execa("pulumi", [...args, "--stack", this.name, "--non-interactive", "--cwd", this.dir], {
            env: env(extraEnv), reject: false, timeout: 600_000,
        });
        return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    }

    async must(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
        const r = await this.run(args, extraEnv);
        if (r.exitCode !== 0) throw new Error(`pulumi ${args.join(" ")} failed (exit ${r.exitCode})\n${r.stdout}\n${r.stderr}`);
        return r;
    }

    /** The engine's plan, from `pulumi preview --json`. */
    async plan(extra: string[] = []): Promise<Step[]> {
        const r = await this.run(["preview", "--json", ...extra]);
        if (r.exitCode !== 0) throw new Error(`pulumi preview failed (exit ${r.exitCode})\n${r.stdout}\n${r.stderr}`);
        const steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string; diffReasons?: string[]; replaceReasons?: string[] }[] }).steps ?? [];
        return steps.map((st) => {
            const [type = "", name = ""] = st.urn.split("::").slice(-2);
            return { op: st.op, urn: st.urn, type, name, diffs: st.diffReasons ?? [] };
        });
    }

    /** Steps other than "same", as "op name" strings, sorted: easy to compare with what a lesson claims. */
    async changes(extra: string[] = []): Promise<string[]> {
        return (await this.plan(extra)).filter((s) => s.op !== "same" && !s.type.startsWith("pulumi:pulumi:Stack")).map((s) => `${s.op} ${s.name}`).sort();
    }

    up(extra: string[] = [], extraEnv: Record<string, string> = {}) { return this.must(["up", "--yes", "--skip-preview", ...extra], extraEnv); }
    expectNoChanges() { return this.must(["preview", "--expect-no-changes"]); }
    refresh() { return this.must(["refresh", "--yes", "--skip-preview"]); }
    destroy() { return this.must(["destroy", "--yes", "--skip-preview"]); }

    async outputs(): Promise<Record<string, unknown>> {
        return JSON.parse((await this.must(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    }

    /** The stored state of one resource, from `pulumi stack export`. */
    async resource(name: string): Promise<{ id: string; outputs: Record<string, unknown> } | undefined> {
        const d = JSON.parse((await this.must(["stack", "export"])).stdout) as { deployment: { resources?: { urn: string; id: string; outputs: Record<string, unknown> }[] } };
        return d.deployment.resources?.find((r) => r.urn.endsWith(`::${name}`));
    }

    /**
     * Destroys whatever is left, then removes the stack, whatever the destroy did. A failed
     * `pulumi destroy` (or `stack rm`) throws afterwards, with what the CLI printed: the file's
     * lifecycle (test/support/lifecycle.ts) finishes its clean-up, then fails the file with it.
     */
    async dispose(): Promise<void> {
        const destroy = await this.run(["destroy", "--yes", "--skip-preview"]);
        const rm = await this.run(["stack", "rm", "--yes", "--force"]);
        const failed = [
            destroy.exitCode !== 0 ? `pulumi destroy of stack ${this.name} failed (exit ${destroy.exitCode})\n${destroy.stdout}\n${destroy.stderr}` : "",
            rm.exitCode !== 0 ? `pulumi stack rm of stack ${this.name} failed (exit ${rm.exitCode})\n${rm.stdout}\n${rm.stderr}` : "",
        ].filter(Boolean);
        if (failed.length) throw new Error(failed.join("\n"));
    }
}

export function removeState(): void {
    if (state) rmSync(state, { recursive: true, force: true });
    state = undefined;
}
