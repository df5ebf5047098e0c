// The contract of the host layer: the only code that runs processes or reads kernel state for the
// provider. A kind never spawns or stats anything itself; it asks the host of its Subject
// (run.ts: exec/mustRun, reads.ts, netns.ts). This machine is `local.ts`; unit tests use
// `fake.ts`; another machine (SSH) is one more file implementing Host.

/** What one command came to, whatever its exit code. */
export interface Ran {
    stdout: string;
    stderr: string;
    /** Undefined when the process never started or was killed. */
    exitCode: number | undefined;
    /** The signal that killed it (SIGTERM for the 60 s limit). */
    signal?: string | undefined;
    timedOut?: boolean | undefined;
    /** Why it could not start (ENOENT: the program is missing; for SSH: the host cannot be reached). */
    error?: { code?: string | undefined; message: string } | undefined;
}

/** The identity of a file: device and inode, as text ("DEV:INO"), to compare two paths. */
export type FileId = string;

export interface Host {
    /**
     * The host's part of every object's identity: "" for this machine (so that IDs, marks and the
     * whole-stack checks of a local object are what they were before hosts existed), a stable
     * word for another ("ssh:USER@ADDRESS:PORT").
     */
    readonly key: string;
    /** How errors name the host: "this machine", "host 203.0.113.2 (ssh root@203.0.113.2:22)". */
    readonly label: string;
    /**
     * Runs argv (no shell) with the privileges namespaces need (root, or `sudo -n --`), the locale
     * forced to C, a 60 s limit, `input` on stdin when given. Never throws for a failed command.
     */
    run(argv: readonly string[], input?: string): Promise<Ran>;
    /** The argv as the host actually runs it (`sudo -n -- ...` in front when not root), for error messages. */
    shown(argv: readonly string[]): string[];
    /** Device and inode of a path (following links), or undefined when absent or unreadable. */
    fileId(path: string): Promise<FileId | undefined>;
    /** The text of a file of the kernel's (/proc, /run/netns), or undefined when absent or unreadable. */
    readFile(path: string): Promise<string | undefined>;
    /** The names in a directory (/run/netns), or [] when absent. */
    list(dir: string): Promise<string[]>;
}

/**
 * An object's ID on its host: the kind's own ID on this machine (key ""), so that the IDs of
 * every stack made before hosts existed stay what they were; `KEY/ID` on another.
 */
export function scoped(key: string, id: string): string {
    return key === "" ? id : `${key}/${id}`;
}
