// Packet capture in a namespace: tcpdump run through the host layer, never outliving its caller.
//   ip netns exec NS tcpdump -tn -l -i (IFACE|any) [-c N] [-w FILE --print -U] -- FILTER...
// -t: no timestamps; -n: no name lookups; -l: each decoded line as it comes ("IP 192.0.2.1 >
// 198.51.100.1: ICMP echo request, id 3676, seq 1, length 64", after the interface and the
// direction with -i any); -w FILE writes a pcap and --print still prints the lines, -U writes each
// packet as it comes (a pcap stays readable however the capture ends). `ip netns exec` execs
// tcpdump, so the PID started is tcpdump's own: the capture is stopped by that PID (SIGINT, which
// makes tcpdump flush and print its tally; SIGKILL if it does not end within a bound), on every
// path: stop(), the count reached, the caller's exit (a last SIGKILL by PID from an exit hook).
// An argv array, never a shell; the locale forced to C like every command of the host layer.
// Only this machine: a remote host (SSH) runs no capture yet.
import { spawn, type ChildProcess } from "node:child_process";
import { isRoot } from "./local";
import { namespaceExists } from "./netns";
import { isHostNamespace } from "./hostns";

export interface CaptureSpec {
    /** The namespace to capture in (its full name, as under /run/netns). */
    namespace: string;
    /** The interface, as in `-i IFACE`; all of the namespace's (`-i any`, as seed 000 does) when left out. */
    iface?: string | undefined;
    /** Stop after this many packets, as in `-c N`. */
    count?: number | undefined;
    /** Write the packets to this pcap file too, as in `-w FILE`. */
    write?: string | undefined;
    /** The tcpdump filter expression, one word per element (`icmp`, or `udp`, `port`, `4789`). */
    filter?: readonly string[] | undefined;
}

export class CaptureError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CaptureError";
    }
}

const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;
const NSNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const MAX_COUNT = 1_000_000;

/** What is wrong with a capture's arguments, in one line each (empty: nothing). Checked before anything runs. */
export function captureProblems(s: CaptureSpec): string[] {
    const out: string[] = [];
    if (typeof s.namespace !== "string" || !NSNAME.test(s.namespace) || s.namespace === "." || s.namespace === "..") {
        out.push(`namespace ${JSON.stringify(s.namespace)} is not a namespace name (letters, digits, "_", ".", "-"; not starting with "-")`);
    }
    if (s.iface !== undefined && (typeof s.iface !== "string" || !IFNAME.test(s.iface) || s.iface.startsWith("-"))) {
        out.push(`interface ${JSON.stringify(s.iface)} is not an interface name (1-15 characters of letters, digits, "_", ".", ":", "@", "-"; not starting with "-")`);
    }
    if (s.count !== undefined && (!Number.isInteger(s.count) || s.count < 1 || s.count > MAX_COUNT)) {
        out.push(`count ${JSON.stringify(s.count)} is not a whole number from 1 to ${MAX_COUNT}`);
    }
    if (s.write !== undefined && (typeof s.write !== "string" || s.write === "" || s.write.startsWith("-") || s.write.includes("\0") || s.write.includes("\n"))) {
        out.push(`write ${JSON.stringify(s.write)} is not a file name (not empty, not starting with "-", one line)`);
    }
    for (const w of s.filter ?? []) {
        if (typeof w !== "string" || w === "" || /[\0\n\r]/.test(w) || w.length > 1024) out.push(`filter word ${JSON.stringify(w)} is empty, too long or holds a newline or NUL`);
    }
    return out;
}

/** The argv of a capture (validated first: throws CaptureError naming every problem). */
export function captureArgv(s: CaptureSpec): string[] {
    const problems = captureProblems(s);
    if (problems.length) throw new CaptureError(`capture refused: ${problems.join("; ")}`);
    return [
        "ip", "netns", "exec", s.namespace, "tcpdump", "-tn", "-l", "-i", s.iface ?? "any",
        ...(s.count !== undefined ? ["-c", String(s.count)] : []),
        ...(s.write !== undefined ? ["-w", s.write, "--print", "-U"] : []),
        "--", ...(s.filter ?? []),
    ];
}

/**
 * Refuses a capture in a namespace the caller does not hold (`held`: the namespaces of the stack
 * or lesson), one that does not exist, or one bound to the host's own namespace. One line each,
 * naming what to do.
 */
export async function refuseNamespace(namespace: string, held: readonly string[], whose: string): Promise<void> {
    if (!held.includes(namespace)) {
        throw new CaptureError(`namespace ${namespace} is not one of ${whose}'s (${held.length ? held.join(", ") : "it holds none"}): capture only in a namespace ${whose} made`);
    }
    if (await isHostNamespace(namespace)) throw new CaptureError(`namespace ${namespace} is bound to the host's own network namespace: no capture there`);
    if (!(await namespaceExists(namespace))) throw new CaptureError(`namespace ${namespace} of ${whose} does not exist on this machine: bring the stack up first`);
}

export interface CaptureResult {
    /** The decoded lines tcpdump printed, in order. */
    lines: string[];
    /** tcpdump's own messages (its banner, its tally "N packets captured"), and any error. */
    stderr: string;
    exitCode: number | undefined;
    signal: string | undefined;
    /** The command, as the host ran it. */
    argv: string[];
}

export interface Capture {
    /** tcpdump's PID. */
    readonly pid: number;
    readonly argv: string[];
    /** The decoded lines so far. */
    readonly lines: string[];
    /** Resolves when tcpdump has ended (count reached, stopped, or failed). */
    readonly done: Promise<CaptureResult>;
    /** Ends the capture (SIGINT by PID, then SIGKILL after `graceMs`), and resolves when tcpdump has ended. */
    stop(graceMs?: number): Promise<CaptureResult>;
    /** Resolves when `n` lines have been seen, or when tcpdump ends, or after `ms`: whichever is first. */
    waitFor(n: number, ms: number): Promise<void>;
}

/** Processes that are running now, so that the exit hook can end any a caller left (by PID). */
const running = new Set<number>();
let hooked = false;
function hookExit(): void {
    if (hooked) return;
    hooked = true;
    process.on("exit", () => {
        for (const pid of running) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
    });
}

/** The PIDs of the captures this process runs now (for tests and the exit hook). */
export function runningCaptures(): number[] {
    return [...running];
}

/**
 * Starts tcpdump and resolves once it listens (its "listening on" line), so that what is sent
 * next is seen; rejects with one line (and nothing left running) when it cannot start or exits
 * first (a bad filter, an interface that is not there), or does not listen within `readyMs`.
 * Call refuseNamespace first: this only runs the capture.
 */
export async function startCapture(s: CaptureSpec, opts: { readyMs?: number; onLine?: (line: string) => void } = {}): Promise<Capture> {
    const argv = captureArgv(s);
    const shown = isRoot() ? argv : ["sudo", "-n", "--", ...argv];
    const child: ChildProcess = spawn(shown[0]!, shown.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const lines: string[] = [];
    let stderr = "";
    let out = "";
    const waiters: (() => void)[] = [];
    const wake = () => { for (const w of waiters.splice(0)) w(); };
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
        out += d;
        let nl;
        while ((nl = out.indexOf("\n")) >= 0) {
            const line = out.slice(0, nl);
            out = out.slice(nl + 1);
            // tcpdump ends its output with an empty line when interrupted: no packet.
            if (line.trim() === "") continue;
            lines.push(line);
            opts.onLine?.(line);
        }
        wake();
    });
    child.stderr!.on("data", (d: string) => { stderr += d; wake(); });
    let ended = false;
    const done = new Promise<CaptureResult>((resolve) => {
        const finish = (exitCode: number | null | undefined, signal: NodeJS.Signals | null | undefined, error?: Error) => {
            if (ended) return;
            ended = true;
            if (child.pid !== undefined) running.delete(child.pid);
            if (out.trim() !== "") { lines.push(out); opts.onLine?.(out); }
            out = "";
            if (error) stderr += `${stderr && !stderr.endsWith("\n") ? "\n" : ""}${error.message}`;
            wake();
            resolve({ lines, stderr, exitCode: exitCode ?? undefined, signal: signal ?? undefined, argv: shown });
        };
        child.on("error", (e) => finish(undefined, undefined, e));
        child.on("close", (code, signal) => finish(code, signal));
    });
    const pid = child.pid;
    if (pid === undefined) {
        const r = await done;
        throw new CaptureError(`capture in ${s.namespace} could not start: ${shown.join(" ")}: ${r.stderr.trim() || "no process"} (is tcpdump installed? apt-get install tcpdump)`);
    }
    running.add(pid);
    hookExit();
    const kill = (signal: NodeJS.Signals) => {
        if (ended) return;
        try {
            process.kill(pid, signal);
        } catch {
            // gone between the check and the kill
        }
    };
    const stop = async (graceMs = 5000): Promise<CaptureResult> => {
        kill("SIGINT");
        const timer = setTimeout(() => kill("SIGKILL"), graceMs);
        try {
            return await done;
        } finally {
            clearTimeout(timer);
        }
    };
    const until = (ready: () => boolean, ms: number) => new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        const check = () => {
            if (ready() || ended) { clearTimeout(timer); resolve(); } else waiters.push(check);
        };
        check();
    });
    // Ready when tcpdump says it listens; a failure before that ends it with its message.
    await until(() => /listening on /.test(stderr), opts.readyMs ?? 10_000);
    if (!/listening on /.test(stderr)) {
        const r = ended ? await done : await stop();
        const why = r.stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/^tcpdump: (data link type|verbose output suppressed)/.test(l)).join("; ");
        throw new CaptureError(`capture in ${s.namespace} failed to start (${r.exitCode !== undefined ? `exit ${r.exitCode}` : `not listening after ${opts.readyMs ?? 10_000} ms`})\n  command: ${shown.join(" ")}\n  stderr:  ${why || "(nothing)"}\n  hint:    check the interface (ip -n ${s.namespace} link) and the filter (man pcap-filter)`);
    }
    return {
        pid, argv: shown, lines, done, stop,
        waitFor: (n, ms) => until(() => lines.length >= n, ms),
    };
}

