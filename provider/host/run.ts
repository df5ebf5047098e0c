// How a kind runs a command: on its Subject's host (host.ts; this machine by default, local.ts),
// with the errors every kind gives: the resource, the exact command, its stderr, what to do.
import { appendFileSync } from "node:fs";
import type { Host } from "./host";
import { localHost } from "./local";
import { isMutating } from "./tools";

export type Op = "check" | "create" | "read" | "update" | "delete" | "diff";

/** Who is asking: used to name the resource in errors. */
export interface Subject {
    kind: string;
    /** The Pulumi resource name, or the object's own name when that is not known. */
    name: string;
    op: Op;
    /** The ownership mark this resource writes on what it makes (ownership/owner.ts: a Mark); absent for a state from before marks. */
    owner?: { project: string; stack: string; kind?: string | undefined; name?: string | undefined } | undefined;
    /** The machine the object lives on; absent: this machine (or a unit test's fake, useHost). */
    host?: Host | undefined;
}

export interface Result {
    stdout: string;
    stderr: string;
    exitCode: number;
}

export class NetnsError extends Error {
    constructor(
        readonly subject: Subject,
        readonly argv: readonly string[],
        readonly exitCode: number | undefined,
        readonly stderr: string,
        readonly hint: string,
        /** What the command read on stdin (`ip -batch -`), shown with it. */
        readonly input?: string,
    ) {
        super(formatError(subject, argv, exitCode, stderr, hint, input));
        this.name = "NetnsError";
    }
}

/**
 * A command that was started but killed before it finished: by the 60 s limit (SIGTERM) or by a
 * signal from outside. What it did before it died is unknown, so a create that gets this must
 * find out from `stdout` (an echo) or from the object's mark whether it made anything.
 */
export class KilledError extends NetnsError {
    constructor(subject: Subject, argv: readonly string[], stderr: string, hint: string, input: string | undefined,
        /** What the command printed before it was killed. */
        readonly stdout: string,
        readonly signal: string) {
        super(subject, argv, undefined, stderr, hint, input);
        this.name = "KilledError";
    }
}

/** Quotes an argument for display only (commands never go through a shell). */
export function quote(arg: string): string {
    return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatError(subject: Subject, argv: readonly string[], exitCode: number | undefined, stderr: string, hint: string, input?: string): string {
    // Name the program that failed, not the `sudo -n --` in front of it.
    const program = argv[0] === "sudo" && argv.includes("--") ? argv[argv.indexOf("--") + 1] : argv[0];
    const head = `${subject.kind} "${subject.name}" ${subject.op} failed` + (exitCode === undefined ? "" : ` (${program} exited ${exitCode})`);
    const lines = [head, `  command: ${argv.map(quote).join(" ")}`];
    const fed = input?.trim();
    if (fed) lines.push(`  input:   ${fed.split("\n").join("\n           ")}`);
    const err = stderr.trim();
    if (err) lines.push(`  stderr:  ${err.split("\n").join("\n           ")}`);
    lines.push(`  hint:    ${hint}`);
    return lines.join("\n");
}

/**
 * The hint when neither root nor sudo works. Passwordless sudo for `ip` is root itself
 * (`ip netns exec NS /bin/sh` starts any program as root), so it is offered as that, not as a
 * narrow grant. `sudo` false: sudo itself could not start (not installed, or not reachable).
 */
export function rootHint(sudo: boolean): string {
    return `managing network namespaces needs root: run as root (best on a machine or VM kept for this), or ${sudo ? "" : "install sudo and "}give this user passwordless sudo for ip; `
        + "that is root-equivalent ('sudo ip netns exec NS /bin/sh' is a root shell), so grant it only to a user who may be root";
}

/** The host commands run on when a Subject names none: this machine, or a test's fake (useHost). */
let defaultHost: Host = localHost;

/** Makes `host` the one every Subject without a host runs on, until the returned function is called (unit tests: a FakeHost). */
export function useHost(host: Host): () => void {
    const before = defaultHost;
    defaultHost = host;
    return () => { defaultHost = before; };
}

/** The host a subject's commands run on. */
export function hostOf(subject: Pick<Subject, "host">): Host {
    return subject.host ?? defaultHost;
}

/** The argv as the subject's host runs it (`sudo -n --` in front when not root), for error messages. */
export function shown(subject: Pick<Subject, "host">, argv: readonly string[]): string[] {
    return hostOf(subject).shown(argv);
}

/** The argv as this machine runs it: `sudo -n --` in front when we are not root. Kinds use shown(subject, argv). */
export function privileged(argv: readonly string[]): string[] {
    return defaultHost.shown(argv);
}

export { isMutating } from "./tools";

/** The Debian package of a program the provider runs, for the hint when it is missing. */
const PACKAGES: Record<string, string> = { sudo: "sudo", ip: "iproute2", tc: "iproute2", sysctl: "procps", nft: "nftables", tcpdump: "tcpdump" };

/**
 * Runs one command. Returns its result whatever the exit code; callers decide what a failure
 * means (for delete, "already gone" is success). A command that cannot start at all throws.
 */
export async function exec(subject: Subject, argv: readonly string[], input?: string): Promise<Result> {
    const host = hostOf(subject);
    const full = host.shown(argv);
    const log = process.env.PULUMI_NETNS_COMMAND_LOG;
    if (log) appendFileSync(log, JSON.stringify({ t: Date.now(), kind: subject.kind, op: subject.op, argv, ...(input === undefined ? {} : { input }), mutating: isMutating(argv, input), ...(host.key ? { host: host.key } : {}) }) + "\n");
    const file = full[0]!;
    const r = await host.run(argv, input);
    const { stdout, stderr } = r;
    if (r.exitCode === undefined && r.signal !== undefined && !r.error) {
        // Started, then killed: not a question of root or of a missing program.
        const why = `${file} was killed by ${r.signal}${r.timedOut ? " (no answer within 60 s)" : ""}`;
        throw new KilledError(subject, full, stderr ? `${stderr.trimEnd()}\n${why}` : why,
            "the command was killed before it finished: the system is overloaded or a tool is killing processes; run pulumi refresh, then pulumi up again", input, stdout, r.signal);
    }
    if (r.exitCode === undefined) {
        const missing = r.error?.code === "ENOENT";
        const message = r.error ? r.error.message : `${file} was killed by ${r.signal ?? "a signal"}${r.signal === "SIGTERM" ? " (no answer within 60 s)" : ""}`;
        // Another machine that cannot be reached (ssh.ts): its one line says what was tried.
        if (r.error?.code === "ESSHCONNECT") {
            throw new NetnsError(subject, full, undefined, message, `nothing was run on ${host.label}: check that it is up and that the address, port, user, key and host key are right; `
                + "resources on other hosts are not affected, and pulumi up again converges once it is reachable");
        }
        if (missing && host.key !== "") {
            const program = argv[0] ?? file;
            throw new NetnsError(subject, full, undefined, stderr || message, `${program} is not installed on ${host.label}: apt-get install ${PACKAGES[program] ?? program} there`);
        }
        // Not root, and sudo cannot even start (not installed, or not reachable for this user):
        // the one thing to say is that this needs root.
        if (file === "sudo" && full[0] !== argv[0]) {
            throw new NetnsError(subject, full, undefined, stderr || message, rootHint(false));
        }
        throw new NetnsError(subject, full, undefined, stderr || message, missing
            ? `${file} is not installed: apt-get install ${PACKAGES[file] ?? file} (npm run lab -- up installs what lessons need)`
            : "the command could not run; see stderr");
    }
    if (full[0] === "sudo" && argv[0] !== "sudo" && r.exitCode !== 0 && /sudo: (a password is required|a terminal is required|.*not in the sudoers|.*not allowed)/.test(stderr)) {
        throw new NetnsError(subject, full, r.exitCode, stderr, rootHint(true));
    }
    return { stdout, stderr, exitCode: r.exitCode };
}

/** Runs a command that must succeed; otherwise throws a NetnsError with a hint chosen from its stderr. */
export async function mustRun(subject: Subject, argv: readonly string[], hints: (stderr: string) => string | undefined = () => undefined, input?: string): Promise<Result> {
    const r = await exec(subject, argv, input);
    if (r.exitCode !== 0) {
        throw new NetnsError(subject, shown(subject, argv), r.exitCode, r.stderr, hints(r.stderr) ?? commonHint(r.stderr), input);
    }
    return r;
}

/** Hints that hold for every kind. */
export function commonHint(stderr: string): string {
    if (/Operation not permitted/.test(stderr)) return "this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo";
    if (/Cannot open network namespace|No such file or directory/.test(stderr)) return "the namespace does not exist: create it first, and pass its name as an output (ns.name) so Pulumi orders the two";
    return "run the command above by hand to see more; `pulumi refresh` brings the state in line with the host";
}

/**
 * Runs `ip -j ...` and parses its JSON. An empty answer is an empty list; so is a failure, whose
 * exit code the caller must look at. The kinds read through reads.ts (ipRead) instead, which
 * tells "gone" from "failed".
 */
export async function ipJson<T>(subject: Subject, argv: readonly string[]): Promise<{ exitCode: number; stderr: string; value: T[] }> {
    const r = await exec(subject, argv);
    if (r.exitCode !== 0) return { exitCode: r.exitCode, stderr: r.stderr, value: [] };
    const text = r.stdout.trim();
    return { exitCode: 0, stderr: r.stderr, value: text ? (JSON.parse(text) as T[]) : [] };
}

/**
 * A warning the user sees in the CLI's output. The engine's dynamic provider host has no engine
 * connection for pulumi.log, but it shows what the provider writes to stderr.
 */
export function warn(subject: Subject, text: string): void {
    process.stderr.write(`warning: ${subject.kind} "${subject.name}" ${subject.op}: ${text}\n`);
}
