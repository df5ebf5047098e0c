// The host layer (provider/host/): the tool adapters' isMutating and outcome classifications, the
// fake host, and the commands of run.ts going through a subject's host. Nothing is run.
import { afterEach, describe, expect, it } from "vitest";
import { FakeHost, UnscriptedCommand } from "../../provider/host/fake";
import { scoped } from "../../provider/host/host";
import { LocalHost } from "../../provider/host/local";
import { namespaceExists, namespaceFile, namespaceNames } from "../../provider/host/netns";
import { isHostNamespace } from "../../provider/host/hostns";
import { exec, mustRun, NetnsError, shown, useHost, type Subject } from "../../provider/host/run";
import { classify, ipSays, isMutating, says, sysctlSays } from "../../provider/host/tools";

const s: Subject = { kind: "Namespace", name: "n", op: "create" };
let restore: (() => void) | undefined;
afterEach(() => { restore?.(); restore = undefined; });

describe("isMutating per tool", () => {
    it.each([
        ["nft -j list ruleset", ["nft", "-j", "list", "ruleset"], undefined, false],
        ["nft -j list table in a namespace", ["ip", "netns", "exec", "ns1", "nft", "-j", "list", "table", "inet", "t"], undefined, false],
        ["nft -f - with an add", ["nft", "-f", "-"], "add table inet t\nadd chain inet t c\n", true],
        ["nft -f - of comments only", ["nft", "-f", "-"], "# nothing\n\n", false],
        ["nft -c -f - (a check)", ["nft", "-c", "-f", "-"], "add table inet t\n", false],
        ["nft delete table", ["nft", "delete", "table", "inet", "t"], undefined, true],
        ["nft flush ruleset in a namespace", ["ip", "netns", "exec", "ns1", "nft", "flush", "ruleset"], undefined, true],
        ["nft list table named add", ["nft", "list", "table", "inet", "add"], undefined, false],
        ["tc -j qdisc show", ["tc", "-n", "ns1", "-j", "qdisc", "show", "dev", "veth0"], undefined, false],
        ["tc qdisc add", ["tc", "-n", "ns1", "qdisc", "add", "dev", "veth0", "root", "tbf", "rate", "1mbit"], undefined, true],
        ["tc qdisc change", ["tc", "-n", "ns1", "qdisc", "change", "dev", "veth0", "root", "tbf", "rate", "2mbit"], undefined, true],
        ["tc qdisc del", ["tc", "-n", "ns1", "qdisc", "del", "dev", "veth0", "root"], undefined, true],
        ["tc in a namespace named add, shown", ["tc", "-n", "add", "qdisc", "show"], undefined, false],
        ["tc -b - with a change", ["tc", "-b", "-"], "qdisc show\nqdisc replace dev v root tbf rate 1mbit burst 32kb latency 50ms\n", true],
        ["sysctl -n", ["sysctl", "-n", "net.ipv4.ip_forward"], undefined, false],
        ["a program without an adapter", ["tcpdump", "-i", "any"], undefined, true],
    ] as const)("%s", (_what, argv, input, want) => {
        expect(isMutating(argv, input)).toBe(want);
    });
});

describe("one classification of outcomes per tool", () => {
    it.each([
        [["ip", "-n", "a", "link", "del", "dev", "x"], 'Cannot find device "x"\n', "gone"],
        [["ip", "-n", "a", "link", "show"], 'Cannot open network namespace "a": No such file or directory\n', "gone"],
        [["ip", "-n", "a", "route", "del", "198.51.100.0/24"], "RTNETLINK answers: No such process\n", "gone"],
        [["ip", "-n", "a", "address", "del", "192.0.2.1/24", "dev", "v"], "Error: ipv4: Address not found.\n", "gone"],
        [["ip", "netns", "add", "a"], 'Cannot create namespace file "/run/netns/a": File exists\n', "exists"],
        [["ip", "-n", "a", "address", "add", "192.0.2.1/24", "dev", "v"], "Error: ipv4: Address already assigned.\n", "exists"],
        [["ip", "-n", "a", "link", "del", "dev", "br0"], "RTNETLINK answers: Device or resource busy\n", "busy"],
        [["ip", "netns", "add", "a"], "mount --make-shared /run/netns failed: Operation not permitted\n", "refused"],
        [["ip", "-n", "a", "link", "add", "t", "type", "ipip"], "Error: Unknown device type.\n", "unsupported"],
        [["ip", "-n", "a", "link", "set", "v", "mtu", "99"], "Error: mtu less than device minimum.\nRTNETLINK answers: Invalid argument\n", "invalid"],
        [["ip", "netns", "exec", "a", "sysctl", "-n", "net.ipv4.nope"], "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n", "gone"],
        [["ip", "netns", "exec", "a", "sysctl", "-w", "net.ipv4.ip_forward=7"], "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument\n", "invalid"],
        [["tc", "-n", "a", "qdisc", "add", "dev", "v", "root", "netem", "delay", "10ms"], "Error: Specified qdisc kind is unknown.\n", "unsupported"],
        [["nft", "-f", "-"], "Error: Could not process rule: No such file or directory\n", "gone"],
        [["ip", "-n", "a", "link", "show"], "something else entirely\n", undefined],
        [["rm", "x"], "No such file or directory\n", undefined],
    ] as const)("%j: %s", (argv, stderr, want) => {
        expect(classify(argv, stderr)).toBe(want);
    });

    it("says: an outcome's pattern matches, whatever else the stderr holds", () => {
        const both = "RTNETLINK answers: File exists\nCannot find device \"x\"\n";
        expect(says(["ip", "link", "add"], both, "exists")).toBe(true);
        expect(says(["ip", "link", "add"], both, "gone")).toBe(true);
        expect(ipSays("RTNETLINK answers: File exists", "gone")).toBe(false);
        expect(sysctlSays("sysctl: cannot stat /proc/sys/x: No such file or directory", "gone")).toBe(true);
        // sysctl's "gone" is the key's file; ip's wording for a namespace is not sysctl's.
        expect(sysctlSays('Cannot open network namespace "a"', "gone")).toBe(false);
    });
});

describe("the fake host", () => {
    it("answers from its script in order, records every command, and throws for one it was not given", async () => {
        const h = new FakeHost()
            .on(["ip", "netns", "add"], { exitCode: 2, stderr: "File exists" }, 1)
            .on(["ip", "netns", "add"], {})
            .on(/ link show dev lo$/, (argv) => ({ stdout: `[{"ifname":"lo","argc":${argv.length}}]` }));
        expect((await h.run(["ip", "netns", "add", "a"])).exitCode).toBe(2);
        expect((await h.run(["ip", "netns", "add", "a"])).exitCode).toBe(0);
        expect((await h.run(["ip", "-n", "a", "-j", "link", "show", "dev", "lo"])).stdout).toBe('[{"ifname":"lo","argc":8}]');
        await expect(h.run(["ip", "netns", "del", "a"], "x")).rejects.toBeInstanceOf(UnscriptedCommand);
        expect(h.lines).toEqual(["ip netns add a", "ip netns add a", "ip -n a -j link show dev lo", "ip netns del a"]);
        expect(h.calls[3]!.input).toBe("x");
    });

    it("serves files: a namespace file on its own device is a namespace, one on the folder's device a leftover", async () => {
        const h = new FakeHost().namespace("a").file("/run/netns/b", "", "25:7");
        expect(await namespaceFile("a", h)).toBe("namespace");
        expect(await namespaceFile("b", h)).toBe("leftover");
        expect(await namespaceFile("c", h)).toBe("absent");
        expect(await namespaceExists("a", { host: h })).toBe(true);
        expect((await namespaceNames(h)).sort()).toEqual(["a", "b"]);
        h.removeNamespace("a");
        expect(await namespaceExists("a", h)).toBe(false);
    });

    it("stands for the host's namespace: a name bound to /proc/1/ns/net is refused", async () => {
        const h = new FakeHost().namespace("mine", "4:1").namespace("bound", "4:99").file("/proc/1/ns/net", "", "4:99");
        expect(await isHostNamespace("mine", { host: h })).toBe(false);
        expect(await isHostNamespace("bound", { host: h })).toBe(true);
    });
});

describe("run.ts on a subject's host", () => {
    it("runs on the subject's host, else on the one useHost set", async () => {
        const mine = new FakeHost("a").on(["ip"], { stdout: "a" });
        const other = new FakeHost("b").on(["ip"], { stdout: "b" });
        restore = useHost(other);
        expect((await exec({ ...s, host: mine }, ["ip", "-V"])).stdout).toBe("a");
        expect((await exec(s, ["ip", "-V"])).stdout).toBe("b");
        expect(mine.lines).toEqual(["ip -V"]);
        expect(other.lines).toEqual(["ip -V"]);
    });

    it("names the command as the host runs it in errors", async () => {
        class SudoFake extends FakeHost {
            override shown(argv: readonly string[]): string[] { return ["sudo", "-n", "--", ...argv]; }
        }
        const h = new SudoFake().on(["ip", "netns", "add"], { exitCode: 1, stderr: "sudo: a password is required\n" });
        const e = await exec({ ...s, host: h }, ["ip", "netns", "add", "a"]).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NetnsError);
        expect((e as Error).message).toContain("command: sudo -n -- ip netns add a");
        expect((e as Error).message).toContain("needs root");
        expect(shown({ host: h }, ["ip", "-V"])).toEqual(["sudo", "-n", "--", "ip", "-V"]);
    });

    it("a program the host lacks: the Debian package to install", async () => {
        // This machine (key ""), then another one, which says where to install it.
        const here = new FakeHost("", "this machine").on(["nft"], { exitCode: undefined, error: { code: "ENOENT", message: "spawn nft ENOENT" } });
        const e = (await mustRun({ ...s, host: here }, ["nft", "-j", "list", "ruleset"]).catch((x: unknown) => x)) as Error;
        expect(e.message).toContain("nft is not installed: apt-get install nftables");
        const there = new FakeHost("ssh:192.0.2.7", "host 192.0.2.7").on(["nft"], { exitCode: undefined, error: { code: "ENOENT", message: "nft is not installed on host 192.0.2.7" } });
        const r = (await mustRun({ ...s, host: there }, ["nft", "-j", "list", "ruleset"]).catch((x: unknown) => x)) as Error;
        expect(r.message).toContain("nft is not installed on host 192.0.2.7: apt-get install nftables there");
    });

    it("a command killed by the 60 s limit is neither success nor 'gone'", async () => {
        const h = new FakeHost().on(["ip"], { exitCode: undefined, signal: "SIGTERM", timedOut: true, stdout: "partial" });
        const e = (await exec({ ...s, host: h }, ["ip", "netns", "add", "a"]).catch((x: unknown) => x)) as Error;
        expect(e.name).toBe("KilledError");
        expect(e.message).toContain("no answer within 60 s");
    });
});

describe("the host in an object's identity", () => {
    it("this machine's IDs are the kind's own; another host's carry its key", () => {
        expect(scoped("", "ns1")).toBe("ns1");
        expect(scoped("ssh:203.0.113.10", "ns1")).toBe("ssh:203.0.113.10/ns1");
        expect(new LocalHost().key).toBe("");
    });

    it("this machine runs as root without sudo, else through sudo -n", () => {
        const root = typeof process.getuid === "function" && process.getuid() === 0;
        expect(new LocalHost().shown(["ip", "-V"])).toEqual(root ? ["ip", "-V"] : ["sudo", "-n", "--", "ip", "-V"]);
    });
});
