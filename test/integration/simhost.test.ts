// The simulated machines of test/support/simhost.ts: each one reachable only through its proxy
// command, with its own network, its own /run/netns and sshd as PID 1 of its own PID namespace;
// this machine's namespace and /run/netns untouched; everything gone after stop().
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostLinks } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { simHosts, simNamespaces, startSimHosts } from "../support/simhost";
import { netnsList } from "./helpers";

const prefix = filePrefix("sim");
const sims = simHosts(prefix, 2);
fileLifecycle(prefix, { fixtures: simNamespaces(prefix, 2) });

/** Runs a command on a simulated machine with OpenSSH's client through its proxy command. */
function ssh(lab: ReturnType<typeof sims.lab>, n: number, command: string): { status: number | null; stdout: string; stderr: string } {
    const h = lab.hosts[n - 1]!;
    const known = `${lab.clientKeyPath}.known`;
    require("node:fs").writeFileSync(known, `${h.address} ${h.hostKey}\n`);
    const r = spawnSync("ssh", ["-F", "none", "-i", lab.clientKeyPath, "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${known}`, "-o", "StrictHostKeyChecking=yes",
        "-o", `ProxyCommand=${h.proxyCommand.join(" ")}`, "-o", `HostKeyAlias=${h.address}`, `root@${h.address}`, command], { encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("simulated hosts", () => {
    it("each machine answers over SSH through its proxy, with its own network, /run/netns and PID namespace", () => {
        const lab = sims.lab();
        for (const n of [1, 2]) {
            const r = ssh(lab, n, "ip -j -4 address show dev eth0; echo; ls -A /run/netns | wc -l; echo; cat /proc/1/comm");
            expect(r.stderr).toBe("");
            expect(r.status).toBe(0);
            const [addr, count, init] = r.stdout.split("\n\n");
            expect(JSON.parse(addr!)[0].addr_info[0].local).toBe(`203.0.113.${n}`);
            expect(count!.trim()).toBe("0");
            expect(init!.trim()).toBe("sshd");
        }
    });

    it("a namespace made on one machine is seen neither here nor on the other machine", () => {
        const lab = sims.lab();
        expect(ssh(lab, 1, "ip netns add h-only-on-1 && ip netns list").stdout).toContain("h-only-on-1");
        expect(ssh(lab, 2, "ls -A /run/netns").stdout.trim()).toBe("");
        expect(existsSync("/run/netns/h-only-on-1")).toBe(false);
        expect(ssh(lab, 1, "ip netns del h-only-on-1 && ls -A /run/netns").stdout.trim()).toBe("");
    });

    it("the machines reach each other over the underlay, and a wrong host key is refused by the client", () => {
        const lab = sims.lab();
        expect(ssh(lab, 1, "ping -c 1 -W 2 203.0.113.2 >/dev/null && echo ok").stdout.trim()).toBe("ok");
        const h2 = lab.hosts[1]!;
        const wrong = { ...lab, hosts: [lab.hosts[0]!, { ...h2, hostKey: lab.hosts[0]!.hostKey }] };
        const r = ssh(wrong, 2, "true");
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    });

    it("stop() kills every sshd by PID and removes every namespace and link, from any state", async () => {
        const own = `${prefix}x`;
        const linksBefore = await hostLinks();
        const lab = await startSimHosts(own, 1);
        const pid = lab.hosts[0]!.pid;
        expect(await netnsList()).toEqual(expect.arrayContaining(simNamespaces(own, 1)));
        expect(await hostLinks()).toEqual(linksBefore);
        await lab.stop();
        expect(existsSync(`/proc/${pid}`)).toBe(false);
        expect((await netnsList()).filter((n) => n.startsWith(own))).toEqual([]);
        await lab.stop(); // twice: nothing left to do
    });
});
