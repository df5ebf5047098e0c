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

/** A failed check shows all it saw; a passing one only the first line (the exit code and the gist). */
export function formatOutcome(o: CheckOutcome): string {
    const saw = o.ok ? (o.saw.split("\n").slice(0, 2).join("\n")) : o.saw;
    return [
        `${o.ok ? "PASS" : "FAIL"}  ${o.check.title}`,
        `      ran:      ${o.check.argv.map(quote).join(" ")}`,
        `      expected: ${o.check.expect}`,
        `      saw:      ${saw}`,
    ].join("\n");
}
