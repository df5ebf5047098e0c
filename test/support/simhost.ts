// Simulated machines for the tests of the SSH transport (provider/host/ssh.ts): each "machine" is
// a network namespace, a private mount namespace with its own /run (so its own /run/netns, which
// this machine's `ip netns list` never sees) and a PID namespace whose init is OpenSSH's sshd.
//
//   [PREFIXwire]  br0 203.0.113.254/24
//       |- m1 ==veth== eth0 [PREFIXm1] 203.0.113.1/24   sshd -D -e (PID 1 of its own PID namespace)
//       |- m2 ==veth== eth0 [PREFIXm2] 203.0.113.2/24   sshd ...
//
// Nothing is added to this machine's own namespace: a client reaches machine N through the proxy
// command `nsenter --net=/run/netns/PREFIXwire socat - TCP:203.0.113.N:22`, whose stdio is the
// SSH stream. Keys are made per run in a temporary directory: one host key per machine, one
// client key, root login by key only. stop() kills every sshd by PID, deletes the namespaces by
// prefix and removes the directory; simHosts() calls it in an afterAll on every path.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { exec } from "../../provider/host/run";

const who = { kind: "Test", name: "simhost", op: "create" as const };

async function sh(argv: string[]): Promise<string> {
    const r = await exec(who, argv);
    if (r.exitCode !== 0) throw new Error(`simhost: ${argv.join(" ")} exited ${r.exitCode}: ${r.stderr.trim()}`);
    return r.stdout;
}

/** One simulated machine, as a client needs it. */
export interface SimHost {
    /** 1, 2, ...: the machine's number, the last byte of its address. */
    n: number;
    address: string;
    /** The namespace of this machine that holds its network (on this machine's /run/netns, for the clean-up). */
    netns: string;
    /** Its host key as `ssh-ed25519 AAAA...` (the public key, without a comment). */
    hostKey: string;
    /** How to reach it: the proxy command as an argv array. */
    proxyCommand: string[];
    /** The sshd process (PID in this machine's PID namespace). */
    pid: number;
    /** What sshd printed (-e): for failures. */
    log(): string;
}

export interface SimLab {
    prefix: string;
    wire: string;
    hosts: SimHost[];
    /** The client's private key (a file in the run's temporary directory). */
    clientKeyPath: string;
    clientKey: string;
    /** Kills the sshd of one machine (a host that went away), by PID. */
    kill(host: SimHost): Promise<void>;
    /** Everything stopped by PID and removed by prefix; safe to call twice, and after a failed start. */
    stop(): Promise<void>;
}

// The machine's init: a private /run (so its own /run/netns and /run/sshd), then sshd as PID 1.
const INIT = `#!/bin/sh
set -e
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/sshd
exec /usr/sbin/sshd -D -e -f "$1"
`;

async function waitListening(netns: string, address: string, child: ChildProcess, log: () => string): Promise<void> {
    for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`simhost: sshd in ${netns} exited before listening:\n${log()}`);
        const r = await exec(who, ["ss", "-N", netns, "-H", "-l", "-t", "-n"]);
        if (r.stdout.includes(`${address}:22`)) return;
        await new Promise((ok) => setTimeout(ok, 25));
    }
    throw new Error(`simhost: sshd in ${netns} is not listening on ${address}:22 after 5 s:\n${log()}`);
}

/** Starts `count` simulated machines under `prefix` (at most 15 characters with the longest suffix "wire"). */
export async function startSimHosts(prefix: string, count: number): Promise<SimLab> {
    const dir = mkdtempSync(join(tmpdir(), "netns-simhost-"));
    const wire = `${prefix}wire`;
    const children: ChildProcess[] = [];
    const hosts: SimHost[] = [];
    let stopped = false;
    const killOne = async (child: ChildProcess) => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
        const gone = new Promise((ok) => child.once("exit", ok));
        process.kill(child.pid, "SIGKILL"); // unshare --kill-child takes its child, the namespace's init, with it
        await gone;
    };
    const lab: SimLab = {
        prefix, wire, hosts,
        clientKeyPath: join(dir, "client"),
        clientKey: "",
        async kill(host) {
            const child = children[host.n - 1];
            if (child) await killOne(child);
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            for (const c of children) await killOne(c);
            const r = await exec(who, ["ip", "-j", "netns", "list"]);
            const names = r.stdout.trim() ? (JSON.parse(r.stdout) as { name: string }[]).map((x) => x.name) : [];
            for (const name of names.filter((x) => x.startsWith(prefix))) await exec({ ...who, op: "delete" }, ["ip", "netns", "del", name]);
            rmSync(dir, { recursive: true, force: true });
        },
    };
    try {
        writeFileSync(join(dir, "init.sh"), INIT);
        chmodSync(join(dir, "init.sh"), 0o755);
        await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pulumi-netns-test-client", "-f", lab.clientKeyPath]);
        lab.clientKey = readFileSync(lab.clientKeyPath, "utf8");
        writeFileSync(join(dir, "authorized_keys"), readFileSync(`${lab.clientKeyPath}.pub`, "utf8"));
        await sh(["ip", "netns", "add", wire]);
        await sh(["ip", "-n", wire, "link", "set", "dev", "lo", "up"]);
        await sh(["ip", "-n", wire, "link", "add", "br0", "type", "bridge"]);
        await sh(["ip", "-n", wire, "address", "add", "203.0.113.254/24", "dev", "br0"]);
        await sh(["ip", "-n", wire, "link", "set", "dev", "br0", "up"]);
        for (let n = 1; n <= count; n++) {
            const netns = `${prefix}m${n}`;
            const address = `203.0.113.${n}`;
            const key = join(dir, `m${n}_host_ed25519`);
            await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key]);
            const hostKey = readFileSync(`${key}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
            const config = join(dir, `m${n}_sshd_config`);
            writeFileSync(config, [
                "Port 22", `ListenAddress ${address}`, `HostKey ${key}`, "PidFile none",
                "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes", `AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "StrictModes no", "UsePAM no",
                "MaxSessions 10", "MaxStartups 64", "LogLevel ERROR", "",
            ].join("\n"));
            await sh(["ip", "netns", "add", netns]);
            await sh(["ip", "-n", netns, "link", "set", "dev", "lo", "up"]);
            await sh(["ip", "-n", wire, "link", "add", `m${n}`, "type", "veth", "peer", "name", "eth0", "netns", netns]);
            await sh(["ip", "-n", wire, "link", "set", "dev", `m${n}`, "master", "br0", "up"]);
            await sh(["ip", "-n", netns, "address", "add", `${address}/24`, "dev", "eth0"]);
            await sh(["ip", "-n", netns, "link", "set", "dev", "eth0", "up"]);
            // setpriv: the whole machine dies with this process (pdeathsig), whatever ends it.
            const child = spawn("setpriv", ["--pdeathsig", "SIGKILL", "nsenter", `--net=/run/netns/${netns}`,
                "unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL",
                join(dir, "init.sh"), config], { stdio: ["ignore", "pipe", "pipe"], env: { LC_ALL: "C", PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
            children.push(child);
            let out = "";
            child.stdout?.on("data", (b: Buffer) => { out += b.toString(); });
            child.stderr?.on("data", (b: Buffer) => { out += b.toString(); });
            const log = () => out;
            await waitListening(netns, address, child, log);
            hosts.push({
                n, address, netns, hostKey, pid: child.pid!, log,
                proxyCommand: ["nsenter", `--net=/run/netns/${wire}`, "socat", "-", `TCP:${address}:22`],
            });
        }
        return lab;
    } catch (e) {
        await lab.stop();
        throw e;
    }
}

/** The namespaces of this machine that `count` simulated machines under `prefix` hold: fixtures for fileLifecycle. */
export function simNamespaces(prefix: string, count: number): string[] {
    return [`${prefix}wire`, ...Array.from({ length: count }, (_, i) => `${prefix}m${i + 1}`)];
}

/**
 * Simulated machines for one test file: started in a beforeAll, stopped in an afterAll on every
 * path. Call it BEFORE fileLifecycle(prefix, { fixtures: simNamespaces(prefix, count) }): hooks
 * run as a stack, so the file's end (destroying its stacks, which needs the machines) runs
 * first, and the machines stop last.
 */
export function simHosts(prefix: string, count: number): { lab: () => SimLab } {
    let lab: SimLab | undefined;
    let starting: Promise<SimLab> | undefined;
    beforeAll(async () => {
        starting = startSimHosts(prefix, count);
        lab = await starting;
    });
    afterAll(async () => {
        if (lab) await lab.stop();
        else await starting?.catch(() => undefined);
    });
    return {
        lab: () => {
            if (!lab) throw new Error("simHosts: the machines are not started (beforeAll failed?)");
            return lab;
        },
    };
}
