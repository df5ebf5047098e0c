// Runs a lesson's checks and says, for each, what it ran, what it expected and what it saw.
// Used by `npm run lab -- verify` and by the end-to-end tests.
import type { Check } from "../stacks/lesson";
import { exec, quote } from "../provider/run";

export interface CheckOutcome {
    check: Check;
    ok: boolean;
    exitCode: number;
    saw: string;
}

function summarize(stdout: string, stderr: string, exitCode: number): string {
    const text = [stdout.trim(), stderr.trim()].filter(Boolean).join("\n");
    const lines = text.split("\n").filter(Boolean);
    const shown = lines.length > 8 ? [...lines.slice(0, 8), `... (${lines.length - 8} more lines)`] : lines;
    return `exit ${exitCode}${shown.length ? "\n" + shown.map((l) => `      | ${l}`).join("\n") : ""}`;
}

export async function runChecks(checks: Check[]): Promise<CheckOutcome[]> {
    const out: CheckOutcome[] = [];
    for (const check of checks) {
        const r = await exec({ kind: "Check", name: check.title, op: "read" }, check.argv);
        let ok: boolean;
        try {
            ok = check.ok(r);
        } catch {
            ok = false;
        }
        out.push({ check, ok, exitCode: r.exitCode, saw: summarize(r.stdout, r.stderr, r.exitCode) });
    }
    return out;
}

export function formatOutcome(o: CheckOutcome): string {
    return [
        `${o.ok ? "PASS" : "FAIL"}  ${o.check.title}`,
        `      ran:      ${o.check.argv.map(quote).join(" ")}`,
        `      expected: ${o.check.expect}`,
        `      saw:      ${o.saw}`,
    ].join("\n");
}
