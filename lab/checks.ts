// Runs a lesson's checks and says, for each, what it ran, what it expected and what it saw.
// Used by `npm run lab -- verify` and by the end-to-end tests.
import type { Check, CheckCapture, CheckResult, Output } from "../stacks/lesson";
import { exec, quote } from "../provider/host/run";
import { captureArgv, refuseNamespace, startCapture } from "../provider/host/capture";

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

/** The capture's lines, for a failed check. */
function sawCaptured(check: Check, r: CheckResult): string {
    if (!check.capture) return "";
    const got = r.captured ?? [];
    const shown = got.length > 8 ? [...got.slice(0, 8), `... (${got.length - 8} more lines)`] : got;
    return `\n      captured ${got.length} line${got.length === 1 ? "" : "s"}${shown.map((l) => `\n      | ${l}`).join("")}`;
}

/** Everything a check ran, in order, with what each command printed (for a failed check). */
function sawAll(check: Check, r: CheckResult): string {
    if (!check.before?.length && !check.after?.length) return summarize(r) + sawCaptured(check, r);
    const each = [
        ...(check.before ?? []).map((argv, i) => [argv, r.before?.[i]] as const),
        [check.argv, r] as const,
        ...(check.after ?? []).map((argv, i) => [argv, r.after?.[i]] as const),
    ];
    return each.map(([argv, o]) => `$ ${commandLine(argv)}\n      ${o ? summarize(o) : "(not run)"}`).join("\n      ") + sawCaptured(check, r);
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

/** Starts a check's capture and returns the function that ends it with the lines seen (the unit tests pass a stand-in). */
export type CheckCaptureRunner = (check: Check, capture: CheckCapture) => Promise<() => Promise<string[]>>;

/**
 * The capture of provider/host/capture.ts: in the check's namespace (a lesson's checks name only
 * the lesson's own namespaces, nodes(prefix, ...)), listening before the first command; ended,
 * by its PID, once it has `count` lines or after `ms`, and on every path (the runner's finally).
 */
const runCapture: CheckCaptureRunner = async (_check, c) => {
    await refuseNamespace(c.namespace, [c.namespace], "the lesson");
    const capture = await startCapture({ namespace: c.namespace, iface: c.iface, filter: c.filter });
    return async () => {
        try {
            await capture.waitFor(c.count, c.ms ?? 3000);
        } finally {
            await capture.stop();
        }
        return [...capture.lines];
    };
};

/**
 * The order in which checks run: consecutive checks marked `independent` form one group that
 * runs at once; every other check is a group of its own, run after the group before it ended.
 * Output stays in the lesson's order whatever finishes first.
 */
export function checkGroups(checks: readonly Check[]): Check[][] {
    const groups: Check[][] = [];
    for (const check of checks) {
        const last = groups.at(-1);
        if (check.independent && !check.capture && last?.[0]?.independent && !last[0].capture) last.push(check);
        else groups.push([check]);
    }
    return groups;
}

async function runOne(check: Check, run: CheckCommandRunner, capture: CheckCaptureRunner): Promise<CheckOutcome> {
    let end: (() => Promise<string[]>) | undefined;
    let captured: string[] | undefined;
    const before: Output[] = [];
    const after: Output[] = [];
    let main: Output;
    try {
        if (check.capture) end = await capture(check, check.capture);
        for (const argv of check.before ?? []) before.push(await run(check, argv));
        main = await run(check, check.argv);
        for (const argv of check.after ?? []) after.push(await run(check, argv));
    } catch (e) {
        // A capture that could not start (or a runner that threw): a failed check that says why, not a crash of the run.
        main = { exitCode: 1, stdout: "", stderr: (e as Error).message };
    } finally {
        if (end) captured = await end().catch(() => []);
    }
    const r: CheckResult = { ...main, before, after, ...(check.capture ? { captured: captured ?? [] } : {}) };
    let ok: boolean;
    try {
        ok = check.ok(r);
    } catch {
        ok = false;
    }
    return { check, ok, exitCode: r.exitCode, saw: ok ? sawBriefly(check, r) : sawAll(check, r) };
}

/** Runs the checks (independent neighbours at once, see checkGroups); the outcomes in the checks' order. */
export async function runChecks(checks: Check[], run: CheckCommandRunner = runCommand, capture: CheckCaptureRunner = runCapture): Promise<CheckOutcome[]> {
    const out: CheckOutcome[] = [];
    for (const group of checkGroups(checks)) out.push(...(await Promise.all(group.map((c) => runOne(c, run, capture)))));
    return out;
}

/** A failed check shows all it saw; a passing one its evidence (or the exit code and the gist). */
export function formatOutcome(o: CheckOutcome): string {
    const c = o.check.capture;
    const during = c ? [`${commandLine(captureArgv({ namespace: c.namespace, iface: c.iface, filter: c.filter }))}   (capture, during the commands below)`] : [];
    const ran = [...during, ...[...(o.check.before ?? []), o.check.argv, ...(o.check.after ?? [])].map(commandLine)].join("\n                ");
    return [
        `${o.ok ? "PASS" : "FAIL"}  ${o.check.title}`,
        `      ran:      ${ran}`,
        `      expected: ${o.check.expect}`,
        `      saw:      ${o.saw}`,
    ].join("\n");
}
