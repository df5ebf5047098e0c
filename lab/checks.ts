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

/**
 * The lines of a command's output that carry evidence, chosen by what they say: ping's replies
 * (with their ttl) and its ICMP error lines ("From 192.0.2.254 icmp_seq=1 Destination Net
 * Unreachable"), its tally ("2 packets transmitted, 0 received"), traceroute's hops, and error
 * messages. ping's banner ("PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data."), its statistics
 * header and timings, and traceroute's banner prove nothing and are left out. Output of any
 * other command (ip, sysctl) has no such marks: all of it is evidence.
 */
export function evidenceLines(text: string): string[] {
    const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
    const noise = [
        /^PING \S+ \(\S+\)( from \S+ \S+:)? \d+\(\d+\) bytes of data\.$/,
        /^PING6?\(/,
        /^--- \S+ ping statistics ---$/,
        /^rtt min\/avg\/max\/mdev = /,
        /^traceroute6? to \S+ \(\S+\), \d+ hops max/,
    ];
    const kept = lines.filter((l) => !noise.some((re) => re.test(l.trim())));
    return kept.length ? kept : lines;
}

function summarize(stdout: string, stderr: string, exitCode: number): string {
    const lines = evidenceLines([stdout.trim(), stderr.trim()].filter(Boolean).join("\n"));
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

/** A failed check shows all the evidence it saw; a passing one the exit code and its first three lines (ping's replies with their ttl). */
export function formatOutcome(o: CheckOutcome): string {
    const saw = o.ok ? (o.saw.split("\n").slice(0, 4).join("\n")) : o.saw;
    return [
        `${o.ok ? "PASS" : "FAIL"}  ${o.check.title}`,
        `      ran:      ${o.check.argv.map(quote).join(" ")}`,
        `      expected: ${o.check.expect}`,
        `      saw:      ${saw}`,
    ].join("\n");
}
