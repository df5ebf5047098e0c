// Packet capture against the real kernel (provider/host/capture.ts): two namespaces joined by a
// veth pair (192.0.2.1/30 --- 192.0.2.2/30, RFC 5737), tcpdump in one of them while the other
// pings. The decoded lines are seen, a pcap written with --write is readable by `tcpdump -r`, a
// bad filter fails with tcpdump's own message, and after every path (stop, count reached, failed
// start) the tcpdump PID that was started no longer exists (checked by that PID, in /proc).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaptureError, refuseNamespace, runningCaptures, startCapture, type Capture } from "../../provider/host/capture";
import { runChecks } from "../../lab/checks";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { makeNamespace, sh } from "./helpers";

const prefix = filePrefix("capture");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] });

const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-capture-"));
/** Every capture a test starts, stopped in afterAll whatever the test did (by its PID, through stop()). */
const started: Capture[] = [];
const alive = (pid: number) => existsSync(`/proc/${pid}`);

const ping = (from: string, to: string, n = 2) => sh(["ip", "netns", "exec", from, "ping", "-n", "-c", String(n), "-i", "0.2", "-W", "1", to]);

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
    await sh(["ip", "-n", A, "link", "add", "ca", "type", "veth", "peer", "name", "cb", "netns", B]);
    await sh(["ip", "-n", A, "address", "add", "192.0.2.1/30", "dev", "ca"]);
    await sh(["ip", "-n", B, "address", "add", "192.0.2.2/30", "dev", "cb"]);
    await sh(["ip", "-n", A, "link", "set", "ca", "up"]);
    await sh(["ip", "-n", B, "link", "set", "cb", "up"]);
});

afterAll(async () => {
    for (const c of started) await c.stop();
    rmSync(dir, { recursive: true, force: true });
});

describe("capture in a namespace", () => {
    it("sees the echo requests and replies on -i any while the other end pings; stop() ends tcpdump by its PID", async () => {
        const c = await startCapture({ namespace: B, filter: ["icmp"] });
        started.push(c);
        expect(alive(c.pid), "tcpdump runs, under the PID started").toBe(true);
        expect(c.argv).toEqual(["ip", "netns", "exec", B, "tcpdump", "-tn", "-l", "-i", "any", "--", "icmp"]);
        await ping(A, "192.0.2.2");
        await c.waitFor(4, 3000);
        const r = await c.stop();
        expect(r.lines.map((l) => l.replace(/\s+/g, " ").replace(/id \d+/, "id N"))).toEqual([
            "cb In IP 192.0.2.1 > 192.0.2.2: ICMP echo request, id N, seq 1, length 64",
            "cb Out IP 192.0.2.2 > 192.0.2.1: ICMP echo reply, id N, seq 1, length 64",
            "cb In IP 192.0.2.1 > 192.0.2.2: ICMP echo request, id N, seq 2, length 64",
            "cb Out IP 192.0.2.2 > 192.0.2.1: ICMP echo reply, id N, seq 2, length 64",
        ]);
        expect(r.stderr).toMatch(/^4 packets captured$/m);
        expect(alive(c.pid), `tcpdump ${c.pid} is gone after stop()`).toBe(false);
        expect(runningCaptures()).not.toContain(c.pid);
    });

    it("ends by itself at --count, on one interface; the pcap it wrote reads back with tcpdump -r", async () => {
        const file = join(dir, "two.pcap");
        const c = await startCapture({ namespace: A, iface: "ca", count: 2, write: file, filter: ["icmp", "and", "host", "192.0.2.2"] });
        started.push(c);
        await ping(A, "192.0.2.2", 3);
        const r = await c.done;
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.lines.map((l) => l.replace(/id \d+/, "id N"))).toEqual([
            "IP 192.0.2.1 > 192.0.2.2: ICMP echo request, id N, seq 1, length 64",
            "IP 192.0.2.2 > 192.0.2.1: ICMP echo reply, id N, seq 1, length 64",
        ]);
        expect(alive(c.pid), "tcpdump ended at its count").toBe(false);
        const read = await sh(["tcpdump", "-tn", "-r", file]);
        expect(read.trim().split("\n").map((l) => l.replace(/id \d+/, "id N"))).toEqual(r.lines.map((l) => l.replace(/id \d+/, "id N")));
    });

    it("a filter tcpdump cannot parse fails the start with its message, and leaves no process", async () => {
        const before = runningCaptures();
        const e = await startCapture({ namespace: A, filter: ["icmp", "and", "(("] }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(CaptureError);
        expect((e as Error).message).toMatch(/^capture in \S+ failed to start \(exit 1\)\n  command: ip netns exec \S+ tcpdump -tn -l -i any -- icmp and \(\(\n  stderr:  .*syntax error/);
        expect(runningCaptures()).toEqual(before);
    });

    it("an interface the namespace does not have fails the start, naming it", async () => {
        const e = await startCapture({ namespace: A, iface: "nosuch0" }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(CaptureError);
        expect((e as Error).message).toMatch(/nosuch0/);
    });

    it("refuses a namespace the caller does not hold, and one that does not exist", async () => {
        await expect(refuseNamespace(B, [A], "stack s")).rejects.toThrow(`namespace ${B} is not one of stack s's (${A}): capture only in a namespace stack s made`);
        await expect(refuseNamespace(`${prefix}gone`, [`${prefix}gone`], "stack s")).rejects.toThrow(`namespace ${prefix}gone of stack s does not exist on this machine`);
        await expect(refuseNamespace(A, [A, B], "stack s")).resolves.toBeUndefined();
    });

    it("a lesson check's capture is started before the ping and stopped after it (lab/checks.ts), its process gone", async () => {
        const before = new Set(runningCaptures());
        const [o] = await runChecks([{
            title: "wire", argv: ["ip", "netns", "exec", A, "ping", "-n", "-c", "1", "-W", "1", "192.0.2.2"], expect: "two lines",
            capture: { namespace: B, filter: ["icmp"], count: 2 },
            ok: (r) => r.exitCode === 0 && (r.captured ?? []).length === 2,
            evidence: (r) => r.captured ?? [],
        }]);
        expect(o!.ok, o!.saw).toBe(true);
        expect(o!.saw).toMatch(/cb\s+In\s+IP 192\.0\.2\.1 > 192\.0\.2\.2: ICMP echo request/);
        expect(runningCaptures().filter((p) => !before.has(p))).toEqual([]);
    });
});
