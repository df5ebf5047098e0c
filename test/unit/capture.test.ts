// Packet capture without root or processes: the argv (provider/host/capture.ts), the refusals of
// bad arguments before anything runs, the verbs' argument parsing (lab/capture.ts), the stack's
// namespaces read from an export, and a lesson check's capture in the runner (lab/checks.ts) with
// a stand-in: started before the check's commands, ended after them, also when a command throws.
import { describe, expect, it } from "vitest";
import { CaptureError, captureArgv, captureProblems, refuseNamespace } from "../../provider/host/capture";
import { CAPTURE_USAGE, labCaptureSpec, parseCaptureArgs, parseLabCaptureArgs, stackNamespaces } from "../../lab/capture";
import { checkGroups, formatOutcome, runChecks, type CheckCaptureRunner, type CheckCommandRunner } from "../../lab/checks";
import { seenOnTheWire, nodes } from "../../stacks/checks";
import type { Check } from "../../stacks/lesson";

describe("captureArgv", () => {
    it.each([
        [{ namespace: "router" }, ["ip", "netns", "exec", "router", "tcpdump", "-tn", "-l", "-i", "any", "--"]],
        [{ namespace: "router", filter: ["icmp"] }, ["ip", "netns", "exec", "router", "tcpdump", "-tn", "-l", "-i", "any", "--", "icmp"]],
        [{ namespace: "r1", iface: "gw1-veth1", count: 4, filter: ["udp", "port", "4789"] },
            ["ip", "netns", "exec", "r1", "tcpdump", "-tn", "-l", "-i", "gw1-veth1", "-c", "4", "--", "udp", "port", "4789"]],
        [{ namespace: "r1", write: "/tmp/x.pcap" }, ["ip", "netns", "exec", "r1", "tcpdump", "-tn", "-l", "-i", "any", "-w", "/tmp/x.pcap", "--print", "-U", "--"]],
        // A filter word that looks like an option stays after "--": tcpdump reads it as the expression.
        [{ namespace: "r1", filter: ["-w", "/etc/passwd"] }, ["ip", "netns", "exec", "r1", "tcpdump", "-tn", "-l", "-i", "any", "--", "-w", "/etc/passwd"]],
    ])("%j", (spec, argv) => {
        expect(captureArgv(spec)).toEqual(argv);
    });

    it.each([
        [{ namespace: "" }, /namespace "" is not a namespace name/],
        [{ namespace: "-n" }, /namespace "-n" is not a namespace name/],
        [{ namespace: "a/b" }, /namespace "a\/b" is not a namespace name/],
        [{ namespace: ".." }, /namespace "\.\." is not a namespace name/],
        [{ namespace: "r", iface: "-w" }, /interface "-w" is not an interface name/],
        [{ namespace: "r", iface: "a-very-long-name0" }, /interface "a-very-long-name0" is not an interface name/],
        [{ namespace: "r", iface: "a b" }, /interface "a b"/],
        [{ namespace: "r", count: 0 }, /count 0 is not a whole number from 1 to 1000000/],
        [{ namespace: "r", count: 1.5 }, /count 1.5 is not a whole number/],
        [{ namespace: "r", count: 2_000_000 }, /count 2000000/],
        [{ namespace: "r", write: "-" }, /write "-" is not a file name/],
        [{ namespace: "r", write: "" }, /write "" is not a file name/],
        [{ namespace: "r", write: "a\nb" }, /write "a\\nb"/],
        [{ namespace: "r", filter: ["icmp", ""] }, /filter word "" is empty/],
        [{ namespace: "r", filter: ["icmp\nor tcp"] }, /filter word "icmp\\nor tcp" is empty, too long or holds a newline or NUL/],
    ])("refuses %j before anything runs", (spec, message) => {
        expect(captureProblems(spec).join("; ")).toMatch(message);
        expect(() => captureArgv(spec)).toThrow(CaptureError);
    });

    it("names every problem at once", () => {
        expect(captureProblems({ namespace: "-x", iface: "-y", count: 0 })).toHaveLength(3);
    });

    it("refuses a namespace the caller does not hold before looking at the host", async () => {
        await expect(refuseNamespace("other", ["t-ns1", "t-router"], "stack lab")).rejects.toThrow(
            "namespace other is not one of stack lab's (t-ns1, t-router): capture only in a namespace stack lab made");
        await expect(refuseNamespace("x", [], "stack empty")).rejects.toThrow("(it holds none)");
    });
});

describe("the package command's arguments (pulumi-netns capture)", () => {
    it("reads the flags, and the filter after --", () => {
        expect(parseCaptureArgs(["--stack", "dev", "--namespace", "r1", "--interface", "eth0", "--count", "3", "--write", "x.pcap", "--", "udp", "port", "4789"]))
            .toEqual({ stack: "dev", namespace: "r1", iface: "eth0", count: 3, write: "x.pcap", filter: ["udp", "port", "4789"] });
        expect(parseCaptureArgs(["-s", "dev", "-n", "r1", "--cwd=/p"])).toEqual({ stack: "dev", namespace: "r1", cwd: "/p", filter: [] });
    });

    it.each([
        [["--namespace", "r1"], "which stack? pass --stack NAME"],
        [["--stack", "dev"], "which namespace? pass --namespace NS"],
        [["--stack", "dev", "--namespace", "r1", "icmp"], `unknown argument "icmp" (usage: ${CAPTURE_USAGE}; a filter goes after --)`],
        [["--stack", "dev", "--namespace", "r1", "--count", "0"], `--count must be a whole number of packets, 1 or more, not "0"`],
        [["--stack", "dev", "--namespace", "r1", "--count", "many"], `--count must be a whole number of packets, 1 or more, not "many"`],
        [["--stack"], "--stack needs a value"],
        [["--stack", "--namespace", "r1"], "--stack needs a value"],
    ])("%j fails: %s", (argv, message) => {
        expect(() => parseCaptureArgs(argv)).toThrow(message);
    });
});

describe("the lab verb's arguments (npm run lab -- capture LESSON ...)", () => {
    it("takes NAMESPACE, then words, with --count and --write anywhere", () => {
        expect(parseLabCaptureArgs(["router", "icmp", "--count", "4"])).toEqual({ namespace: "router", words: ["icmp"], count: 4, write: undefined });
        expect(parseLabCaptureArgs(["router", "gw-veth0", "--write=a.pcap", "icmp", "and", "host", "192.0.2.1"]))
            .toEqual({ namespace: "router", words: ["gw-veth0", "icmp", "and", "host", "192.0.2.1"], count: undefined, write: "a.pcap" });
        expect(() => parseLabCaptureArgs([])).toThrow("which namespace?");
        expect(() => parseLabCaptureArgs(["--bogus"])).toThrow(`unknown argument "--bogus"`);
        expect(() => parseLabCaptureArgs(["router", "--count"])).toThrow("--count needs a value");
    });

    const held = ["t-ns1", "t-router"];
    const ifaces = async (ns: string) => (ns === "t-router" ? ["lo", "gw-veth0", "gw-veth1"] : ["lo", "ns1-veth0"]);

    it("the namespace by the lesson's name (the prefix added) or in full; the next word an interface only when the namespace has it", async () => {
        expect(await labCaptureSpec({ namespace: "router", words: ["gw-veth0", "icmp"] }, "t-", held, ifaces))
            .toEqual({ namespace: "t-router", iface: "gw-veth0", count: undefined, write: undefined, filter: ["icmp"] });
        expect(await labCaptureSpec({ namespace: "t-router", words: ["icmp"] }, "t-", held, ifaces))
            .toEqual({ namespace: "t-router", iface: undefined, count: undefined, write: undefined, filter: ["icmp"] });
        expect(await labCaptureSpec({ namespace: "router", words: ["any", "icmp"], count: 2 }, "t-", held, ifaces))
            .toEqual({ namespace: "t-router", iface: undefined, count: 2, write: undefined, filter: ["icmp"] });
        // A namespace the stack does not hold is kept as given (refused later), and its interfaces are never read.
        expect(await labCaptureSpec({ namespace: "elsewhere", words: ["eth0"] }, "t-", held, async () => { throw new Error("read"); }))
            .toEqual({ namespace: "elsewhere", iface: undefined, count: undefined, write: undefined, filter: ["eth0"] });
    });
});

describe("stackNamespaces", () => {
    it("reads the Namespace resources' names from `pulumi stack export`, leaving out pending deletes and other kinds", () => {
        const exported = { deployment: { resources: [
            { urn: "u1", type: "pulumi-nodejs:dynamic/netns:Namespace", outputs: { name: "t-ns1" } },
            { urn: "u2", type: "pulumi-nodejs:dynamic/netns:Namespace", outputs: { name: "t-router" } },
            { urn: "u3", type: "pulumi-nodejs:dynamic/netns:Namespace", outputs: { name: "t-old" }, delete: true },
            { urn: "u4", type: "pulumi-nodejs:dynamic/netns:VethPair", outputs: { name: "veth0" } },
            { urn: "u5", type: "pulumi:pulumi:Stack" },
        ] } };
        expect(stackNamespaces(exported)).toEqual(["t-ns1", "t-router"]);
        expect(stackNamespaces({})).toEqual([]);
        expect(stackNamespaces(null)).toEqual([]);
    });
});

describe("a check's capture in the runner", () => {
    const { ns1, router } = nodes("t-", ["ns1", "router"]);
    const wire = seenOnTheWire(router, ns1, "198.51.100.1", ["gw-veth0 In IP 192.0.2.1 > 198.51.100.1: ICMP echo request"], "arrives", { replies: false });

    function standIns(lines: string[], opts: { throwIn?: string } = {}) {
        const events: string[] = [];
        const run: CheckCommandRunner = async (_c, argv) => {
            events.push(`run ${argv.at(-1)}`);
            if (opts.throwIn === argv.at(-1)) throw new Error("runner broke");
            return { exitCode: 1, stdout: "", stderr: "" };
        };
        const capture: CheckCaptureRunner = async (_c, spec) => {
            events.push(`start ${spec.namespace} ${spec.filter.join(" ")} count ${spec.count}`);
            return async () => { events.push("stop"); return lines; };
        };
        return { events, run, capture };
    }

    it("starts it before the command and stops it after; ok judges the captured lines", async () => {
        const s = standIns(["gw-veth0 In  IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id 7, seq 1, length 64"]);
        const [o] = await runChecks([wire], s.run, s.capture);
        expect(s.events).toEqual(["start t-router icmp count 2", "run 198.51.100.1", "stop"]);
        expect(o!.ok, o!.saw).toBe(true);
        expect(o!.saw).toContain("| gw-veth0 In  IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id 7, seq 1, length 64");
        expect(formatOutcome(o!)).toContain("ran:      ip netns exec t-router tcpdump -tn -l -i any -- icmp   (capture, during the commands below)");
    });

    it("fails on a line too many (the request went on) and shows what was captured", async () => {
        const s = standIns([
            "gw-veth0 In  IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id 7, seq 1, length 64",
            "gw-veth1 Out IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id 7, seq 1, length 64",
        ]);
        const [o] = await runChecks([wire], s.run, s.capture);
        expect(o!.ok).toBe(false);
        expect(o!.saw).toContain("captured 2 lines");
        expect(o!.saw).toContain("| gw-veth1 Out IP 192.0.2.1");
    });

    it("stops the capture when a command throws, and the check fails with the message", async () => {
        const s = standIns([], { throwIn: "198.51.100.1" });
        const [o] = await runChecks([wire], s.run, s.capture);
        expect(s.events).toEqual(["start t-router icmp count 2", "run 198.51.100.1", "stop"]);
        expect(o!.ok).toBe(false);
        expect(o!.saw).toContain("runner broke");
    });

    it("a check with a capture never runs beside others, even marked independent", () => {
        const plain: Check = { title: "a", argv: ["true"], expect: "", ok: () => true, independent: true };
        expect(checkGroups([plain, { ...wire, independent: true }, plain, plain]).map((g) => g.length)).toEqual([1, 1, 2]);
    });
});
