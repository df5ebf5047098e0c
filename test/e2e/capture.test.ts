// The capture verbs on a running lesson, through the real programs: the router lesson brought up
// with the real Pulumi CLI (its stack named after the lesson, as the lab names it, in this file's
// own backend), then
//   npx pulumi-netns capture --stack router --namespace PREFIXrouter --count 4 --write F -- icmp
//   npm run lab -- capture router router --count 2 icmp        (dist/lab/cli.js, as scripts/lab.sh runs it)
//   npm run lab -- capture router router icmp, ended by SIGINT (Ctrl-C) sent to the verb's PID
// while ns1 pings ns2: the decoded lines are printed, the pcap reads back with `tcpdump -r`, and
// the tcpdump PID each verb reports no longer exists when the verb has ended. A namespace the
// stack does not hold is refused with one line, and no tcpdump is started. Then destroy, no leak.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { env, REPO, TestStack } from "./harness";
import { sh } from "./resource-support";

const prefix = filePrefix("cap");
const life = fileLifecycle(prefix);
const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-capture-e2e-"));
let stack: TestStack;
/** Every verb process a test starts, ended by its PID in afterAll if it still runs. */
const verbs: ResultPromise[] = [];

beforeAll(async () => {
    stack = await TestStack.create("router", REPO, { lesson: "router", prefix });
    life.stacks.push(stack);
    await stack.up();
}, 300_000);

afterAll(() => {
    for (const v of verbs) if (v.pid !== undefined && existsSync(`/proc/${v.pid}`)) process.kill(v.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
});

const ping = () => sh("ip", "netns", "exec", `${prefix}ns1`, "ping", "-n", "-c", "1", "-W", "1", "198.51.100.1");
const alive = (pid: number) => existsSync(`/proc/${pid}`);
const squeeze = (l: string) => l.replace(/\s+/g, " ").replace(/id \d+/, "id N");

/** Starts a verb, and resolves with tcpdump's PID once the verb says it is capturing. */
async function startVerb(argv: string[]): Promise<{ verb: ResultPromise; tcpdump: number }> {
    const verb = execa(process.execPath, argv, { env: env(), reject: false, cwd: REPO, timeout: 120_000 });
    verbs.push(verb);
    const tcpdump = await new Promise<number>((resolve, reject) => {
        let err = "";
        verb.stderr!.on("data", (d: Buffer) => {
            err += String(d);
            const m = /\(tcpdump PID (\d+)\)/.exec(err);
            if (m) resolve(Number(m[1]));
        });
        void verb.then((r) => reject(new Error(`the verb ended before it captured (exit ${r.exitCode})\n${String(r.stdout)}\n${String(r.stderr)}`)));
    });
    return { verb, tcpdump };
}

const requestAndReply = [
    "gw-veth0 In IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id N, seq 1, length 64",
    "gw-veth1 Out IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id N, seq 1, length 64",
    "gw-veth1 In IP 198.51.100.1 > 192.0.2.1: ICMP echo reply, id N, seq 1, length 64",
    "gw-veth0 Out IP 198.51.100.1 > 192.0.2.1: ICMP echo reply, id N, seq 1, length 64",
];

describe("capture verbs on the running router lesson", () => {
    it("npx pulumi-netns capture --count 4 --write: the seed's four lines, a pcap tcpdump -r reads, no tcpdump left", async () => {
        const file = join(dir, "router.pcap");
        const { verb, tcpdump } = await startVerb([join(REPO, "dist/cli/main.js"), "capture", "--stack", "router", "--cwd", REPO,
            "--namespace", `${prefix}router`, "--count", "4", "--write", file, "--", "icmp"]);
        await ping();
        const r = await verb;
        expect(r.exitCode, String(r.stderr)).toBe(0);
        expect(String(r.stdout).trim().split("\n").map(squeeze)).toEqual(requestAndReply);
        expect(String(r.stderr)).toMatch(/^4 packets captured$/m);
        expect(alive(tcpdump), `tcpdump ${tcpdump} ended with the verb`).toBe(false);
        expect((await sh("tcpdump", "-tn", "-r", file)).trim().split("\n").map((l) => squeeze(l).replace(/^\S+ /, ""))).toEqual(
            requestAndReply.map((l) => l.replace(/^\S+ (In|Out) /, "$1 ")));
    });

    it("npm run lab -- capture router router --count 2 icmp: the namespace by the lesson's name", async () => {
        const { verb, tcpdump } = await startVerb([join(REPO, "dist/lab/cli.js"), "capture", "router", "router", "--count", "2", "icmp"]);
        await ping();
        const r = await verb;
        expect(r.exitCode, String(r.stderr)).toBe(0);
        expect(String(r.stdout).trim().split("\n").map(squeeze)).toEqual(requestAndReply.slice(0, 2));
        expect(alive(tcpdump)).toBe(false);
    });

    it("npm run lab -- capture router router gw-veth1 icmp, ended by SIGINT to the verb: lines printed, exit 0, tcpdump gone", async () => {
        const { verb, tcpdump } = await startVerb([join(REPO, "dist/lab/cli.js"), "capture", "router", "router", "gw-veth1", "icmp"]);
        await ping();
        // The lines are printed as they come: wait for the reply's before the interrupt.
        await new Promise<void>((resolve) => {
            let out = "";
            verb.stdout!.on("data", (d: Buffer) => { out += String(d); if (out.split("\n").filter(Boolean).length >= 2) resolve(); });
        });
        process.kill(verb.pid!, "SIGINT");
        const r = await verb;
        expect(r.exitCode, String(r.stderr)).toBe(0);
        expect(String(r.stdout).trim().split("\n").map(squeeze)).toEqual([
            "IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id N, seq 1, length 64",
            "IP 198.51.100.1 > 192.0.2.1: ICMP echo reply, id N, seq 1, length 64",
        ]);
        expect(String(r.stderr)).toMatch(/^2 packets captured$/m);
        expect(alive(tcpdump), `tcpdump ${tcpdump} ended on the verb's SIGINT`).toBe(false);
    });

    it("refuses a namespace the stack does not hold: one line, exit 1, no tcpdump started", async () => {
        const r = await execa(process.execPath, [join(REPO, "dist/cli/main.js"), "capture", "--stack", "router", "--cwd", REPO, "--namespace", "elsewhere", "--", "icmp"],
            { env: env(), reject: false, cwd: REPO, timeout: 60_000 });
        expect(r.exitCode).toBe(1);
        expect(String(r.stderr).trim()).toBe(`pulumi-netns capture: namespace elsewhere is not one of stack router's (${prefix}ns1, ${prefix}ns2, ${prefix}router): capture only in a namespace stack router made`);
        expect(String(r.stdout)).toBe("");
        const lab = await execa(process.execPath, [join(REPO, "dist/lab/cli.js"), "capture", "router", "nosuch"], { env: env(), reject: false, cwd: REPO, timeout: 60_000 });
        expect(lab.exitCode).toBe(1);
        expect(String(lab.stderr)).toContain("capture router: namespace nosuch is not one of lesson router's");
    });

    it("destroy leaves no namespace of the lesson", async () => {
        await stack.destroy();
        life.stacks.splice(life.stacks.indexOf(stack), 1);
        expect((await namespaces()).filter((n) => n.startsWith(prefix))).toEqual([]);
    }, 300_000);
});
