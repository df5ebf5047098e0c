// Whether this user may run `ip` as root, decided once, in the program, before the first resource
// is registered. Without it, `preview` would pass (check and diff run no command) and `up` would
// print the same sudo error once per namespace after planning every step. The provider runs as
// the same user as the program (both are children of the CLI), so the program's answer holds
// for the provider's commands.
import { spawnSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { rootHint } from "./run";

/** The refusal of docs/operations.md "What needs root and why" (run.ts's root hint), naming what was tried and what it answered. */
export function privilegeMessage(tried: string, answer: string, sudoInstalled: boolean): string {
    return `pulumi-netns: ${rootHint(sudoInstalled)} (tried: ${tried}; ${answer.trim() || "no answer"})`;
}

/**
 * What stops this user from managing namespaces, or undefined when nothing does: root, or
 * `sudo -n -- ip -V` (the way run.ts runs every command; -V changes nothing) succeeds.
 */
export function privilegeProblem(): string | undefined {
    if (typeof process.getuid !== "function" || process.getuid() === 0) return undefined;
    const argv = ["sudo", "-n", "--", "ip", "-V"];
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" }, timeout: 10_000, encoding: "utf8" });
    if (r.status === 0) return undefined;
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    const answer = r.error ? (code === "ENOENT" ? "sudo is not installed" : String(code ?? r.error.message)) : (r.stderr || `exit ${r.status ?? r.signal}`);
    return privilegeMessage(argv.join(" "), answer.split("\n")[0] ?? "", code !== "ENOENT");
}

// One answer and one error object per process: the SDK reports a given error once, however many
// constructors throw it (a program that constructs resources in callbacks too).
let decided: { error?: pulumi.RunError } | undefined;

/**
 * Throws, before the first resource is registered, when this user cannot manage namespaces: a
 * RunError, which the SDK prints without a stack trace and which fails `preview` and `up` before
 * any step. Not under `pulumi.runtime.setMocks` (unit tests of programs need no root).
 */
export function requirePrivilege(): void {
    const monitor = pulumi.runtime.getMonitor() as object | undefined;
    if (!monitor || monitor.constructor?.name === "MockMonitor") return;
    if (!decided) {
        const problem = privilegeProblem();
        decided = problem ? { error: new pulumi.RunError(problem) } : {};
    }
    if (decided.error) throw decided.error;
}
