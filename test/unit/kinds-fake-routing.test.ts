// Route and Rule driven through a FakeHost (issue 22; the plan is in kinds-fake.test.ts): the exact
// commands, the protocol mark (proto 77) on what they make, gone on read and delete, the failure
// hints, adoption, and another stack's namespace left alone. Answers are iproute2 6.1's.
import { describe, expect, it } from "vitest";
import { kinds } from "../../provider/kinds/registry";
import type { FakeHost } from "../../provider/host/fake";
import { FOREIGN, SAYS, failure, fakeHost, loJson, markOf, subject, warnings } from "../support/fakekinds";

const LO = ["ip", "-n", "hfkA", "-j", "link", "show", "dev", "lo"];
const OURS = loJson(markOf("Namespace", "hfkA"));
const line = (a: readonly string[]) => a.join(" ");

describe("Route through the fake host", () => {
    const rt = kinds.Route;
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("Route", op, "r1", h, owner);
    const spec = { namespace: "hfkA", to: "198.51.100.0/24", via: "192.0.2.2", table: "main" as const, adopt: false };
    const ADD = ["ip", "-n", "hfkA", "-4", "route", "add", "198.51.100.0/24", "via", "192.0.2.2", "table", "main", "proto", "77"];
    const REPLACE = ["ip", "-n", "hfkA", "-4", "route", "replace", "198.51.100.0/24", "via", "192.0.2.2", "table", "main", "proto", "77"];
    const SHOW = ["ip", "-n", "hfkA", "-j", "-4", "route", "show", "table", "main", "exact", "198.51.100.0/24"];
    const DEL = ["ip", "-n", "hfkA", "-4", "route", "del", "198.51.100.0/24", "table", "main", "proto", "77"];
    const live = (gateway = "192.0.2.2", protocol = "77") => JSON.stringify([{ dst: "198.51.100.0/24", gateway, dev: "hv0", protocol, flags: [] }]) + "\n";

    it("create: ip route add with the project's protocol number", async () => {
        const h = fakeHost("hfkA").on(ADD, {});
        expect(await rt.create(S(h, "create"), spec)).toEqual(spec);
        expect(h.lines).toEqual([line(ADD)]);
    });

    it("create of an IPv6 default route through a device: -6, the family's spelling", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-6", "route", "add"], {});
        await rt.create(S(h, "create"), { namespace: "hfkA", to: "default", via: "2001:db8::1", dev: "hv0", metric: 10, table: 100, adopt: false });
        expect(h.lines).toEqual(["ip -n hfkA -6 route add default via 2001:db8::1 dev hv0 metric 10 table 100 proto 77"]);
    });

    it("create, exists in a namespace not this stack's: refused with the adopt hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.fileExists }).on(LO, { stdout: loJson() });
        const e = await failure(rt.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(ADD), line(LO)]);
        expect(e.message).toContain('Route "r1" create failed (ip exited 2)');
        expect(e.message).toContain(`command: ${line(ADD)}`);
        expect(e.hint).toBe("a route to 198.51.100.0/24 already exists in hfkA (table main); remove it, give another metric, or set adopt: true");
    });

    it("create, exists with adopt: ip route replace makes it ours", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.fileExists }).on(REPLACE, {});
        await rt.create(S(h, "create"), { ...spec, adopt: true });
        expect(h.lines).toEqual([line(ADD), line(REPLACE)]);
    });

    it("create, the very route in this stack's namespace: taken as it is", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.fileExists }).on(LO, { stdout: OURS }).on(SHOW, { stdout: live() });
        await rt.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(ADD), line(LO), line(SHOW)]);
    });

    it("create, another gateway there in this stack's namespace: refused", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.fileExists }).on(LO, { stdout: OURS }).on(SHOW, { stdout: live("192.0.2.3") });
        const e = await failure(rt.create(S(h, "create"), spec));
        expect(e.hint).toMatch(/^a route to 198.51.100.0\/24 already exists in hfkA/);
    });

    it("create through a gateway on no segment: the gateway hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.badGateway });
        const e = await failure(rt.create(S(h, "create"), spec));
        expect(e.message).toContain("stderr:  Error: Nexthop has invalid gateway.");
        expect(e.hint).toBe("the gateway 192.0.2.2 is on no connected segment of hfkA: add an Address in its subnet first and make the route depend on it (pass addr.address or dependsOn)");
    });

    it("read: the live gateway under the input names; undefined when no route or no namespace", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live("192.0.2.3") }, 1).on(SHOW, { stdout: "[]\n" }, 1).on(SHOW, { exitCode: 255, stderr: SAYS.nsGone("hfkA") }, 1);
        expect(await rt.read(S(h, "read"), spec)).toEqual({ ...spec, via: "192.0.2.3" });
        expect(await rt.read(S(h, "read"), spec)).toBeUndefined();
        h.removeNamespace("hfkA");
        expect(await rt.read(S(h, "read"), spec)).toBeUndefined();
        expect(h.lines).toEqual([line(SHOW), line(SHOW), line(SHOW)]);
    });

    it("read: the marked route is ours among two of one destination and metric", async () => {
        const two = JSON.stringify([{ dst: "198.51.100.0/24", gateway: "192.0.2.9", dev: "hv0", protocol: "boot", flags: [] }, { dst: "198.51.100.0/24", gateway: "192.0.2.2", dev: "hv0", protocol: "77", flags: [] }]);
        const h = fakeHost("hfkA").on(SHOW, { stdout: two });
        expect((await rt.read(S(h, "read"), spec))?.via).toBe("192.0.2.2");
    });

    it("read failing otherwise: NetnsError, never gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(rt.read(S(h, "read"), spec));
        expect(e.hint).toMatch(/^could not read the routes to 198.51.100.0\/24 in hfkA \(table main\)/);
    });

    it("update: ip route replace with the mark", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-4", "route", "replace"], {});
        expect(await rt.update(S(h, "update"), spec, { ...spec, via: "192.0.2.3" })).toEqual({ ...spec, via: "192.0.2.3" });
        expect(h.lines).toEqual(["ip -n hfkA -4 route replace 198.51.100.0/24 via 192.0.2.3 table main proto 77"]);
    });

    it("update failing: NetnsError with the hint", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-4", "route", "replace"], { exitCode: 2, stderr: SAYS.badGateway });
        const e = await failure(rt.update(S(h, "update"), spec, { ...spec, via: "203.0.113.9" }));
        expect(e.hint).toMatch(/^the gateway 203.0.113.9 is on no connected segment of hfkA/);
    });

    it("delete: found, whose the namespace is, then del by the mark", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live() }).on(LO, { stdout: OURS }).on(DEL, {});
        await rt.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual([line(SHOW), line(LO), line(DEL)]);
    });

    it("delete of a state from before marks: del without proto", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live("192.0.2.2", "boot") }).on(LO, { stdout: loJson() }).on(["ip", "-n", "hfkA", "-4", "route", "del"], {});
        await rt.delete(S(h, "delete", false), spec);
        expect(h.lines.at(-1)).toBe("ip -n hfkA -4 route del 198.51.100.0/24 table main");
    });

    it("delete of a route already gone: stops at the read; gone between read and del is success", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: "[]\n" }, 1).on(SHOW, { stdout: live() }).on(LO, { stdout: OURS }).on(DEL, { exitCode: 2, stderr: SAYS.noSuchProcess });
        await rt.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual([line(SHOW)]);
        await rt.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual([line(SHOW), line(SHOW), line(LO), line(DEL)]);
    });

    it("delete in another stack's namespace: left alone with a warning", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live() }).on(LO, { stdout: loJson(FOREIGN) });
        const { lines } = await warnings(() => rt.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual([line(SHOW), line(LO)]);
        expect(lines.join("")).toContain('warning: Route "r1" delete: route 198.51.100.0/24 in hfkA, whose namespace hfkA belongs to stack other/prod');
    });

    it("delete failing otherwise: NetnsError naming the command", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live() }).on(LO, { stdout: OURS }).on(DEL, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(rt.delete(S(h, "delete"), spec));
        expect(e.message).toContain(`command: ${line(DEL)}`);
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });
});

describe("Rule through the fake host", () => {
    const ru = kinds.Rule;
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("Rule", op, "rule1", h, owner);
    const spec = { namespace: "hfkA", priority: 1000, from: "192.0.2.0/24", to: "all", lookup: 101 as const, adopt: false } as Parameters<typeof ru.create>[1];
    const SHOW = ["ip", "-n", "hfkA", "-j", "-4", "rule", "show", "priority", "1000"];
    const ADD = ["ip", "-n", "hfkA", "-4", "rule", "add", "from", "192.0.2.0/24", "priority", "1000", "lookup", "101", "protocol", "77"];
    const DEL = ["ip", "-n", "hfkA", "-4", "rule", "del", "from", "192.0.2.0/24", "priority", "1000", "lookup", "101", "protocol", "77"];
    const live = (table = "101", protocol = "77") => JSON.stringify([{ priority: 1000, src: "192.0.2.0", srclen: 24, table, protocol }]) + "\n";

    it("create: looked for first, then ip rule add with the protocol mark", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: "[]\n" }).on(ADD, {});
        expect(await ru.create(S(h, "create"), spec)).toEqual(spec);
        expect(h.lines).toEqual([line(SHOW), line(ADD)]);
    });

    it("create of a type rule, IPv6: the type word, -6", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-j", "-6"], { stdout: "[]\n" }).on(["ip", "-n", "hfkA", "-6", "rule", "add"], {});
        await ru.create(S(h, "create"), { namespace: "hfkA", priority: 2000, from: "all", to: "2001:db8::/32", type: "prohibit", adopt: false } as Parameters<typeof ru.create>[1]);
        expect(h.lines).toEqual(["ip -n hfkA -j -6 rule show priority 2000", "ip -n hfkA -6 rule add from all to 2001:db8::/32 priority 2000 prohibit protocol 77"]);
    });

    it("create, a hand-made twin there in a namespace not this stack's: refused with the adopt hint, nothing added", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live("101", "boot") }).on(LO, { stdout: loJson() });
        const e = await failure(ru.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(SHOW), line(LO)]);
        expect(e.message).toContain(`command: ${line(SHOW)}`);
        expect(e.hint).toBe("the rule \"1000: from 192.0.2.0/24 lookup 101\" already exists in hfkA; remove it ('ip -n hfkA rule del from 192.0.2.0/24 priority 1000 lookup 101') or set adopt: true");
    });

    it("create, a hand-made twin with adopt: ours added beside it, the twin removed by its protocol", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live("101", "boot") }).on(ADD, {}).on(["ip", "-n", "hfkA", "-4", "rule", "del"], {});
        await ru.create(S(h, "create"), { ...spec, adopt: true });
        expect(h.lines).toEqual([line(SHOW), line(ADD), "ip -n hfkA -4 rule del from 192.0.2.0/24 priority 1000 lookup 101 protocol boot"]);
    });

    it("create, our own marked rule there in this stack's namespace: taken, nothing run", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live() }).on(LO, { stdout: OURS });
        await ru.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(SHOW), line(LO)]);
    });

    it("create failing otherwise: NetnsError with a hint", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: "[]\n" }).on(ADD, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(ru.create(S(h, "create"), spec));
        expect(e.message).toContain('Rule "rule1" create failed (ip exited 2)');
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });

    it("read: the rule as it is; the live action when changed by hand; undefined when gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: live() }, 1).on(SHOW, { stdout: live("102", "boot") }, 1).on(SHOW, { stdout: "[]\n" }, 1)
            .on(SHOW, { exitCode: 255, stderr: SAYS.nsGone("hfkA") }, 1);
        expect(await ru.read(S(h, "read"), spec)).toEqual(spec);
        expect(await ru.read(S(h, "read"), spec)).toEqual({ ...spec, lookup: 102 });
        expect(await ru.read(S(h, "read"), spec)).toBeUndefined();
        h.removeNamespace("hfkA");
        expect(await ru.read(S(h, "read"), spec)).toBeUndefined();
        expect(h.lines).toEqual(Array(4).fill(line(SHOW)));
    });

    it("read: a rule of another source at that priority is not this one", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: JSON.stringify([{ priority: 1000, src: "198.51.100.0", srclen: 24, table: "101", protocol: "77" }]) });
        expect(await ru.read(S(h, "read"), spec)).toBeUndefined();
    });

    it("update: make before break, the new rule added, the old one removed by its mark", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-4", "rule", "add"], {}).on(SHOW, { stdout: live() }).on(DEL, {});
        expect(await ru.update(S(h, "update"), spec, { ...spec, lookup: 102 })).toEqual({ ...spec, lookup: 102 });
        expect(h.lines).toEqual(["ip -n hfkA -4 rule add from 192.0.2.0/24 priority 1000 lookup 102 protocol 77", line(SHOW), line(DEL)]);
    });

    it("update whose old rule cannot be removed: the new one removed again, NetnsError", async () => {
        const h = fakeHost("hfkA").on(["ip", "-n", "hfkA", "-4", "rule", "add"], {}).on(SHOW, { stdout: live() }).on(DEL, { exitCode: 2, stderr: SAYS.notPermitted })
            .on(["ip", "-n", "hfkA", "-4", "rule", "del"], {});
        const e = await failure(ru.update(S(h, "update"), spec, { ...spec, lookup: 102 }));
        expect(h.lines.at(-1)).toBe("ip -n hfkA -4 rule del from 192.0.2.0/24 priority 1000 lookup 102 protocol 77");
        expect(e.message).toContain(`command: ${line(DEL)}`);
    });

    it("delete: whose the namespace is, then del by the mark; already gone is success", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: OURS }).on(DEL, {}, 1).on(DEL, { exitCode: 2, stderr: SAYS.ruleGone }, 1).on(DEL, { exitCode: 2, stderr: SAYS.nsGone("hfkA") }, 1);
        await ru.delete(S(h, "delete"), spec);
        await ru.delete(S(h, "delete"), spec);
        expect(h.lines).toEqual([line(LO), line(DEL), line(LO), line(DEL)]);
    });

    it("delete of a state from before marks: del without protocol", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: loJson() }).on(["ip", "-n", "hfkA", "-4", "rule", "del"], {});
        await ru.delete(S(h, "delete", false), spec);
        expect(h.lines.at(-1)).toBe("ip -n hfkA -4 rule del from 192.0.2.0/24 priority 1000 lookup 101");
    });

    it("delete in another stack's namespace: left alone with a warning", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: loJson(FOREIGN) });
        const { lines } = await warnings(() => ru.delete(S(h, "delete"), spec));
        expect(h.lines).toEqual([line(LO)]);
        expect(lines.join("")).toContain("rule 1000 in hfkA, whose namespace hfkA belongs to stack other/prod");
    });

    it("delete failing otherwise: NetnsError", async () => {
        const h = fakeHost("hfkA").on(LO, { stdout: OURS }).on(DEL, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(ru.delete(S(h, "delete"), spec));
        expect(e.message).toContain(`command: ${line(DEL)}`);
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });
});
