// The shape of every error the provider throws (formatError / NetnsError from provider/host/run.ts),
// pinned exactly, and the hints that hold for every kind (commonHint).
import { describe, expect, it } from "vitest";
import { commonHint, formatError, NetnsError, rootHint, type Subject } from "../../provider/host/run";

const pair: Subject = { kind: "VethPair", name: "lan", op: "create" };

interface Case { what: string; subject: Subject; argv: string[]; exitCode: number | undefined; stderr: string; hint: string; want: string[] }

describe("formatError", () => {
    it.each<Case>([
        {
            what: "one line of stderr",
            subject: pair,
            argv: ["ip", "-n", "ns1", "link", "add", "veth0", "up", "type", "veth", "peer", "name", "veth1", "netns", "ns2"],
            exitCode: 2,
            stderr: "RTNETLINK answers: File exists\n",
            hint: "an interface named veth0 already exists",
            want: [
                'VethPair "lan" create failed (ip exited 2)',
                "  command: ip -n ns1 link add veth0 up type veth peer name veth1 netns ns2",
                "  stderr:  RTNETLINK answers: File exists",
                "  hint:    an interface named veth0 already exists",
            ],
        },
        {
            what: "multi-line stderr, continuation lines under the first",
            subject: { kind: "Sysctl", name: "fwd", op: "update" },
            argv: ["ip", "netns", "exec", "ns1", "sysctl", "-q", "-w", "net.ipv4.tcp_rmem=4096 131072"],
            exitCode: 255,
            stderr: "\nsysctl: setting key \"net.ipv4.tcp_rmem\": Invalid argument\nsysctl: second line\n\n",
            hint: "the kernel refused the value",
            want: [
                'Sysctl "fwd" update failed (ip exited 255)',
                "  command: ip netns exec ns1 sysctl -q -w 'net.ipv4.tcp_rmem=4096 131072'",
                '  stderr:  sysctl: setting key "net.ipv4.tcp_rmem": Invalid argument',
                "           sysctl: second line",
                "  hint:    the kernel refused the value",
            ],
        },
        {
            what: "odd arguments quoted for a shell",
            subject: { kind: "Namespace", name: "it's", op: "delete" },
            argv: ["ip", "netns", "del", "it's", "", "a b", "$(x)"],
            exitCode: 1,
            stderr: "Cannot remove namespace file",
            hint: "h",
            want: [
                'Namespace "it\'s" delete failed (ip exited 1)',
                "  command: ip netns del 'it'\\''s' '' 'a b' '$(x)'",
                "  stderr:  Cannot remove namespace file",
                "  hint:    h",
            ],
        },
        {
            what: "no stderr: no stderr line",
            subject: { kind: "Address", name: "a1", op: "create" },
            argv: ["ip", "-n", "ns1", "address", "add", "192.0.2.1/24", "dev", "veth0"],
            exitCode: 2,
            stderr: "  \n ",
            hint: "h",
            want: [
                'Address "a1" create failed (ip exited 2)',
                "  command: ip -n ns1 address add 192.0.2.1/24 dev veth0",
                "  hint:    h",
            ],
        },
        {
            what: "no exit code (the command did not run, or did not fail): no parenthesis",
            subject: { kind: "VethPair", name: "lan", op: "read" },
            argv: ["ip", "-n", "ns1", "-j", "-d", "link", "show", "dev", "veth0"],
            exitCode: undefined,
            stderr: "",
            hint: "adopt: true found no matching pair to take over",
            want: [
                'VethPair "lan" read failed',
                "  command: ip -n ns1 -j -d link show dev veth0",
                "  hint:    adopt: true found no matching pair to take over",
            ],
        },
        {
            what: "through sudo: the program named is ip, the command shown is the whole one",
            subject: { kind: "Route", name: "default", op: "create" },
            argv: ["sudo", "-n", "--", "ip", "-n", "ns1", "-4", "route", "add", "default", "via", "192.0.2.1", "table", "main"],
            exitCode: 2,
            stderr: "Error: Nexthop has invalid gateway.",
            hint: "h",
            want: [
                'Route "default" create failed (ip exited 2)',
                "  command: sudo -n -- ip -n ns1 -4 route add default via 192.0.2.1 table main",
                "  stderr:  Error: Nexthop has invalid gateway.",
                "  hint:    h",
            ],
        },
        {
            what: "a program not found",
            subject: { kind: "Namespace", name: "ns", op: "create" },
            argv: ["ip", "netns", "add", "ns1"],
            exitCode: undefined,
            stderr: "spawn ip ENOENT",
            hint: "ip is not installed: apt-get install iproute2",
            want: [
                'Namespace "ns" create failed',
                "  command: ip netns add ns1",
                "  stderr:  spawn ip ENOENT",
                "  hint:    ip is not installed: apt-get install iproute2",
            ],
        },
    ])("$what", ({ subject, argv, exitCode, stderr, hint, want }) => {
        expect(formatError(subject, argv, exitCode, stderr, hint)).toBe(want.join("\n"));
    });
});

describe("formatError with a batch", () => {
    it("shows the lines the command read, under the command, before stderr", () => {
        const argv = ["ip", "-n", "ns2", "-j", "-d", "-batch", "-"];
        const input = "link set dev veth1 master br0 up\nlink show dev veth1\n";
        const e = new NetnsError(pair, argv, 1, 'Error: argument "br0" is wrong: Device does not exist\nCommand failed -:1\n', "create the bridge first", input);
        expect(e.input).toBe(input);
        expect(e.message).toBe([
            'VethPair "lan" create failed (ip exited 1)',
            "  command: ip -n ns2 -j -d -batch -",
            "  input:   link set dev veth1 master br0 up",
            "           link show dev veth1",
            '  stderr:  Error: argument "br0" is wrong: Device does not exist',
            "           Command failed -:1",
            "  hint:    create the bridge first",
        ].join("\n"));
    });
});

describe("NetnsError", () => {
    it("carries what it was made of, and its message is formatError's", () => {
        const argv = ["ip", "netns", "add", "ns1"];
        const e = new NetnsError(pair, argv, 1, "RTNETLINK answers: Operation not permitted\n", "needs root");
        expect(e).toBeInstanceOf(Error);
        expect(e.name).toBe("NetnsError");
        expect(e.subject).toEqual(pair);
        expect(e.argv).toEqual(argv);
        expect(e.exitCode).toBe(1);
        expect(e.stderr).toBe("RTNETLINK answers: Operation not permitted\n");
        expect(e.hint).toBe("needs root");
        expect(e.message).toBe(formatError(pair, argv, 1, "RTNETLINK answers: Operation not permitted\n", "needs root"));
        expect(e.message).toBe([
            'VethPair "lan" create failed (ip exited 1)',
            "  command: ip netns add ns1",
            "  stderr:  RTNETLINK answers: Operation not permitted",
            "  hint:    needs root",
        ].join("\n"));
    });
});

// Passwordless sudo for ip is root (`ip netns exec NS /bin/sh`): the hint says so, word for word.
describe("rootHint", () => {
    it.each([
        { sudo: false, hint: "managing network namespaces needs root: run as root (best on a machine or VM kept for this), or install sudo and give this user passwordless sudo for ip; that is root-equivalent ('sudo ip netns exec NS /bin/sh' is a root shell), so grant it only to a user who may be root" },
        { sudo: true, hint: "managing network namespaces needs root: run as root (best on a machine or VM kept for this), or give this user passwordless sudo for ip; that is root-equivalent ('sudo ip netns exec NS /bin/sh' is a root shell), so grant it only to a user who may be root" },
    ])("sudo installed: $sudo", ({ sudo, hint }) => {
        expect(rootHint(sudo)).toBe(hint);
        expect(rootHint(sudo)).not.toMatch(/for ip and sysctl/);
    });
});

describe("commonHint", () => {
    it.each([
        { stderr: "RTNETLINK answers: Operation not permitted", hint: /^this needs root \(CAP_NET_ADMIN and CAP_SYS_ADMIN\): run as root or through sudo$/ },
        { stderr: "mount --make-shared /run/netns failed: Operation not permitted", hint: /needs root/ },
        { stderr: 'Cannot open network namespace "ns1": No such file or directory', hint: /^the namespace does not exist: create it first, and pass its name as an output \(ns\.name\)/ },
        { stderr: "setting the network namespace \"ns1\" failed: No such file or directory", hint: /the namespace does not exist/ },
        { stderr: "RTNETLINK answers: File exists", hint: /^run the command above by hand to see more; `pulumi refresh` brings the state in line with the host$/ },
        { stderr: "", hint: /run the command above by hand/ },
        // Permission comes first: a refused namespace open is a permission problem.
        { stderr: 'Cannot open network namespace "ns1": Operation not permitted', hint: /needs root/ },
    ])("$stderr", ({ stderr, hint }) => {
        expect(commonHint(stderr)).toMatch(hint);
    });
});
