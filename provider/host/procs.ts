// This machine's processes, read from /proc: the provider's own run (its CLI, its launcher), which
// is always on this machine, whatever host its objects live on. Synchronous: asked while the
// engine waits, and from process exit handlers.
import { readdirSync, readFileSync } from "node:fs";

/** The fields of /proc/PID/stat after the command (which may hold spaces and parentheses): [0] is field 3 (state), [1] field 4 (ppid), [19] field 22 (starttime). */
export function statFields(pid: number): string[] | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    } catch {
        return undefined;
    }
}

/** The argv of a process (an empty last argument kept), or undefined when it is gone or unreadable. */
export function cmdline(pid: number): string[] | undefined {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a, i, l) => a !== "" || i < l.length - 1);
    } catch {
        return undefined;
    }
}

/** The PIDs of every process now. */
export function pids(): number[] {
    return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
}
