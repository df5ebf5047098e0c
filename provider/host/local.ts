// This machine: commands as root, or through `sudo -n` for a user with passwordless sudo.
// The only place the provider spawns a process (execa, an argument array, never a shell).
import { stat, readFile, readdir } from "node:fs/promises";
import type { FileId, Host, Ran } from "./host";

type Execa = typeof import("execa").execa;
let execaFn: Execa | undefined;

export function isRoot(): boolean {
    return typeof process.getuid === "function" && process.getuid() === 0;
}

export class LocalHost implements Host {
    readonly key = "";
    readonly label = "this machine";

    shown(argv: readonly string[]): string[] {
        return isRoot() ? [...argv] : ["sudo", "-n", "--", ...argv];
    }

    /**
     * The environment is only LC_ALL=C, so every tool's messages are the English the
     * classifications (tools/) read. The 60 s limit is an unref'd AbortSignal timer: it never
     * keeps a finished provider or test process alive.
     */
    async run(argv: readonly string[], input?: string): Promise<Ran> {
        // Loaded on first use: execa is ESM, reached through require(esm) from this CommonJS module.
        execaFn ??= (require("execa") as typeof import("execa")).execa;
        const [file, ...args] = this.shown(argv) as [string, ...string[]];
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

    async fileId(path: string): Promise<FileId | undefined> {
        try {
            const st = await stat(path, { bigint: true });
            return `${st.dev}:${st.ino}`;
        } catch {
            return undefined; // absent, or not readable by this user: nothing to compare
        }
    }

    async readFile(path: string): Promise<string | undefined> {
        try {
            return await readFile(path, "utf8");
        } catch {
            return undefined;
        }
    }

    async list(dir: string): Promise<string[]> {
        try {
            return await readdir(dir);
        } catch {
            return [];
        }
    }
}

export const localHost = new LocalHost();
