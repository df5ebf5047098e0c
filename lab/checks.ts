// Runs a lesson's checks and says, for each, what it ran, what it expected and what it saw.
// Used by `npm run lab -- verify` and by the end-to-end tests.
import type { Check, CheckResult, Output } from "../stacks/lesson";
import { exec, quote } from "../provider/host/run";

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

function lines(o: Output): string[] {
    return evidenceLines([o.stdout.trim(), o.stderr.trim()].filter(Boolean).join("\n"));
}

function summarize(o: Output): string {
    const all = lines(o);
    const shown = all.length > 8 ? [...all.slice(0, 8), `... (${all.length - 8} more lines)`] : all;
    return `exit ${o.exitCode}${shown.length ? "\n" + shown.map((l) => `      | ${l}`).join("\n") : ""}`;
}

const commandLine = (argv: readonly string[]) => argv.map(quote).join(" ");

/** Everything a check ran, in order, with what each command printed (for a failed check). */
function sawAll(check: Check, r: CheckResult): string {
    if (!check.before?.length && !check.after?.length) return summarize(r);
    const each = [
        ...(check.before ?? []).map((argv, i) => [argv, r.before?.[i]] as const),
        [check.argv, r] as const,
        ...(check.after ?? []).map((argv, i) => [argv, r.after?.[i]] as const),
    ];
    return each.map(([argv, o]) => `$ ${commandLine(argv)}\n      ${o ? summarize(o) : "(not run)"}`).join("\n      ");
}

/** What a passing check shows: its evidence lines, or the exit code and the first line. */
function sawBriefly(check: Check, r: CheckResult): string {
    let evidence: string[] | undefined;
    try {
        evidence = check.evidence?.(r);
    } catch {
        evidence = undefined;
    }
    if (!evidence) return summarize(r).split("\n").slice(0, 4).join("\n");
    return [`exit ${r.exitCode}`, ...evidence.map((l) => `      | ${l}`)].join("\n");
}

/** Runs one command of a check (provider/host/run.ts's exec by default; the unit tests pass a stand-in). */
export type CheckCommandRunner = (check: Check, argv: readonly string[]) => Promise<Output>;

const runCommand: CheckCommandRunner = (check, argv) => exec({ kind: "Check", name: check.title, op: "read" }, argv);

/**
 * The order in which checks run: consecutive checks marked `independent` form one group that
 * runs at once; every other check is a group of its own, run after the group before it ended.
 * Output stays in the lesson's order whatever finishes first.
 */
export function checkGroups(checks: readonly Check[]): Check[][] {
    const groups: Check[][] = [];
    for (const check of checks) {
        const last = groups.at(-1);
        if (check.independent && last?.[0]?.independent) last.push(check);
        else groups.push([check]);
    }
    return groups;
}

async function runOne(check: Check, run: CheckCommandRunner): Promise<CheckOutcome> {
    const before: Output[] = [];
    for (const argv of check.before ?? []) before.push(await run(check, argv));
    const main = await run(check, check.argv);
    const after: Output[] = [];
    for (const argv of check.after ?? []) after.push(await run(check, argv));
    const r: CheckResult = { ...main, before, after };
    let ok: boolean;
    try {
        ok = check.ok(r);
    } catch {
        ok = false;
    }
    return { check, ok, exitCode: r.exitCode, saw: ok ? sawBriefly(check, r) : sawAll(check, r) };
}

/** Runs the checks (independent neighbours at once, see checkGroups); the outcomes in the checks' order. */
export async function runChecks(checks: Check[], run: CheckCommandRunner = runCommand): Promise<CheckOutcome[]> {
    const out: CheckOutcome[] = [];
    for (const group of checkGroups(checks)) out.push(...(await Promise.all(group.map((c) => runOne(c, run)))));
    return out;
}

/** A failed check shows all it saw; a passing one its evidence (or the exit code and the gist). */
export function formatOutcome(o: CheckOutcome): string {
    const ran = [...(o.check.before ?? []), o.check.argv, ...(o.check.after ?? [])].map(commandLine).join("\n                ");
    return [
        `${o.ok ? "PASS" : "FAIL"}  ${o.check.title}`,
        `      ran:      ${ran}`,
        `      expected: ${o.check.expect}`,
        `      saw:      ${o.saw}`,
    ].join("\n");
}
