// Every registered kind driven through a FakeHost (issue 22): create, read, update and delete
// with the exact commands each runs, the outputs, gone on read and on delete, the failure
// classifications, the adopt hints, the ownership marks, and a foreign mark left alone. No root,
// no processes. This file: Namespace, Sysctl, Address, and the provider's refusal of the host's
// namespace for every kind; kinds-fake-links.test.ts: VethPair, Bridge;
// kinds-fake-routing.test.ts: Route, Rule. The answers are iproute2 6.1's (test/support/fakekinds.ts).
import { describe, expect, it } from "vitest";
import { definitions, kinds } from "../../provider/kinds/registry";
import { providerFor } from "../../provider/impl";
import { HostNamespaceError } from "../../provider/host/hostns";
import { useHost } from "../../provider/host/run";
import { FakeHost } from "../../provider/host/fake";
import { FOREIGN, SAYS, addressJson, failure, fakeHost, loJson, markOf, subject, warnings } from "../support/fakekinds";

const ns = kinds.Namespace;
const MARK = markOf("Namespace", "hfkA");

describe("Namespace through the fake host", () => {
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("Namespace", op, "hfkA", h, owner);
    const spec = { name: "hfkA", adopt: false } as Parameters<typeof ns.create>[1];

    it("create: ip netns add, then lo up with the mark as its alias", async () => {
        const h = fakeHost().on(["ip", "netns", "add", "hfkA"], {}).on(["ip", "-n", "hfkA", "link", "set"], {});
        const out = await ns.create(S(h, "create"), spec);
        expect(h.lines).toEqual(["ip netns add hfkA", `ip -n hfkA link set dev lo up alias ${MARK}`]);
        expect(h.calls[1]!.argv.at(-1)).toBe("pulumi-netns/1 p/s Namespace hfkA");
        expect(out).toEqual({ name: "hfkA", adopt: false, previousSysctls: {} });
    });

    it("create without an owner (a state from before marks): lo up, no alias", async () => {
        const h = fakeHost().on(["ip", "netns", "add"], {}).on(["ip", "-n", "hfkA", "link", "set"], {});
        await ns.create(S(h, "create", false), spec);
        expect(h.lines).toEqual(["ip netns add hfkA", "ip -n hfkA link set dev lo up"]);
    });

    it("create with sysctls: the value before is read, then written, in one process each", async () => {
        const h = fakeHost().on(["ip", "netns", "add"], {}).on(["ip", "-n", "hfkA", "link", "set"], {})
            .on(["ip", "netns", "exec", "hfkA", "sysctl", "-n"], { stdout: "0\n" })
            .on(["ip", "netns", "exec", "hfkA", "sysctl", "-q", "-w"], {});
        const out = await ns.create(S(h, "create"), { ...spec, sysctls: { "net.ipv4.ip_forward": "1" } });
        expect(h.lines.slice(2)).toEqual(["ip netns exec hfkA sysctl -n net.ipv4.ip_forward", "ip netns exec hfkA sysctl -q -w net.ipv4.ip_forward=1"]);
        expect(out.previousSysctls).toEqual({ "net.ipv4.ip_forward": "0" });
    });

    it("create, exists without a mark: refused with the adopt hint, nothing else run", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") }).on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson() });
        const e = await failure(ns.create(S(h, "create"), spec));
        expect(h.lines).toEqual(["ip netns add hfkA", "ip -n hfkA -j link show dev lo"]);
        expect(e.message).toContain('Namespace "hfkA" create failed (ip exited 1)');
        expect(e.message).toContain("command: ip netns add hfkA");
        expect(e.hint).toBe("a namespace named hfkA already exists: remove it with 'ip netns del hfkA', or set adopt: true to manage it from now on (destroy will then delete it) (it carries no ownership mark: made by hand, by another tool or by a release before marks)");
    });

    it("create, exists with adopt: taken over, and the mark written", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") })
            .on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson() }).on(["ip", "-n", "hfkA", "link", "set"], {});
        await ns.create(S(h, "create"), { ...spec, adopt: true });
        expect(h.lines).toEqual(["ip netns add hfkA", "ip -n hfkA -j link show dev lo", `ip -n hfkA link set dev lo up alias ${MARK}`]);
    });

    it("create, exists with this resource's mark (its create was lost): taken back without adopt", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") })
            .on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(MARK) }).on(["ip", "-n", "hfkA", "link", "set"], {});
        await ns.create(S(h, "create"), spec);
        expect(h.lines.at(-1)).toBe(`ip -n hfkA link set dev lo up alias ${MARK}`);
    });

    it("create, exists with another stack's mark: refused even with adopt, naming that stack", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") }).on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(FOREIGN) });
        const e = await failure(ns.create(S(h, "create"), { ...spec, adopt: true }));
        expect(h.lines).toEqual(["ip netns add hfkA", "ip -n hfkA -j link show dev lo"]);
        expect(e.hint).toBe('namespace hfkA belongs to stack other/prod (Namespace hfkA): destroy that stack first (pulumi destroy --stack prod, in project other), or give this one other names; or, to take it over on purpose, set adopt: true and adoptFrom: "other/prod"');
    });

    it("create, the same with adoptFrom naming that stack: taken over", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") })
            .on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(FOREIGN) }).on(["ip", "-n", "hfkA", "link", "set"], {});
        await ns.create(S(h, "create"), { ...spec, adoptFrom: "other/prod" });
        expect(h.lines.at(-1)).toBe(`ip -n hfkA link set dev lo up alias ${MARK}`);
    });

    it("create over the empty leftover of an interrupted ip netns add: removed, added again", async () => {
        const h = fakeHost().file("/run/netns", "", "25:1").file("/run/netns/hfkA", "", "25:7")
            .on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.nsExists("hfkA") }, 1).on(["ip", "netns", "del", "hfkA"], {})
            .on(["ip", "netns", "add"], {}).on(["ip", "-n", "hfkA", "link", "set"], {});
        await ns.create(S(h, "create"), spec);
        expect(h.lines).toEqual(["ip netns add hfkA", "ip netns del hfkA", "ip netns add hfkA", `ip -n hfkA link set dev lo up alias ${MARK}`]);
    });

    it("create failing otherwise: NetnsError with the command, stderr and hint", async () => {
        const h = fakeHost().on(["ip", "netns", "add"], { exitCode: 1, stderr: SAYS.mountRefused });
        const e = await failure(ns.create(S(h, "create"), spec));
        expect(h.lines).toEqual(["ip netns add hfkA"]);
        expect(e.argv).toEqual(["ip", "netns", "add", "hfkA"]);
        expect(e.message).toContain("stderr:  mount --make-shared /run/netns failed: Operation not permitted");
        expect(e.hint).toBe("ip netns add failed; see stderr");
    });

    it("create whose lo up fails: the namespace made here is deleted again", async () => {
        const h = fakeHost().on(["ip", "netns", "add"], {}).on(["ip", "-n", "hfkA", "link", "set"], { exitCode: 2, stderr: SAYS.notPermitted }).on(["ip", "netns", "del"], {});
        const e = await failure(ns.create(S(h, "create"), spec));
        expect(h.lines).toEqual(["ip netns add hfkA", `ip -n hfkA link set dev lo up alias ${MARK}`, "ip netns del hfkA"]);
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });

    it("read: present is the namespace file, no command; absent is undefined", async () => {
        const h = fakeHost("hfkA");
        expect(await ns.read(S(h, "read"), { ...spec, previousSysctls: {} })).toEqual({ ...spec, previousSysctls: {} });
        h.removeNamespace("hfkA");
        expect(await ns.read(S(h, "read"), { ...spec, previousSysctls: {} })).toBeUndefined();
        expect(h.calls).toEqual([]);
    });

    it("read with sysctls: the live values under the input names (drift)", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "exec", "hfkA", "sysctl", "-n", "net.ipv4.ip_forward"], { stdout: "0\n" });
        const got = await ns.read(S(h, "read"), { ...spec, sysctls: { "net.ipv4.ip_forward": "1" }, previousSysctls: { "net.ipv4.ip_forward": "0" } });
        expect(h.lines).toEqual(["ip netns exec hfkA sysctl -n net.ipv4.ip_forward"]);
        expect(got?.sysctls).toEqual({ "net.ipv4.ip_forward": "0" });
    });

    it("update: a changed sysctl is written; a removed one gets its previous value back", async () => {
        const h = fakeHost("hfkA").on(["ip", "netns", "exec", "hfkA", "sysctl", "-q", "-w"], {});
        const olds = { ...spec, sysctls: { "net.ipv4.ip_forward": "1" }, previousSysctls: { "net.ipv4.ip_forward": "0" } };
        const out = await ns.update(S(h, "update"), olds, { ...spec, sysctls: { "net.ipv4.ip_forward": "0" } });
        expect(out.previousSysctls).toEqual({ "net.ipv4.ip_forward": "0" });
        const back = await ns.update(S(h, "update"), olds, spec);
        expect(back.previousSysctls).toEqual({});
        expect(h.lines).toEqual(["ip netns exec hfkA sysctl -q -w net.ipv4.ip_forward=0", "ip netns exec hfkA sysctl -q -w net.ipv4.ip_forward=0"]);
    });

    it("update with no change: no command", async () => {
        const h = fakeHost("hfkA");
        const olds = { ...spec, sysctls: { "net.ipv4.ip_forward": "1" }, previousSysctls: { "net.ipv4.ip_forward": "0" } };
        await ns.update(S(h, "update"), olds, { ...spec, sysctls: { "net.ipv4.ip_forward": "1" } });
        expect(h.calls).toEqual([]);
    });

    it("delete: whose it is, the processes inside, then ip netns del", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(MARK) })
            .on(["ip", "netns", "pids", "hfkA"], { stdout: "" }).on(["ip", "netns", "del", "hfkA"], {});
        await ns.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual(["ip -n hfkA -j link show dev lo", "ip netns pids hfkA", "ip netns del hfkA"]);
    });

    it("delete of a namespace already gone: success whatever ip says, once its file is absent", async () => {
        const h = fakeHost().on(["ip", "netns", "del", "hfkA"], { exitCode: 1, stderr: SAYS.nsNoFile("hfkA") });
        await ns.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual(["ip netns del hfkA"]);
    });

    it("delete of another stack's namespace: left alone with a warning", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(FOREIGN) });
        const { lines } = await warnings(() => ns.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual(["ip -n hfkA -j link show dev lo"]);
        expect(lines.join("")).toContain('warning: Namespace "hfkA" delete: namespace hfkA belongs to stack other/prod (Namespace hfkA), not to this stack: left in place');
    });

    it("delete with processes inside: refused, naming them", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(MARK) }).on(["ip", "netns", "pids", "hfkA"], { stdout: "4242\n" });
        const e = await failure(ns.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual(["ip -n hfkA -j link show dev lo", "ip netns pids hfkA"]);
        expect(e.hint).toMatch(/^process 4242 still runs in hfkA: deleting its name would leave the namespace alive/);
    });

    it("delete failing while the file stays: NetnsError", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { stdout: loJson(MARK) })
            .on(["ip", "netns", "pids", "hfkA"], {}).on(["ip", "netns", "del", "hfkA"], { exitCode: 1, stderr: SAYS.nsBusy("hfkA") });
        const e = await failure(ns.delete(S(h, "delete"), spec));
        expect(e.message).toContain("command: ip netns del hfkA");
        expect(e.hint).toMatch(/^\/run\/netns\/hfkA is still there: the namespace was not removed/);
    });

    it("a failed read of the mark is no answer: delete throws and deletes nothing", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"], { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(ns.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual(["ip -n hfkA -j link show dev lo"]);
        expect(e.hint).toMatch(/^could not read the ownership mark of namespace hfkA \(lo's alias\), so whether it exists is not known/);
    });
});

describe("Sysctl through the fake host", () => {
    const sc = kinds.Sysctl;
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete") => subject("Sysctl", op, "fwd", h);
    // tcp_syncookies is coupled to no other key (ip_forward is conf.all.forwarding: see the all key below).
    const spec = { namespace: "hfkS", key: "net.ipv4.tcp_syncookies", value: "1" };
    const GET = ["ip", "netns", "exec", "hfkS", "sysctl", "-n", "net.ipv4.tcp_syncookies"];
    const SET = ["ip", "netns", "exec", "hfkS", "sysctl", "-q", "-w"];

    it("create: the value before is read and kept as previous, then the value written", async () => {
        const h = fakeHost("hfkS").on(GET, { stdout: "0\n" }).on(SET, {});
        expect(await sc.create(S(h, "create"), spec)).toEqual({ ...spec, previous: "0" });
        expect(h.lines).toEqual(["ip netns exec hfkS sysctl -n net.ipv4.tcp_syncookies", "ip netns exec hfkS sysctl -q -w net.ipv4.tcp_syncookies=1"]);
    });

    it("create of a value already there: read only", async () => {
        const h = fakeHost("hfkS").on(GET, { stdout: "1\n" });
        expect(await sc.create(S(h, "create"), spec)).toEqual({ ...spec, previous: "1" });
        expect(h.lines).toEqual(["ip netns exec hfkS sysctl -n net.ipv4.tcp_syncookies"]);
    });

    it("create of a key this kernel lacks: NetnsError naming the key", async () => {
        const h = fakeHost("hfkS").on(["ip", "netns", "exec", "hfkS", "sysctl", "-n"], { exitCode: 1, stderr: SAYS.noKey("net/ipv4/nope") });
        const e = await failure(sc.create(S(h, "create"), { ...spec, key: "net.ipv4.nope" }));
        expect(e.message).toContain('Sysctl "fwd" create failed (ip exited 1)');
        expect(e.message).toContain("command: ip netns exec hfkS sysctl -n net.ipv4.nope");
        expect(e.hint).toBe("net.ipv4.nope does not exist in hfkS's /proc/sys on this kernel; check the spelling (interface keys need the interface to exist first)");
    });

    it("create of a value the kernel refuses: the value named", async () => {
        const h = fakeHost("hfkS").on(GET, { stdout: "0\n" }).on(SET, { exitCode: 255, stderr: SAYS.badValue("net.ipv4.tcp_syncookies") });
        const e = await failure(sc.create(S(h, "create"), { ...spec, value: "7" }));
        expect(e.hint).toBe('the kernel refused the value "7" for net.ipv4.tcp_syncookies');
    });

    it("create of an all key: the keys it also sets are noted before and after the write", async () => {
        const GROUP = ["ip", "netns", "exec", "hfkT", "sysctl", "-a", "-r", "^net\\.ipv6\\.conf\\.[^.]+\\.forwarding$"];
        const h = fakeHost("hfkT").on(["ip", "netns", "exec", "hfkT", "sysctl", "-n"], { stdout: "0\n" })
            .on(GROUP, { stdout: "net.ipv6.conf.all.forwarding = 0\nnet.ipv6.conf.default.forwarding = 0\nnet.ipv6.conf.lo.forwarding = 0\n" }, 1)
            .on(["ip", "netns", "exec", "hfkT", "sysctl", "-q", "-w"], {}).on(["ip", "netns", "exec", "hfkT", "sysctl", "-q", "-e", "-w"], {})
            .on(GROUP, { stdout: "net.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\nnet.ipv6.conf.lo.forwarding = 1\n" });
        const a = { namespace: "hfkT", key: "net.ipv6.conf.all.forwarding", value: "1" };
        await sc.create(subject("Sysctl", "create", "all", h), a);
        expect(h.lines).toEqual(["ip netns exec hfkT sysctl -n net.ipv6.conf.all.forwarding", GROUP.join(" "), "ip netns exec hfkT sysctl -q -w net.ipv6.conf.all.forwarding=1", GROUP.join(" ")]);
        // Its delete writes the previous value, then each noted key's value from before.
        h.on(["ip", "-n", "hfkT", "-j", "link", "show", "dev", "lo"], { stdout: loJson(markOf("Namespace", "hfkT")) });
        await sc.delete(subject("Sysctl", "delete", "all", h), { ...a, previous: "0" });
        expect(h.lines.slice(4)).toEqual(["ip -n hfkT -j link show dev lo", "ip netns exec hfkT sysctl -q -w net.ipv6.conf.all.forwarding=0",
            "ip netns exec hfkT sysctl -q -e -w net/ipv6/conf/default/forwarding=0 net/ipv6/conf/lo/forwarding=0"]);
    });

    it("read: the live value; undefined when the namespace or the key is gone; another failure throws", async () => {
        const h = fakeHost("hfkS").on(GET, { stdout: "0\n" }, 1).on(GET, { exitCode: 1, stderr: SAYS.noKey("net/ipv4/ip_forward") }, 1).on(GET, { exitCode: 1, stderr: "sysctl: permission denied on key \"net.ipv4.tcp_syncookies\"\n" }, 1);
        expect(await sc.read(S(h, "read"), { ...spec, previous: "0" })).toEqual({ ...spec, value: "0", previous: "0" });
        expect(await sc.read(S(h, "read"), { ...spec, previous: "0" })).toBeUndefined();
        const e = await failure(sc.read(S(h, "read"), { ...spec, previous: "0" }));
        expect(e.hint).toMatch(/^could not read net.ipv4.tcp_syncookies in hfkS, so its value is not known/);
        h.removeNamespace("hfkS");
        expect(await sc.read(S(h, "read"), { ...spec, previous: "0" })).toBeUndefined();
        expect(h.lines).toEqual([GET.join(" "), GET.join(" "), GET.join(" ")]);
    });

    it("update: the new value written, previous kept", async () => {
        const h = fakeHost("hfkS").on(SET, {});
        expect(await sc.update(S(h, "update"), { ...spec, previous: "0" }, { ...spec, value: "0" })).toEqual({ ...spec, value: "0", previous: "0" });
        expect(h.lines).toEqual(["ip netns exec hfkS sysctl -q -w net.ipv4.tcp_syncookies=0"]);
    });

    it("delete: the previous value written back, in a namespace of this stack", async () => {
        const h = fakeHost("hfkS").on(["ip", "-n", "hfkS", "-j", "link", "show", "dev", "lo"], { stdout: loJson(markOf("Namespace", "hfkS")) }).on(SET, {});
        await sc.delete(S(h, "delete"), { ...spec, previous: "0" });
        expect(h.lines).toEqual(["ip -n hfkS -j link show dev lo", "ip netns exec hfkS sysctl -q -w net.ipv4.tcp_syncookies=0"]);
    });

    it("delete when the namespace is gone: nothing run; when the key is gone: success", async () => {
        const gone = fakeHost();
        await sc.delete(S(gone, "delete"), { ...spec, previous: "0" });
        expect(gone.calls).toEqual([]);
        const h = fakeHost("hfkS").on(["ip", "-n", "hfkS", "-j", "link", "show", "dev", "lo"], { stdout: loJson() }).on(SET, { exitCode: 255, stderr: SAYS.noKey("net/ipv4/conf/hv0/forwarding") });
        await sc.delete(S(h, "delete"), { ...spec, key: "net.ipv4.conf.hv0.forwarding", previous: "0" });
        expect(h.lines).toEqual(["ip -n hfkS -j link show dev lo", "ip netns exec hfkS sysctl -q -w net.ipv4.conf.hv0.forwarding=0"]);
    });

    it("delete in another stack's namespace: left alone with a warning", async () => {
        const h = fakeHost("hfkS").on(["ip", "-n", "hfkS", "-j", "link", "show", "dev", "lo"], { stdout: loJson(FOREIGN) });
        const { lines } = await warnings(() => sc.delete(S(h, "delete"), { ...spec, previous: "0" }));
        expect(h.lines).toEqual(["ip -n hfkS -j link show dev lo"]);
        expect(lines.join("")).toContain("sysctl net.ipv4.tcp_syncookies in hfkS, whose namespace hfkS belongs to stack other/prod");
    });

    it("delete failing otherwise: NetnsError", async () => {
        const h = fakeHost("hfkS").on(["ip", "-n", "hfkS", "-j", "link", "show", "dev", "lo"], { stdout: loJson() }).on(SET, { exitCode: 255, stderr: "sysctl: permission denied on key \"net.ipv4.tcp_syncookies\"\n" });
        const e = await failure(sc.delete(S(h, "delete"), { ...spec, previous: "0" }));
        expect(e.message).toContain("command: ip netns exec hfkS sysctl -q -w net.ipv4.tcp_syncookies=0");
        expect(e.hint).toBe("run the command above by hand to see more; `pulumi refresh` brings the state in line with the host");
    });
});

describe("Address through the fake host", () => {
    const ad = kinds.Address;
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete") => subject("Address", op, "ip1", h);
    const spec = { namespace: "hfkA", dev: "hv0", address: "192.0.2.1/24", adopt: false };
    const ADD = ["ip", "-n", "hfkA", "address", "add", "192.0.2.1/24", "dev", "hv0"];
    const SHOW = ["ip", "-n", "hfkA", "-j", "address", "show", "dev", "hv0"];
    const DEL = ["ip", "-n", "hfkA", "address", "del", "192.0.2.1/24", "dev", "hv0"];
    const LO = ["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"];

    it("create: ip address add; IPv6 with nodad", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "address", "add"], {});
        expect(await ad.create(S(h, "create"), spec)).toEqual(spec);
        await ad.create(S(h, "create"), { ...spec, address: "2001:db8::1/64" });
        expect(h.lines).toEqual([ADD.join(" "), "ip -n hfkA address add 2001:db8::1/64 dev hv0 nodad"]);
    });

    it("create, already there in a namespace not this stack's: refused with the adopt hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.addrAssigned }).on(LO, { stdout: loJson() });
        const e = await failure(ad.create(S(h, "create"), spec));
        expect(h.lines).toEqual([ADD.join(" "), LO.join(" ")]);
        expect(e.message).toContain('Address "ip1" create failed (ip exited 2)');
        expect(e.hint).toBe("192.0.2.1/24 is already on hv0 in hfkA; remove it ('ip -n hfkA address del 192.0.2.1/24 dev hv0') or set adopt: true");
    });

    it("create, already there with adopt: taken, nothing more run", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.addrAssigned });
        expect(await ad.create(S(h, "create"), { ...spec, adopt: true })).toEqual({ ...spec, adopt: true });
        expect(h.lines).toEqual([ADD.join(" ")]);
    });

    it("create, already there in this stack's namespace: taken once read back", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.addrAssigned }).on(LO, { stdout: loJson(MARK) })
            .on(SHOW, { stdout: addressJson("hv0", [{ family: "inet", local: "192.0.2.1", prefixlen: 24 }]) });
        await ad.create(S(h, "create"), spec);
        expect(h.lines).toEqual([ADD.join(" "), LO.join(" "), SHOW.join(" ")]);
    });

    it("create on a device that is not there: NetnsError with the device hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 1, stderr: SAYS.cannotFind("hv0") });
        const e = await failure(ad.create(S(h, "create"), spec));
        expect(e.hint).toBe("there is no interface hv0 in hfkA: create it first and pass its name as an output (pair.name) so Pulumi orders the two");
    });

    it("read: present in ip -j address show; undefined when absent, the device gone or the namespace gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: addressJson("hv0", [{ family: "inet", local: "192.0.2.1", prefixlen: 24 }, { family: "inet6", local: "2001:db8::1", prefixlen: 64 }]) }, 1)
            .on(SHOW, { stdout: addressJson("hv0", [{ family: "inet", local: "192.0.2.1", prefixlen: 25 }]) }, 1)
            .on(SHOW, { exitCode: 1, stderr: SAYS.noDevice("hv0") }, 1)
            .on(SHOW, { exitCode: 255, stderr: SAYS.nsGone("hfkA") }, 1);
        expect(await ad.read(S(h, "read"), spec)).toEqual(spec);
        expect(await ad.read(S(h, "read"), spec)).toBeUndefined(); // another prefix is another address
        expect(await ad.read(S(h, "read"), spec)).toBeUndefined();
        h.removeNamespace("hfkA");
        expect(await ad.read(S(h, "read"), spec)).toBeUndefined();
        expect(h.lines).toEqual(Array(4).fill(SHOW.join(" ")));
    });

    it("read failing otherwise: NetnsError, never taken for gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(ad.read(S(h, "read"), spec));
        expect(e.hint).toMatch(/^could not read the addresses of hv0 in hfkA, so whether it exists is not known/);
    });

    it("update: nothing changes in place, no command", async () => {
        const h = fakeHost("hfkA");
        expect(await ad.update(S(h, "update"), spec, spec)).toEqual(spec);
        expect(h.calls).toEqual([]);
    });

    it("delete: whose the namespace is, then ip address del; already gone is success", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: loJson(MARK) }).on(DEL, {}, 1).on(DEL, { exitCode: 2, stderr: SAYS.addrNotFound }, 1).on(DEL, { exitCode: 1, stderr: SAYS.cannotFind("hv0") }, 1);
        await ad.delete(S(h, "delete"), spec);
        await ad.delete(S(h, "delete"), spec);
        await ad.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual([LO, DEL, LO, DEL, LO, DEL].map((a) => a.join(" ")));
    });

    it("delete in another stack's namespace: left alone with a warning", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: loJson(FOREIGN) });
        const { lines } = await warnings(() => ad.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual([LO.join(" ")]);
        expect(lines.join("")).toContain("address 192.0.2.1/24 on hv0 in hfkA, whose namespace hfkA belongs to stack other/prod");
    });

    it("delete failing otherwise: NetnsError with the command and a hint", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: loJson(MARK) }).on(DEL, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(ad.delete(S(h, "delete"), spec));
        expect(e.message).toContain("command: ip -n hfkA address del 192.0.2.1/24 dev hv0");
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });
});

describe("the provider of every kind refuses the host's namespace before running anything", () => {
    // One valid input set per kind, naming hfkH, which the fake binds to its own namespace.
    const inputs: Record<string, Record<string, unknown>> = {
        Namespace: { name: "hfkH", adopt: false },
        VethPair: { name: "hv0", namespace: "hfkH", peerName: "hv1", peerNamespace: "hfkB", up: true, peerUp: true, adopt: false },
        Address: { namespace: "hfkH", dev: "hv0", address: "192.0.2.1/24", adopt: false },
        Route: { namespace: "hfkH", to: "198.51.100.0/24", via: "192.0.2.2", table: "main", adopt: false },
        Sysctl: { namespace: "hfkH", key: "net.ipv4.ip_forward", value: "1", previous: "0" },
        Bridge: { name: "br0", namespace: "hfkH", up: true, adopt: false },
        Rule: { namespace: "hfkH", priority: 1000, from: "192.0.2.0/24", to: "all", lookup: 101, adopt: false },
        LinkShaping: { namespace: "hfkH", dev: "hv0", rate: "8mbit", burst: "32kb", latency: "50ms", adopt: false },
        Tunnel: { name: "vx0", namespace: "hfkH", type: "vxlan", dev: "hv0", vni: 42, local: "192.0.2.1", remote: "192.0.2.2", dstport: 4789, up: true, adopt: false },
    };

    it("covers every registered kind", () => {
        expect(Object.keys(inputs).sort()).toEqual(definitions.map((d) => d.kind).sort());
    });

    it.each(definitions.map((d) => d.kind))("%s: create, read, update and delete refused, no command run", async (kind) => {
        const h = new FakeHost().file("/proc/self/ns/net", "", "4:4026531840").file("/proc/1/ns/net", "", "4:4026531840")
            .namespace("hfkH", "4:4026531840").namespace("hfkB");
        const restore = useHost(h);
        try {
            const p = providerFor(kind);
            const props = { ...inputs[kind]!, resourceName: "r", __owner: { project: "p", stack: "s" } };
            for (const run of [() => p.create(props), () => p.read("id", props), () => p.update("id", props, props), () => p.delete("id", props)]) {
                const e = await run().then(() => undefined, (x: unknown) => x);
                expect(e).toBeInstanceOf(HostNamespaceError);
                expect((e as Error).message).toMatch(new RegExp(`^${kind} "r" (create|read|update|delete) refused: (name|namespace) "hfkH" is the host's own network namespace`));
            }
            expect(h.calls).toEqual([]);
        } finally {
            restore();
        }
    });

    it("check refuses it too, naming the property", async () => {
        const h = new FakeHost().file("/proc/self/ns/net", "", "4:4026531840").file("/proc/1/ns/net", "", "4:4026531840").namespace("hfkH", "4:4026531840");
        const restore = useHost(h);
        try {
            const r = await providerFor("Address").check({}, { namespace: "hfkH", dev: "hv0", address: "192.0.2.1/24" });
            expect(r.failures?.map((f) => f.property)).toEqual(["namespace"]);
        } finally {
            restore();
        }
    });
});

describe("through the provider (impl.ts) on the fake: the resource's name and owner reach the mark and the ID", () => {
    it("Namespace create and read through providerFor", async () => {
        const h = fakeHost().on(["ip", "netns", "add", "hfkP"], {}).on(["ip", "-n", "hfkP", "link", "set"], {});
        const restore = useHost(h);
        try {
            const p = providerFor("Namespace");
            const made = await p.create({ name: "hfkP", adopt: false, resourceName: "lab-ns", __owner: { project: "p", stack: "s" } });
            expect(made.id).toBe("fake/hfkP"); // the fake's key scopes the ID (host.ts scoped)
            expect(h.lines).toEqual(["ip netns add hfkP", "ip -n hfkP link set dev lo up alias pulumi-netns/1 p/s Namespace lab-ns"]);
            expect(made.outs).toEqual({ name: "hfkP", adopt: false, previousSysctls: {}, resourceName: "lab-ns", __owner: { project: "p", stack: "s" } });
            expect(await p.read("fake/hfkP", made.outs)).toEqual({}); // no file: gone
            h.namespace("hfkP");
            expect((await p.read("fake/hfkP", made.outs)).props).toEqual(made.outs);
        } finally {
            restore();
        }
    });
});
