// The one module that runs commands: execa with an argument array, never a shell.
// When not root, commands run through `sudo -n`; when that is refused, one clear error.
import { appendFileSync } from "node:fs";

export type Op = "check" | "create" | "read" | "update" | "delete" | "diff";

/** Who is asking: used to name the resource in errors. */
export interface Subject {
    kind: string;
    /** The Pulumi resource name, or the object's own name when that is not known. */
    name: string;
    op: Op;
    /** The ownership mark this resource writes on what it makes (owner.ts); absent for a state from before marks. */
    owner?: import("../ownership/owner").Mark | undefined;
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

function isRoot(): boolean {
    return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The argv actually executed: `sudo -n` in front when we are not root. */
export function privileged(argv: readonly string[]): string[] {
    return isRoot() ? [...argv] : ["sudo", "-n", "--", ...argv];
}

/** ip's options that take an argument (the argument is no object or verb). */
const IP_OPTIONS_WITH_ARG = new Set(["-n", "-netns", "-f", "-family", "-b", "-batch", "-rc", "-rcvbuf", "-l", "-loops"]);
const IP_VERBS_THAT_CHANGE = new Set(["add", "del", "delete", "set", "replace", "change", "flush", "append", "prepend", "attach"]);

/** Whether one `ip` command line (without the `ip`: options, OBJECT, VERB, ...) changes the system. */
function ipLineMutates(words: readonly string[], input: string | undefined): boolean {
    let i = 0;
    let batch = false;
    while (i < words.length && words[i]!.startsWith("-")) {
        if (words[i] === "-b" || words[i] === "-batch") batch = true;
        i += IP_OPTIONS_WITH_ARG.has(words[i]!) ? 2 : 1;
    }
    if (batch) return (input ?? "").split("\n").some((line) => line.trim() !== "" && ipLineMutates(line.trim().split(/\s+/), undefined));
    const [object, verb] = [words[i], words[i + 1]];
    if (object === "netns" && verb === "exec") return isMutating(words.slice(i + 3)); // the program run inside
    return verb !== undefined && IP_VERBS_THAT_CHANGE.has(verb);
}

/** tc's options that take an argument; its verbs that change nothing (show, list, ls, help). */
const TC_OPTIONS_WITH_ARG = new Set(["-n", "-netns", "-b", "-batch", "-nm", "-cf", "-conf", "-rcvbuf"]);
const TC_VERBS_THAT_READ = new Set(["show", "list", "ls", "lst", "help", "get"]);

/** Whether one `tc` command line (without the `tc`) changes the system: `tc -j qdisc show` does not. */
function tcMutates(words: readonly string[], input: string | undefined): boolean {
    let i = 0;
    let batch = false;
    while (i < words.length && words[i]!.startsWith("-")) {
        if (words[i] === "-b" || words[i] === "-batch") batch = true;
        i += TC_OPTIONS_WITH_ARG.has(words[i]!) ? 2 : 1;
    }
    if (batch) return (input ?? "").split("\n").some((line) => line.trim() !== "" && tcMutates(line.trim().split(/\s+/), undefined));
    const verb = words[i + 1];
    return verb === undefined ? false : !TC_VERBS_THAT_READ.has(verb);
}

/**
 * Whether a command changes the system: counted by the convergence tests (a no-change `up` must
 * run none). Read from the command's grammar, so that a name like `add` is a name: `ip` (its
 * OBJECT VERB, the lines of `-batch -`, the program of `netns exec`), `tc` (its OBJECT VERB: show
 * and list read) and `sysctl -w`; any other
 * program counts as changing.
 */
export function isMutating(argv: readonly string[], input?: string): boolean {
    const words = argv[0] === "sudo" && argv.includes("--") ? argv.slice(argv.indexOf("--") + 1) : argv;
    if (words.length === 0) return false;
    if (words[0] === "ip") return ipLineMutates(words.slice(1), input);
    if (words[0] === "sysctl") return words.includes("-w");
    if (words[0] === "tc") return tcMutates(words.slice(1), input);
    return true;
}

interface Spawned { stdout: string; stderr: string; exitCode: number | undefined; error?: { code?: string; message: string } | undefined; signal?: string | undefined; timedOut?: boolean; message?: string }

type Execa = typeof import("execa").execa;
let execaFn: Execa | undefined;

/**
 * Spawns one process without a shell (execa, an argument array) and collects its output. The
 * environment is ours plus LC_ALL=C. The 60 s limit is an unref'd AbortSignal timer: it never
 * keeps a finished provider or test process alive.
 */
async function spawnOnce(file: string, args: readonly string[], input: string | undefined): Promise<Spawned> {
    // Loaded on first use: execa is ESM, reached through require(esm) from this CommonJS module.
    execaFn ??= (require("execa") as typeof import("execa")).execa;
    const io = input === undefined ? { stdin: "ignore" as const } : { input };
    const r = await execaFn(file, args, { reject: false, ...io, env: { LC_ALL: "C" }, cancelSignal: AbortSignal.timeout(60_000) });
    const text = (v: unknown) => (typeof v === "string" ? v : "");
    const code = (r as { code?: string }).code;
    const started = r.exitCode !== undefined || r.signal !== undefined;
    return {
        stdout: text(r.stdout), stderr: text(r.stderr), exitCode: r.exitCode ?? undefined,
        signal: r.isCanceled ? "SIGTERM" : (r.signal ?? undefined), timedOut: r.isCanceled === true,
        error: started ? undefined : { ...(code ? { code } : {}), message: String(r.originalMessage ?? r.message ?? "") },
    };
}

/**
 * Runs one command. Returns its result whatever the exit code; callers decide what a failure
 * means (for delete, "already gone" is success). A command that cannot start at all throws.
 */
export async function exec(subject: Subject, argv: readonly string[], input?: string): Promise<Result> {
    const full = privileged(argv);
    const log = process.env.PULUMI_NETNS_COMMAND_LOG;
    if (log) appendFileSync(log, JSON.stringify({ t: Date.now(), kind: subject.kind, op: subject.op, argv, ...(input === undefined ? {} : { input }), mutating: isMutating(argv, input) }) + "\n");
    const [file, ...args] = full as [string, ...string[]];
    const r = await spawnOnce(file, args, input);
    const { stdout, stderr } = r;
    if (r.exitCode === undefined && r.signal !== undefined && !r.error) {
        // Started, then killed: not a question of root or of a missing program.
        const why = `${file} was killed by ${r.signal}${r.timedOut ? " (no answer within 60 s)" : ""}`;
        throw new KilledError(subject, full, stderr ? `${stderr.trimEnd()}\n${why}` : why,
            "the command was killed before it finished: the system is overloaded or a tool is killing processes; run pulumi refresh, then pulumi up again", input, stdout, r.signal);
    }
    if (r.exitCode === undefined) {
        const missing = r.error?.code === "ENOENT";
        r.message = r.error ? r.error.message : `${file} was killed by ${r.signal ?? "a signal"}${r.signal === "SIGTERM" ? " (no answer within 60 s)" : ""}`;
        // Not root, and sudo cannot even start (not installed, or not reachable for this user):
        // the one thing to say is that this needs root.
        if (file === "sudo" && !isRoot()) {
            throw new NetnsError(subject, full, undefined, stderr || String(r.message ?? ""), rootHint(false));
        }
        throw new NetnsError(subject, full, undefined, stderr || String(r.message ?? ""), missing
            ? `${file} is not installed: apt-get install ${file === "sudo" ? "sudo" : file === "ip" ? "iproute2" : "procps"} (npm run lab -- up installs what lessons need)`
            : "the command could not run; see stderr");
    }
    if (!isRoot() && r.exitCode !== 0 && /sudo: (a password is required|a terminal is required|.*not in the sudoers|.*not allowed)/.test(stderr)) {
        throw new NetnsError(subject, full, r.exitCode, stderr, rootHint(true));
    }
    return { stdout, stderr, exitCode: r.exitCode ?? 1 };
}

/** Runs a command that must succeed; otherwise throws a NetnsError with a hint chosen from its stderr. */
export async function mustRun(subject: Subject, argv: readonly string[], hints: (stderr: string) => string | undefined = () => undefined, input?: string): Promise<Result> {
    const r = await exec(subject, argv, input);
    if (r.exitCode !== 0) {
        throw new NetnsError(subject, privileged(argv), r.exitCode, r.stderr, hints(r.stderr) ?? commonHint(r.stderr), input);
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
