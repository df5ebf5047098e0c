// SshHost (provider/host/ssh.ts) against the simulated machines of test/support/simhost.ts: the
// host layer's contract (run, fileId, readFile, list) over one kept ssh2 connection per machine,
// and the failures: a wrong host key, a refused key, a machine that is not there, one that goes away.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { closeSshHosts, MAX_CHANNELS, SshHost, type SshTarget } from "../../provider/host/ssh";
import { exec, NetnsError } from "../../provider/host/run";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { simHosts, simNamespaces, startSimHosts } from "../support/simhost";
import { netnsList } from "./helpers";

const prefix = filePrefix("ssh");
const sims = simHosts(prefix, 2);
fileLifecycle(prefix, { fixtures: simNamespaces(prefix, 2) });
afterAll(() => closeSshHosts());

function target(n: number, more: Partial<SshTarget> = {}): SshTarget {
    const lab = sims.lab();
    const h = lab.hosts[n - 1]!;
    return { address: h.address, hostKey: h.hostKey, proxyCommand: h.proxyCommand, privateKeyPath: lab.clientKeyPath, ...more };
}

/** The established TCP connections to sshd on a machine, seen from this machine (ss -N). */
async function sshdConnections(n: number): Promise<number> {
    const r = await exec({ kind: "Test", name: "ssh", op: "read" }, ["ss", "-N", sims.lab().hosts[n - 1]!.netns, "-H", "-t", "-n", "state", "established", "( sport = :22 )"]);
    return r.stdout.trim() ? r.stdout.trim().split("\n").length : 0;
}

/** This machine's processes whose command line contains every word (the proxy commands). */
function processesWith(...words: string[]): number[] {
    const out: number[] = [];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
            if (words.every((w) => cmd.includes(w))) out.push(Number(pid));
        } catch { /* gone meanwhile */ }
    }
    return out;
}

describe("SshHost on simulated machines", () => {
    it("runs ip in the remote machine's namespaces, each machine its own, on one kept connection", async () => {
        const h1 = new SshHost(target(1));
        const h2 = new SshHost(target(2));
        expect(h1.key).toBe("ssh:203.0.113.1");
        expect(h1.label).toBe("host 203.0.113.1 (ssh root@203.0.113.1:22)");
        expect((await h1.run(["ip", "netns", "add", "h-remote"])).exitCode).toBe(0);
        expect((await h1.run(["ip", "-n", "h-remote", "link", "add", "d0", "type", "veth", "peer", "name", "d1"])).exitCode).toBe(0);
        const links = JSON.parse((await h1.run(["ip", "-n", "h-remote", "-j", "link", "show"])).stdout) as { ifname: string }[];
        expect(links.map((l) => l.ifname).sort()).toEqual(["d0", "d1", "lo"]);
        expect(await h1.list("/run/netns")).toEqual(["h-remote"]);
        expect(await h2.list("/run/netns")).toEqual([]);
        expect(await netnsList()).not.toContain("h-remote");
        // fileId: the namespace is a mount of nsfs (another device than /run/netns), as netns.ts reads it.
        const [file, dir] = [await h1.fileId("/run/netns/h-remote"), await h1.fileId("/run/netns")];
        expect(file).toMatch(/^\d+:\d+$/);
        expect(file!.split(":")[0]).not.toBe(dir!.split(":")[0]);
        expect(await h1.fileId("/run/netns/absent")).toBeUndefined();
        expect(await h1.fileId("/proc/1/ns/net")).toBe(await h1.fileId("/proc/self/ns/net"));
        expect(await h1.readFile("/proc/sys/net/ipv4/ip_forward")).toMatch(/^[01]\n$/);
        expect(await h1.readFile("/proc/absent")).toBeUndefined();
        expect(await h1.list("/absent")).toEqual([]);
        for (let i = 0; i < 10; i++) await h1.run(["true"]);
        expect(await sshdConnections(1)).toBe(1);
        expect((await h1.run(["ip", "netns", "del", "h-remote"])).exitCode).toBe(0);
        expect(await h1.list("/run/netns")).toEqual([]);
    });

    it("passes stdin, exit codes, stderr, odd arguments and LC_ALL=C as they are", async () => {
        const h = new SshHost(target(1));
        const batch = await h.run(["ip", "-batch", "-"], "netns add h-b1\nnetns add h-b2\n");
        expect(batch.exitCode).toBe(0);
        expect((await h.list("/run/netns")).sort()).toEqual(["h-b1", "h-b2"]);
        await h.run(["ip", "-batch", "-"], "netns del h-b1\nnetns del h-b2\n");
        const fail = await h.run(["ip", "-n", "h-absent", "link", "show"]);
        expect(fail.exitCode).not.toBe(0);
        expect(fail.stderr).toMatch(/Cannot open network namespace "h-absent"/);
        const odd = ["a b", "it's", "$(id)", "`id`", "*", "\\n", "ü", ""];
        expect((await h.run(["printf", "%s|", ...odd])).stdout).toBe(odd.map((s) => `${s}|`).join(""));
        expect((await h.run(["sh", "-c", "echo $LC_ALL"])).stdout).toBe("C\n");
        const killed = await h.run(["sh", "-c", "kill -KILL $$"]);
        expect(killed).toMatchObject({ exitCode: undefined, signal: "SIGKILL" });
        const missing = await h.run(["no-such-program-h", "x"]);
        expect(missing).toMatchObject({ exitCode: undefined, error: { code: "ENOENT" } });
        const e = await exec({ kind: "Namespace", name: "n", op: "create", host: h }, ["no-such-program-h"]).catch((x: unknown) => x);
        expect((e as Error).message).toMatch(/no-such-program-h is not installed on host 203\.0\.113\.1/);
    });

    it(`keeps at most ${MAX_CHANNELS} channels open: 30 commands at once all run (the machines allow 10)`, async () => {
        const h = new SshHost(target(2));
        const all = await Promise.all(Array.from({ length: 30 }, (_, i) => h.run(["sh", "-c", `sleep 0.2; echo ${i}`])));
        expect(all.map((r) => r.exitCode)).toEqual(Array(30).fill(0));
        expect(all.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
        expect(await sshdConnections(2)).toBe(1);
    });

    it("a wrong host key is refused before login, in one line naming the host and what was tried", async () => {
        const lab = sims.lab();
        const h = new SshHost(target(2, { hostKey: lab.hosts[0]!.hostKey }));
        const r = await h.run(["true"]);
        expect(r.exitCode).toBeUndefined();
        expect(r.error?.code).toBe("ESSHCONNECT");
        expect(r.error?.message).toMatch(/^cannot reach host 203\.0\.113\.2 \(ssh root@203\.0\.113\.2:22\): ssh root@203\.0\.113\.2:22 through the proxy command .* with the key file .*client, trusting host key ssh-ed25519 SHA256:\S+: the host presented another key \(ssh-ed25519 SHA256:\S+\): refused before login$/);
        expect(r.error?.message).not.toContain("\n");
        const e = await exec({ kind: "Namespace", name: "n2", op: "create", host: h }, ["ip", "netns", "add", "x"]).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NetnsError);
        expect((e as Error).message).toMatch(/^Namespace "n2" create failed\n  command: ip netns add x\n  stderr:  cannot reach host 203\.0\.113\.2 .*\n  hint:    nothing was run on host 203\.0\.113\.2/);
    });

    it("a key the machine does not accept, a missing key file and a machine that is not there each fail in one line", async () => {
        const other = await startSimHosts(`${prefix}k`, 0); // only its client key is used: another key
        try {
            const refused = await new SshHost(target(1, { privateKeyPath: other.clientKeyPath })).run(["true"]);
            expect(refused.error?.message).toMatch(/^cannot reach host 203\.0\.113\.1 .*: login refused \(All configured authentication methods failed\): the key is not accepted for root$/);
        } finally {
            await other.stop();
        }
        const nofile = await new SshHost(target(1, { privateKeyPath: "/nonexistent/key" })).run(["true"]);
        expect(nofile.error?.message).toMatch(/with the key file \/nonexistent\/key, .*: cannot read the key file \(ENOENT\)$/);
        const lab = sims.lab();
        const absent = await new SshHost(target(1, { address: "203.0.113.9", proxyCommand: ["nsenter", `--net=/run/netns/${lab.wire}`, "socat", "-", "TCP:203.0.113.9:22,connect-timeout=2"] })).run(["true"]);
        expect(absent.error?.code).toBe("ESSHCONNECT");
        expect(absent.error?.message).toMatch(/^cannot reach host 203\.0\.113\.9 .*\(proxy: .*socat.*\)$/);
    });

    it("a machine that goes away fails its next command in one line; the proxy process ends with the connection", async () => {
        const own = await startSimHosts(`${prefix}g`, 1);
        try {
            const g = own.hosts[0]!;
            const h = new SshHost({ address: g.address, hostKey: g.hostKey, proxyCommand: g.proxyCommand, privateKeyPath: own.clientKeyPath });
            expect((await h.run(["true"])).exitCode).toBe(0);
            expect(processesWith("socat", `TCP:${g.address}:22`).length).toBeGreaterThan(0);
            await own.kill(g);
            const r = await h.run(["true"]);
            expect(r.exitCode).toBeUndefined();
            expect(r.error?.code).toBe("ESSHCONNECT");
            expect(r.error?.message).toMatch(/^cannot reach host 203\.0\.113\.1 /);
            await new Promise((ok) => setTimeout(ok, 200));
            expect(processesWith("nsenter", `--net=/run/netns/${own.wire}`)).toEqual([]);
        } finally {
            await own.stop();
        }
    });
});
