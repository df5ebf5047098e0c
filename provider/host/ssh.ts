// Another machine, over SSH: the same commands as local.ts, run by the remote user's shell from
// one quoted command line (shellWord), on one kept connection per host and provider process
// (the `ssh2` library: pure JavaScript, the host key checked here before any login, agent
// support, no ControlMaster process left behind; BENCHMARKS.md "SSH transport" has the figures).
//
//   provider process --(one ssh2 connection, at most MAX_CHANNELS channels at a time)--> sshd
//        |  sock: TCP to ADDRESS:PORT, or the stdio of a proxy command (an argv, spawned here)
//        '-> exec "exec [sudo -n --] env LC_ALL=C 'ip' '-j' ..."   (one channel per command)
//
// The connection is made on the first command and kept; a lost one is made again on the next.
// Its socket (or proxy process) holds the Node.js event loop only while a command is running, so
// an idle connection never keeps a finished process alive; the proxy process is killed when the
// connection ends.
import { Duplex } from "node:stream";
import { connect as tcpConnect, type Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import type { FileId, Host, Ran } from "./host";

/** How to reach a machine: the checked `host` input of a resource (engine/fields.ts), without the secret wrapper. */
export interface SshTarget {
    address: string;
    /** 22 when absent. */
    port?: number | undefined;
    /** "root" when absent. */
    user?: string | undefined;
    /** A private key file on this machine. */
    privateKeyPath?: string | undefined;
    /** A private key's text (from a Pulumi secret). */
    privateKey?: string | undefined;
    /** The SSH agent: true for $SSH_AUTH_SOCK, or a socket path. */
    agent?: boolean | string | undefined;
    /** The key the host must present: "ssh-ed25519 AAAA..." (as in known_hosts, without the name). */
    hostKey: string;
    /** Run every command through `sudo -n --`; the default is: when the user is not root. */
    sudo?: boolean | undefined;
    /** A command whose stdin and stdout are the SSH stream (OpenSSH's ProxyCommand), as an argv. */
    proxyCommand?: readonly string[] | undefined;
}

/** The most channels (commands) open at once on one connection: below OpenSSH's MaxSessions (10). */
export const MAX_CHANNELS = 8;
/** The limit of one command, as on this machine (local.ts). */
const COMMAND_LIMIT_MS = 60_000;
const CONNECT_LIMIT_MS = 20_000;

/**
 * One word for a POSIX shell: the text in single quotes, each ' as '\''. The result is read back
 * by the remote shell as exactly `s` (test/unit/ssh.test.ts runs /bin/sh on random strings).
 * A NUL cannot be in an argument at all: refused.
 */
export function shellWord(s: string): string {
    if (s.includes("\0")) throw new Error("an argument cannot contain a NUL character");
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The identity of a machine in IDs and checks: `ssh:ADDRESS` (port 22) or `ssh:ADDRESS:PORT` ([ADDRESS]:PORT for IPv6). */
export function sshKey(address: string, port?: number): string {
    if (port === undefined || port === 22) return `ssh:${address}`;
    return `ssh:${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** The command line the remote shell runs for argv. */
export function remoteCommand(argv: readonly string[], sudo: boolean): string {
    const words = [...(sudo ? ["sudo", "-n", "--"] : []), "env", "LC_ALL=C", ...argv];
    return `exec ${words.map(shellWord).join(" ")}`;
}

/** The host key's algorithm names that ssh2 must ask for, so that the server presents the configured key. */
function hostKeyAlgorithms(type: string): string[] {
    return type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type];
}

function fingerprint(blob: Buffer): string {
    return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

type Ssh2 = typeof import("ssh2");
type Client = import("ssh2").Client;

/** The part of a proxy process that the connection keeps. */
interface Proxy {
    kill(): void;
    stderr(): string;
    ref(on: boolean): void;
}

/** One kept connection: a promise of a ready client, the channels in use, and the waiters for one. */
class Connection {
    active = 0;
    private waiting: (() => void)[] = [];
    closed = false;

    constructor(readonly client: Promise<Client>, private readonly refs: (on: boolean) => void) {}

    async acquire(): Promise<void> {
        while (this.active >= MAX_CHANNELS) await new Promise<void>((ok) => this.waiting.push(ok));
        this.active++;
        this.refs(true);
    }

    release(): void {
        this.active--;
        if (this.active === 0) this.refs(false);
        this.waiting.shift()?.();
    }
}

const connections = new Map<string, Connection>();

/** Ends every kept connection (and its proxy process): tests and the bench call it at the end. */
export async function closeSshHosts(): Promise<void> {
    const all = [...connections.values()];
    connections.clear();
    for (const c of all) {
        c.closed = true;
        const client = await c.client.catch(() => undefined);
        client?.end();
    }
}

export class SshHost implements Host {
    readonly key: string;
    readonly label: string;
    readonly user: string;
    readonly port: number;
    readonly sudo: boolean;
    private readonly hostKeyType: string;
    private readonly hostKeyBlob: Buffer;

    constructor(readonly target: SshTarget) {
        this.port = target.port ?? 22;
        this.user = target.user ?? "root";
        this.sudo = target.sudo ?? this.user !== "root";
        this.key = sshKey(target.address, this.port);
        this.label = `host ${target.address} (ssh ${this.user}@${target.address}:${this.port})`;
        const [type, b64] = target.hostKey.trim().split(/\s+/);
        if (!type || !b64) throw new Error(`${this.label}: hostKey must be "TYPE BASE64" as in known_hosts ("ssh-ed25519 AAAA..."), not ${JSON.stringify(target.hostKey)}`);
        this.hostKeyType = type;
        this.hostKeyBlob = Buffer.from(b64, "base64");
    }

    /** What connecting tries, for the one line of a failure: user, address, port, proxy, key. */
    private tried(): string {
        const t = this.target;
        const via = t.proxyCommand ? ` through the proxy command ${JSON.stringify(t.proxyCommand)}` : "";
        const key = t.privateKeyPath ? `the key file ${t.privateKeyPath}` : t.privateKey ? "the private key given as a secret"
            : `the SSH agent (${typeof t.agent === "string" ? t.agent : `SSH_AUTH_SOCK=${process.env.SSH_AUTH_SOCK ?? "unset"}`})`;
        return `ssh ${this.user}@${t.address}:${this.port}${via} with ${key}, trusting host key ${this.hostKeyType} ${fingerprint(this.hostKeyBlob)}`;
    }

    /** One key per way of connecting: two resources on one machine reached the same way share it. */
    private connectionKey(): string {
        const t = this.target;
        return JSON.stringify([t.address, this.port, this.user, t.privateKeyPath, t.privateKey ? createHash("sha256").update(t.privateKey).digest("hex") : undefined,
            t.agent, t.hostKey, t.proxyCommand]);
    }

    private connection(): Connection {
        const k = this.connectionKey();
        const have = connections.get(k);
        if (have && !have.closed) return have;
        const made = this.connect(() => {
            made.closed = true;
            if (connections.get(k) === made) connections.delete(k);
        });
        connections.set(k, made);
        return made;
    }

    private connect(onClose: () => void): Connection {
        const t = this.target;
        let proxy: Proxy | undefined;
        let sock: Socket | Duplex;
        if (t.proxyCommand && t.proxyCommand.length > 0) {
            proxy = startProxy(t.proxyCommand);
            sock = (proxy as ProxyProcess).stream;
        } else {
            sock = tcpConnect({ host: t.address, port: this.port });
        }
        sock.on("error", () => undefined); // the client's 'error' (below) says what happened
        const refs = (on: boolean) => {
            if (proxy) proxy.ref(on);
            else if (on) (sock as Socket).ref();
            else (sock as Socket).unref();
        };
        let presented: Buffer | undefined;
        const client = (async () => {
            const { Client } = require("ssh2") as Ssh2;
            const auth: Record<string, unknown> = {};
            if (t.privateKeyPath) {
                try {
                    auth.privateKey = await readFile(t.privateKeyPath);
                } catch (e) {
                    throw new Error(`cannot reach ${this.label}: ${this.tried()}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
                }
            } else if (t.privateKey) auth.privateKey = t.privateKey;
            else {
                const agent = typeof t.agent === "string" ? t.agent : process.env.SSH_AUTH_SOCK;
                if (!agent) throw new Error(`cannot reach ${this.label}: ${this.tried()}: no key given and no SSH agent (SSH_AUTH_SOCK is unset); give privateKeyPath, privateKey (a secret) or agent`);
                auth.agent = agent;
            }
            const c = new Client();
            return await new Promise<Client>((ok, fail) => {
                let ready = false;
                c.on("ready", () => { ready = true; refs(false); ok(c); });
                c.on("error", (e: Error & { level?: string }) => {
                    if (ready) return; // a later error closes the connection: 'close' below
                    let why = e.message;
                    if (presented && !presented.equals(this.hostKeyBlob)) why = `the host presented another key (${this.hostKeyType} ${fingerprint(presented)}): refused before login`;
                    else if (e.level === "client-authentication") why = `login refused (${e.message}): the key is not accepted for ${this.user}`;
                    const pe = proxy?.stderr().trim();
                    fail(new Error(`cannot reach ${this.label}: ${this.tried()}: ${why}${pe ? ` (proxy: ${pe.split("\n").join("; ")})` : ""}`));
                });
                c.on("close", () => { proxy?.kill(); onClose(); });
                c.connect({
                    sock: sock as Duplex, username: this.user, readyTimeout: CONNECT_LIMIT_MS, keepaliveInterval: 15_000,
                    algorithms: { serverHostKey: hostKeyAlgorithms(this.hostKeyType) as never },
                    hostVerifier: (key: Buffer) => {
                        presented = key;
                        return key.equals(this.hostKeyBlob);
                    },
                    ...auth,
                });
            });
        })();
        client.catch(() => { proxy?.kill(); (sock as Socket).destroy?.(); onClose(); });
        return new Connection(client, refs);
    }

    shown(argv: readonly string[]): string[] {
        return this.sudo ? ["sudo", "-n", "--", ...argv] : [...argv];
    }

    async run(argv: readonly string[], input?: string): Promise<Ran> {
        const command = remoteCommand(argv, this.sudo);
        for (let attempt = 0; ; attempt++) {
            const conn = this.connection();
            let client: Client;
            try {
                client = await conn.client;
            } catch (e) {
                return { stdout: "", stderr: "", exitCode: undefined, error: { code: "ESSHCONNECT", message: (e as Error).message } };
            }
            await conn.acquire();
            try {
                const r = await this.runOn(client, command, input);
                // The channel could not be opened on a connection that died meanwhile: nothing ran; once more on a new one.
                if (r === "not started" && attempt === 0) { conn.closed = true; continue; }
                if (r === "not started") return { stdout: "", stderr: "", exitCode: undefined, error: { code: "ESSHCONNECT", message: `cannot run on ${this.label}: ${this.tried()}: the connection refuses new channels` } };
                return this.missing(argv, r);
            } finally {
                conn.release();
            }
        }
    }

    /** A program the remote machine does not have (env's, or the shell's, exit 127) is told apart, as ENOENT is locally. */
    private missing(argv: readonly string[], r: Ran): Ran {
        if (r.exitCode !== 127) return r;
        if (/^env: .*No such file or directory/m.test(r.stderr)) return { ...r, exitCode: undefined, error: { code: "ENOENT", message: `${argv[0]} is not installed on ${this.label}` } };
        if (this.sudo && /sudo: (command )?not found/.test(r.stderr)) return { ...r, exitCode: undefined, error: { code: "ENOENT", message: `sudo is not installed on ${this.label}` } };
        return r;
    }

    private runOn(client: Client, command: string, input: string | undefined): Promise<Ran | "not started"> {
        return new Promise((done) => {
            client.exec(command, (err, stream) => {
                if (err) return done("not started");
                let stdout = "";
                let stderr = "";
                let exit: { code?: number | undefined; signal?: string | undefined } | undefined;
                let timedOut = false;
                stream.setEncoding("utf8");
                stream.stderr.setEncoding("utf8");
                stream.on("data", (d: string) => { stdout += d; });
                stream.stderr.on("data", (d: string) => { stderr += d; });
                stream.on("exit", (code: number | null, signal?: string) => {
                    exit = code !== null && code !== undefined ? { code } : { signal: signal ? (signal.startsWith("SIG") ? signal : `SIG${signal}`) : "SIGHUP" };
                });
                const timer = setTimeout(() => {
                    timedOut = true;
                    try { stream.signal("TERM"); } catch { /* the server may not take signals */ }
                    stream.close();
                }, COMMAND_LIMIT_MS);
                timer.unref();
                stream.on("close", () => {
                    clearTimeout(timer);
                    if (timedOut) return done({ stdout, stderr, exitCode: undefined, signal: "SIGTERM", timedOut: true });
                    if (!exit) {
                        // Started, and the connection went before it said how it ended: what it did is unknown.
                        return done({ stdout, stderr: `${stderr}${stderr && !stderr.endsWith("\n") ? "\n" : ""}the connection to ${this.label} was lost before the command finished`, exitCode: undefined, signal: "SIGHUP" });
                    }
                    done({ stdout, stderr, exitCode: exit.code, signal: exit.signal });
                });
                if (input === undefined) stream.end();
                else stream.end(input);
            });
        });
    }

    async fileId(path: string): Promise<FileId | undefined> {
        const r = await this.run(["stat", "-L", "-c", "%d:%i", "--", path]);
        const text = r.stdout.trim();
        return r.exitCode === 0 && /^\d+:\d+$/.test(text) ? text : undefined;
    }

    async readFile(path: string): Promise<string | undefined> {
        const r = await this.run(["cat", "--", path]);
        return r.exitCode === 0 ? r.stdout : undefined;
    }

    async list(dir: string): Promise<string[]> {
        const r = await this.run(["find", dir, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"]);
        return r.exitCode === 0 ? r.stdout.split("\0").filter((s) => s !== "") : [];
    }
}

interface ProxyProcess extends Proxy {
    stream: Duplex;
}

/** The proxy command's process, its stdio as one stream; stderr kept for the failure's line. */
function startProxy(argv: readonly string[]): ProxyProcess {
    const { execa } = require("execa") as typeof import("execa");
    const [file, ...args] = argv as [string, ...string[]];
    const child = execa(file, args, { stdin: "pipe", stdout: "pipe", stderr: "pipe", buffer: false, reject: false, env: { LC_ALL: "C" } });
    let err = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => { if (err.length < 4000) err += d; });
    let ended = false;
    child.then(() => { ended = true; }, () => { ended = true; });
    const handles = () => [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
    return {
        stream: Duplex.from({ readable: child.stdout!, writable: child.stdin! }),
        kill: () => { if (!ended) child.kill("SIGKILL"); },
        stderr: () => err,
        ref: (on) => { for (const h of handles()) (on ? h?.ref : h?.unref)?.call(h); },
    };
}
