// Bridge, Rule, and VethPair master/peerMaster against the real kernel: providers.X as the engine
// calls them. The host is inspected with `ip -j` directly, never through the provider's read.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { check, commandLog, create, createFails, expectErrorShape, ipj, link, makeNamespace, removeNamespace, sh, update, itInjecting, withFailingIp } from "./helpers";

const prefix = filePrefix("brrule");
const R = `${prefix}router`;
const H = `${prefix}host`;
fileLifecycle(prefix, { fixtures: [R, H] }); // R and H are made in beforeAll; anything else with the prefix is a leak

interface RuleJson { priority: number; src: string; srclen?: number; dst?: string; dstlen?: number; table?: string; action?: string }

async function rulesAt(ns: string, priority: number, family: "-4" | "-6" = "-4"): Promise<RuleJson[]> {
    return ipj<RuleJson>(ns, [family, "rule", "show", "priority", String(priority)]);
}

beforeAll(async () => {
    await makeNamespace(R);
    await makeNamespace(H);
});

describe("Bridge", () => {
    it("creates a bridge, up, in its namespace, and reads it back", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "br", namespace: R, name: "br-a" });
        expect(id).toBe(`${R}/br-a`);
        const l = await link(R, "br-a");
        expect(l?.linkinfo?.info_kind).toBe("bridge");
        expect(l?.flags).toContain("UP");
        expect(outs).toMatchObject({ name: "br-a", namespace: R, up: true, ifindex: l!.ifindex });
        expect(await providers.Bridge.read(id, outs)).toEqual({ id, props: outs });
    });

    it("creates a bridge down, with an MTU, and a bridge named like an ip keyword", async () => {
        const { outs } = await create("Bridge", { resourceName: "br", namespace: R, name: "br-b", up: false, mtu: 9000 });
        const l = await link(R, "br-b");
        expect(l?.flags).not.toContain("UP");
        expect(l?.mtu).toBe(9000);
        expect(outs).toMatchObject({ up: false, mtu: 9000 });
        await create("Bridge", { resourceName: "kw", namespace: R, name: "mtu" });
        expect((await link(R, "mtu"))?.linkinfo?.info_kind).toBe("bridge");
    });

    it("keeps an MTU given at create when a port joins (the kernel would make it follow the port)", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "brm", namespace: R, name: "br-m", mtu: 1400 });
        await sh(["ip", "-n", R, "link", "add", "m0", "mtu", "1500", "type", "veth", "peer", "name", "m1"]);
        await sh(["ip", "-n", R, "link", "set", "dev", "m0", "master", "br-m"]);
        const live = await link(R, "br-m");
        expect(live?.mtu).toBe(1400);
        // Refresh sees the MTU kept; the bridge's MAC is the kernel's, which follows its ports.
        expect(await providers.Bridge.read(id, outs)).toEqual({ id, props: { ...outs, mac: live?.address } });
    });

    it("reports drift made by hand: down, another MTU; {} once deleted or replaced by something else", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "drift", namespace: R, name: "br-c", mtu: 1500 });
        await sh(["ip", "-n", R, "link", "set", "dev", "br-c", "down", "mtu", "1400"]);
        expect(await providers.Bridge.read(id, outs)).toEqual({ id, props: { ...outs, up: false, mtu: 1400 } });
        await sh(["ip", "-n", R, "link", "del", "dev", "br-c"]);
        expect(await providers.Bridge.read(id, outs)).toEqual({});
        await sh(["ip", "-n", R, "link", "add", "name", "br-c", "type", "veth", "peer", "name", "br-c-peer"]);
        expect(await providers.Bridge.read(id, outs)).toEqual({});
        await sh(["ip", "-n", R, "link", "del", "dev", "br-c"]);
    });

    it("changes admin state and MTU in place, keeping the ifindex", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "upd", namespace: R, name: "br-d" });
        const before = (await link(R, "br-d"))!.ifindex;
        const news = { resourceName: "upd", namespace: R, name: "br-d", up: false, mtu: 1400 };
        let after: Record<string, unknown> = {};
        const cmds = await commandLog(async () => { after = await update("Bridge", id, outs, news); });
        expect(cmds.filter((c) => c.includes("set"))).toEqual([["ip", "-n", R, "link", "set", "dev", "br-d", "mtu", "1400", "down"]]);
        const l = await link(R, "br-d");
        expect(l?.ifindex).toBe(before);
        expect(l?.flags).not.toContain("UP");
        expect(l?.mtu).toBe(1400);
        expect(after).toMatchObject({ up: false, mtu: 1400, ifindex: before });
    });

    it("fails with the documented error when the name is taken, and takes over a bridge with adopt: true", async () => {
        await sh(["ip", "-n", R, "link", "add", "name", "br-e", "type", "bridge"]);
        const err = await createFails("Bridge", { resourceName: "taken", namespace: R, name: "br-e" });
        expectErrorShape(err, {
            kind: "Bridge", name: "taken", op: "create",
            command: new RegExp(`^ip -n ${R} link add name br-e up type bridge$`),
            stderr: /File exists/, hint: /an interface named br-e already exists in .*adopt: true/,
        });
        const { outs } = await create("Bridge", { resourceName: "taken", namespace: R, name: "br-e", adopt: true });
        expect(outs).toMatchObject({ up: true });
        expect((await link(R, "br-e"))?.flags).toContain("UP"); // adopted, then brought to the inputs
    });

    it("adopt: true refuses an interface that is not a bridge, and changes nothing", async () => {
        await sh(["ip", "-n", R, "link", "add", "name", "du0", "type", "veth", "peer", "name", "du0-peer"]);
        const err = await createFails("Bridge", { resourceName: "notbr", namespace: R, name: "du0", adopt: true });
        expect(err.hint).toMatch(/adopt: true found no bridge to take over: du0 in .* is a veth interface/);
        expect((await link(R, "du0"))?.linkinfo?.info_kind).toBe("veth");
        await sh(["ip", "-n", R, "link", "del", "dev", "du0"]);
    });

    itInjecting("transactional: when the new bridge cannot be read back, create removes it", async () => {
        const err = await withFailingIp([["-n", R, "-j", "-d", "link", "show", "dev", "br-f"]],
            () => createFails("Bridge", { resourceName: "tx", namespace: R, name: "br-f" }));
        // A read that fails is no answer (reads.ts), not a bridge that vanished: the error says so.
        expect(err.hint).toMatch(/could not read bridge br-f in .*is not known/);
        expect(await link(R, "br-f")).toBeUndefined();
    });

    it("fails with a hint when the namespace does not exist, and makes nothing", async () => {
        const err = await createFails("Bridge", { resourceName: "nons", namespace: `${prefix}missing`, name: "br-g" });
        expect(err.hint).toMatch(/the namespace does not exist/);
    });

    it("deletes, idempotently, also after its namespace is gone", async () => {
        const { id, outs } = await create("Bridge", { resourceName: "del", namespace: R, name: "br-h" });
        await providers.Bridge.delete(id, outs);
        expect(await link(R, "br-h")).toBeUndefined();
        await providers.Bridge.delete(id, outs);
        const tmp = await makeNamespace(`${prefix}tmp`);
        const t = await create("Bridge", { resourceName: "del2", namespace: tmp, name: "br-i" });
        await removeNamespace(tmp);
        await providers.Bridge.delete(t.id, t.outs);
        expect(await providers.Bridge.read(t.id, t.outs)).toEqual({});
    });
});

describe("VethPair master and peerMaster: enslaving an end to a bridge", () => {
    beforeAll(async () => {
        await sh(["ip", "-n", R, "link", "add", "name", "sw1", "up", "type", "bridge"]);
        await sh(["ip", "-n", R, "link", "add", "name", "sw2", "up", "type", "bridge"]);
        await sh(["ip", "-n", H, "link", "add", "name", "hsw", "up", "type", "bridge"]);
    });

    it("creates a pair whose peer joins a bridge in the peer's namespace, up", async () => {
        const { outs } = await create("VethPair", { resourceName: "p1", name: "eth0", namespace: H, peerName: "port1", peerNamespace: R, peerMaster: "sw1" });
        const y = await link(R, "port1") as { master?: string; flags: string[] };
        expect(y.master).toBe("sw1");
        expect(y.flags).toContain("UP");
        expect((await link(H, "eth0") as { master?: string }).master).toBeUndefined();
        expect(outs).toMatchObject({ peerMaster: "sw1" });
        expect(outs.master).toBeUndefined();
    });

    it("creates a pair with both ends on bridges (this end's in the same request)", async () => {
        const { outs } = await create("VethPair", { resourceName: "p2", name: "hport", namespace: H, master: "hsw", peerName: "port2", peerNamespace: R, peerMaster: "sw2" });
        expect((await link(H, "hport") as { master?: string }).master).toBe("hsw");
        expect((await link(R, "port2") as { master?: string }).master).toBe("sw2");
        expect(outs).toMatchObject({ master: "hsw", peerMaster: "sw2" });
    });

    it("moves the peer to another bridge in place, then off every bridge, keeping the ifindex", async () => {
        const { id, outs } = await create("VethPair", { resourceName: "p3", name: "e3", namespace: H, peerName: "port3", peerNamespace: R, peerMaster: "sw1" });
        const before = (await link(R, "port3"))!.ifindex;
        const base = { resourceName: "p3", name: "e3", namespace: H, peerName: "port3", peerNamespace: R };
        let moved: Record<string, unknown> = {};
        const cmds = await commandLog(async () => { moved = await update("VethPair", id, outs, { ...base, peerMaster: "sw2" }); });
        expect(cmds.filter((c) => c.includes("set"))).toEqual([["ip", "-n", R, "link", "set", "dev", "port3", "master", "sw2"]]);
        expect((await link(R, "port3") as { master?: string }).master).toBe("sw2");
        expect(moved).toMatchObject({ peerMaster: "sw2", peerIfindex: before });

        // Left out means "no bridge": a change, and the port leaves.
        const left = await update("VethPair", id, moved, base);
        const y = await link(R, "port3") as { master?: string; ifindex: number };
        expect(y.master).toBeUndefined();
        expect(y.ifindex).toBe(before);
        expect(left.peerMaster).toBeUndefined();
        expect((await providers.VethPair.diff(id, left, await check("VethPair", base))).changes).toBe(false);
    });

    it("refresh sees a port taken off its bridge by hand, and the next diff puts it back", async () => {
        const args = { resourceName: "p4", name: "e4", namespace: H, peerName: "port4", peerNamespace: R, peerMaster: "sw1" };
        const { id, outs } = await create("VethPair", args);
        await sh(["ip", "-n", R, "link", "set", "dev", "port4", "nomaster"]);
        const live = await providers.VethPair.read(id, outs) as { props: Record<string, unknown> };
        expect(live.props.peerMaster).toBeUndefined();
        const d = await providers.VethPair.diff(id, live.props, await check("VethPair", args));
        expect(d).toMatchObject({ changes: true, replaces: [] });
        await providers.VethPair.update(id, live.props, await check("VethPair", args));
        expect((await link(R, "port4") as { master?: string }).master).toBe("sw1");
    });

    it("transactional: a bridge that does not exist fails with a hint and leaves no end behind", async () => {
        const err = await createFails("VethPair", { resourceName: "p5", name: "e5", namespace: H, peerName: "port5", peerNamespace: R, peerMaster: "nosuch" });
        expectErrorShape(err, {
            kind: "VethPair", name: "p5", op: "create",
            command: new RegExp(`^ip -n ${R} -j -d -batch -$`),
            stderr: /Device does not exist/, hint: /the bridge \(master nosuch\) does not exist in that end's namespace/,
        });
        expect(err.input).toBe("link set dev port5 master nosuch up\nlink show dev port5\n");
        expect(await link(H, "e5")).toBeUndefined();
        expect(await link(R, "port5")).toBeUndefined();
    });

    it("refuses a master that is not a bridge, with a hint", async () => {
        await sh(["ip", "-n", R, "link", "add", "name", "du1", "type", "veth", "peer", "name", "du1-peer"]);
        const err = await createFails("VethPair", { resourceName: "p6", name: "e6", namespace: H, peerName: "port6", peerNamespace: R, peerMaster: "du1" });
        expect(err.hint).toMatch(/master must name a bridge; du1 is another kind of interface/);
        expect(await link(R, "port6")).toBeUndefined();
    });
});

describe("Rule", () => {
    it("adds an association rule, from a subnet lookup a table, and reads it back", async () => {
        const { id, outs } = await create("Rule", { resourceName: "assoc", namespace: R, priority: 1000, from: "192.168.1.0/28", lookup: 101 });
        expect(id).toBe(`${R}/1000 from 192.168.1.0/28 to all`);
        expect(await rulesAt(R, 1000)).toEqual([{ priority: 1000, src: "192.168.1.0", srclen: 28, table: "101", protocol: "77" }]);
        expect(outs).toMatchObject({ from: "192.168.1.0/28", to: "all", lookup: 101 });
        expect(await providers.Rule.read(id, outs)).toEqual({ id, props: outs });
    });

    it("adds a to-rule that looks up main, and an unreachable rule", async () => {
        const local = await create("Rule", { resourceName: "local", namespace: R, priority: 100, to: "192.168.0.0/16", lookup: "main" });
        const end = await create("Rule", { resourceName: "end", namespace: R, priority: 32001, from: "192.168.0.0/16", type: "unreachable" });
        expect(await rulesAt(R, 100)).toEqual([{ priority: 100, src: "all", dst: "192.168.0.0", dstlen: 16, table: "main", protocol: "77" }]);
        expect(await rulesAt(R, 32001)).toEqual([{ priority: 32001, src: "192.168.0.0", srclen: 16, action: "unreachable", protocol: "77" }]);
        expect(await providers.Rule.read(local.id, local.outs)).toEqual({ id: local.id, props: local.outs });
        expect(await providers.Rule.read(end.id, end.outs)).toEqual({ id: end.id, props: end.outs });
    });

    it("adds IPv6 rules with -6", async () => {
        const { id, outs } = await create("Rule", { resourceName: "six", namespace: R, priority: 2000, from: "2001:db8:1::/64", lookup: 102 });
        expect(await rulesAt(R, 2000, "-6")).toEqual([{ priority: 2000, src: "2001:db8:1::", srclen: 64, table: "102", protocol: "77" }]);
        expect(await rulesAt(R, 2000, "-4")).toEqual([]);
        expect(await providers.Rule.read(id, outs)).toEqual({ id, props: outs });
        await providers.Rule.delete(id, outs);
        expect(await rulesAt(R, 2000, "-6")).toEqual([]);
    });

    it("reads drift: another table set by hand is reported under lookup; {} once removed", async () => {
        const { id, outs } = await create("Rule", { resourceName: "drift", namespace: R, priority: 1001, from: "192.168.2.0/28", lookup: 101 });
        await sh(["ip", "-n", R, "rule", "del", "from", "192.168.2.0/28", "priority", "1001", "lookup", "101"]);
        expect(await providers.Rule.read(id, outs)).toEqual({});
        await sh(["ip", "-n", R, "rule", "add", "from", "192.168.2.0/28", "priority", "1001", "lookup", "105"]);
        expect(await providers.Rule.read(id, outs)).toEqual({ id, props: { ...outs, lookup: 105 } });
        await sh(["ip", "-n", R, "rule", "del", "from", "192.168.2.0/28", "priority", "1001", "lookup", "105"]);
        await sh(["ip", "-n", R, "rule", "add", "from", "192.168.2.0/28", "priority", "1001", "prohibit"]);
        const { lookup: _dropped, ...rest } = outs;
        expect(await providers.Rule.read(id, outs)).toEqual({ id, props: { ...rest, type: "prohibit" } });
        // A rule at the same priority for other selectors is not this one.
        await sh(["ip", "-n", R, "rule", "del", "from", "192.168.2.0/28", "priority", "1001", "prohibit"]);
        await sh(["ip", "-n", R, "rule", "add", "from", "192.168.3.0/28", "priority", "1001", "lookup", "101"]);
        expect(await providers.Rule.read(id, outs)).toEqual({});
        await sh(["ip", "-n", R, "rule", "del", "from", "192.168.3.0/28", "priority", "1001", "lookup", "101"]);
    });

    it("changes the table in place, adding the new rule before removing the old one", async () => {
        const base = { resourceName: "move", namespace: R, priority: 1002, from: "192.168.4.0/28" };
        const { id, outs } = await create("Rule", { ...base, lookup: 101 });
        let moved: Record<string, unknown> = {};
        const cmds = await commandLog(async () => { moved = await update("Rule", id, outs, { ...base, lookup: 102 }); });
        expect(cmds.filter((c) => c.includes("add") || c.includes("del"))).toEqual([
            ["ip", "-n", R, "-4", "rule", "add", "from", "192.168.4.0/28", "priority", "1002", "lookup", "102", "protocol", "77"],
            ["ip", "-n", R, "-4", "rule", "del", "from", "192.168.4.0/28", "priority", "1002", "lookup", "101"],
        ]);
        expect(await rulesAt(R, 1002)).toEqual([{ priority: 1002, src: "192.168.4.0", srclen: 28, table: "102", protocol: "77" }]);
        expect(moved).toMatchObject({ lookup: 102 });

        const ended = await update("Rule", id, moved, { ...base, type: "blackhole" });
        expect(await rulesAt(R, 1002)).toEqual([{ priority: 1002, src: "192.168.4.0", srclen: 28, action: "blackhole", protocol: "77" }]);
        expect(await providers.Rule.read(id, ended)).toEqual({ id, props: ended });
    });

    itInjecting("an update whose old rule cannot be removed removes the new one again and fails", async () => {
        const base = { resourceName: "stuck", namespace: R, priority: 1003, from: "192.168.5.0/28" };
        const { id, outs } = await create("Rule", { ...base, lookup: 101 });
        const news = await check("Rule", { ...base, lookup: 102 });
        const err = await withFailingIp([["-n", R, "-4", "rule", "del", "from", "192.168.5.0/28", "priority", "1003", "lookup", "101"]],
            () => providers.Rule.update(id, outs, news).then(() => undefined, (e: unknown) => e));
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/^Rule "stuck" update failed \(ip exited 2\)/);
        expect(await rulesAt(R, 1003)).toEqual([{ priority: 1003, src: "192.168.5.0", srclen: 28, table: "101", protocol: "77" }]);
    });

    it("fails with the documented error on a duplicate, accepts it with adopt: true", async () => {
        await sh(["ip", "-n", R, "rule", "add", "from", "192.168.6.0/28", "priority", "1004", "lookup", "101"]);
        const err = await createFails("Rule", { resourceName: "dup", namespace: R, priority: 1004, from: "192.168.6.0/28", lookup: 101 });
        expectErrorShape(err, {
            kind: "Rule", name: "dup", op: "create",
            // Looked for before the add: the kernel would take a twin of another protocol (docs/reference.md, Ownership).
            command: new RegExp(`^ip -n ${R} -j -4 rule show priority 1004$`), exited: false,
            hint: /the rule "1004: from 192\.168\.6\.0\/28 lookup 101" already exists in .*adopt: true/,
        });
        expect(await rulesAt(R, 1004)).toHaveLength(1);
        const { id, outs } = await create("Rule", { resourceName: "dup", namespace: R, priority: 1004, from: "192.168.6.0/28", lookup: 101, adopt: true });
        expect(await rulesAt(R, 1004)).toHaveLength(1);
        expect(await providers.Rule.read(id, outs)).toEqual({ id, props: outs });
    });

    it("transactional: create is one request; in a missing namespace it fails with a hint and makes nothing", async () => {
        const cmds = await commandLog(() => create("Rule", { resourceName: "one", namespace: R, priority: 1005, from: "192.168.7.0/28", lookup: 101 }));
        expect(cmds.filter((c) => c.includes("add"))).toHaveLength(1);
        const err = await createFails("Rule", { resourceName: "nons", namespace: `${prefix}missing`, priority: 1006, lookup: 101 });
        expect(err.hint).toMatch(/the namespace does not exist/);
    });

    it("deletes only its own rule, idempotently, also after its namespace is gone", async () => {
        const mine = await create("Rule", { resourceName: "del", namespace: R, priority: 1007, from: "192.168.8.0/28", lookup: 101 });
        await sh(["ip", "-n", R, "rule", "add", "from", "192.168.8.0/28", "priority", "1007", "lookup", "109"]);
        await providers.Rule.delete(mine.id, mine.outs);
        expect(await rulesAt(R, 1007)).toEqual([{ priority: 1007, src: "192.168.8.0", srclen: 28, table: "109" }]);
        await providers.Rule.delete(mine.id, mine.outs);
        // What is left at its priority, for its selectors, is read as this rule changed by hand
        // (one managed rule per priority): refresh reports lookup 109, and up would set 101 again.
        expect(await providers.Rule.read(mine.id, mine.outs)).toEqual({ id: mine.id, props: { ...mine.outs, lookup: 109 } });
        await sh(["ip", "-n", R, "rule", "del", "from", "192.168.8.0/28", "priority", "1007", "lookup", "109"]);
        expect(await providers.Rule.read(mine.id, mine.outs)).toEqual({});

        const tmp = await makeNamespace(`${prefix}tmp2`);
        const t = await create("Rule", { resourceName: "gone", namespace: tmp, priority: 10, lookup: 101 });
        await removeNamespace(tmp);
        expect(await providers.Rule.read(t.id, t.outs)).toEqual({});
        await providers.Rule.delete(t.id, t.outs);
    });
});
