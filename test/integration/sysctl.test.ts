// Sysctl against the real kernel: providers.Sysctl, as the engine calls it. Values are read with
// `cat /proc/sys/...` inside the namespace (not with the provider's sysctl), and the host's own
// values are checked to be untouched.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { check, create, createFails, expectErrorShape, hostProcSys, makeNamespace, procSys, removeNamespace, sh, update } from "./helpers";

const prefix = filePrefix("sysctl");
const A = `${prefix}a`;
fileLifecycle(prefix, { fixtures: [A] }); // A is made in beforeAll; anything else with the prefix is a leak

const KEYS = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.ip_local_port_range", "net.core.somaxconn", "net.ipv4.conf.all.rp_filter", "net.ipv4.icmp_echo_ignore_all"];
const hostBefore = Object.fromEntries(KEYS.map((k) => [k, hostProcSys(k)]));

beforeAll(async () => {
    await makeNamespace(A);
});

describe("Sysctl create", () => {
    it("sets the value in the namespace and records the previous one", async () => {
        const before = await procSys(A, "net.ipv4.ip_forward");
        expect(before).toBe("0");
        const { id, outs } = await create("Sysctl", { resourceName: "fwd", namespace: A, key: "net.ipv4.ip_forward", value: "1" });
        expect(id).toBe(`${A}/net.ipv4.ip_forward`);
        expect(outs).toMatchObject({ key: "net.ipv4.ip_forward", value: "1", previous: "0" });
        expect(await procSys(A, "net.ipv4.ip_forward")).toBe("1");
        expect(hostProcSys("net.ipv4.ip_forward")).toBe(hostBefore["net.ipv4.ip_forward"]);
    });

    it("sets IPv6 and multi-value keys, normalizing the recorded previous value", async () => {
        const before = await procSys(A, "net.ipv4.ip_local_port_range");
        const six = await create("Sysctl", { resourceName: "fwd6", namespace: A, key: "net.ipv6.conf.all.forwarding", value: "1" });
        expect(six.outs).toMatchObject({ previous: "0" });
        expect(await procSys(A, "net.ipv6.conf.all.forwarding")).toBe("1");

        const range = await create("Sysctl", { resourceName: "ports", namespace: A, key: "net.ipv4.ip_local_port_range", value: "20000 30000" });
        expect(range.outs).toMatchObject({ value: "20000 30000", previous: before });
        expect(range.outs.previous).toMatch(/^\d+ \d+$/);
        expect(await procSys(A, "net.ipv4.ip_local_port_range")).toBe("20000 30000");
        expect(await providers.Sysctl.read(range.id, range.outs)).toEqual({ id: range.id, props: range.outs });
    });

    it("sets a per-interface key", async () => {
        await sh(["ip", "-n", A, "link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
        const { outs } = await create("Sysctl", { resourceName: "rp", namespace: A, key: "net.ipv4.conf.v0.rp_filter", value: "2" });
        expect(await procSys(A, "net.ipv4.conf.v0.rp_filter")).toBe("2");
        expect(outs).toMatchObject({ value: "2" });
    });

    it("records the previous value also when it already is the one asked", async () => {
        const { outs } = await create("Sysctl", { resourceName: "same", namespace: A, key: "net.ipv4.icmp_echo_ignore_all", value: "0" });
        expect(outs).toMatchObject({ value: "0", previous: "0" });
        expect(await procSys(A, "net.ipv4.icmp_echo_ignore_all")).toBe("0");
    });

    it("check refuses keys that are not per network namespace", async () => {
        const r = await providers.Sysctl.check({}, { resourceName: "host", namespace: A, key: "kernel.hostname", value: "x" });
        expect(r.failures).toEqual([expect.objectContaining({ property: "key" })]);
        const g = await providers.Sysctl.check({}, { resourceName: "host", namespace: A, key: "net.core.rmem_max", value: "1" });
        expect(g.failures).toEqual([expect.objectContaining({ property: "key" })]);
    });

    it("fails with the documented error for a key the kernel does not have", async () => {
        const err = await createFails("Sysctl", { resourceName: "nokey", namespace: A, key: "net.ipv4.no_such_key", value: "1" });
        expectErrorShape(err, {
            kind: "Sysctl", name: "nokey", op: "create",
            command: new RegExp(`^ip netns exec ${A} sysctl -n net\\.ipv4\\.no_such_key$`),
            stderr: /cannot stat|No such file/,
            hint: /does not exist in .*\/proc\/sys/,
        });
    });

    it("fails with the documented error for a value the kernel refuses, and leaves the value as it was", async () => {
        const before = await procSys(A, "net.ipv4.conf.all.rp_filter");
        const err = await createFails("Sysctl", { resourceName: "bad", namespace: A, key: "net.ipv4.conf.all.rp_filter", value: "abc" });
        expectErrorShape(err, {
            kind: "Sysctl", name: "bad", op: "create",
            command: new RegExp(`^ip netns exec ${A} sysctl -q -w net\\.ipv4\\.conf\\.all\\.rp_filter=abc$`),
            stderr: /Invalid argument/,
            hint: /refused the value "abc"/,
        });
        expect(await procSys(A, "net.ipv4.conf.all.rp_filter")).toBe(before);
    });

    it("fails with a hint when the namespace does not exist", async () => {
        const err = await createFails("Sysctl", { resourceName: "nons", namespace: `${prefix}nowhere`, key: "net.ipv4.ip_forward", value: "1" });
        expectErrorShape(err, {
            kind: "Sysctl", name: "nons", op: "create",
            command: /sysctl -n net\.ipv4\.ip_forward$/,
            stderr: /Cannot open network namespace/,
            hint: /the namespace does not exist/,
        });
    });
});

describe("Sysctl read", () => {
    it("returns the live value and reports a value changed by hand", async () => {
        const B = await makeNamespace(`${prefix}rb`);
        const { id, outs } = await create("Sysctl", { resourceName: "r", namespace: B, key: "net.ipv4.ip_forward", value: "1" });
        expect(await providers.Sysctl.read(id, outs)).toEqual({ id, props: outs });

        await sh(["ip", "netns", "exec", B, "sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"]);
        expect(await providers.Sysctl.read(id, outs)).toEqual({ id, props: { ...outs, value: "0" } });
        await removeNamespace(B);
    });

    it("returns {} once its namespace was removed, or its interface key is gone", async () => {
        const B = await makeNamespace(`${prefix}rg`);
        const { id, outs } = await create("Sysctl", { resourceName: "g", namespace: B, key: "net.ipv4.ip_forward", value: "1" });
        await sh(["ip", "-n", B, "link", "add", "w0", "type", "veth", "peer", "name", "w1"]);
        const dev = await create("Sysctl", { resourceName: "gd", namespace: B, key: "net.ipv4.conf.w0.forwarding", value: "1" });
        await sh(["ip", "-n", B, "link", "del", "dev", "w0"]);
        expect(await providers.Sysctl.read(dev.id, dev.outs)).toEqual({});

        await removeNamespace(B);
        expect(await providers.Sysctl.read(id, outs)).toEqual({});
    });
});

describe("Sysctl update", () => {
    it("changes the value in place and keeps the value recorded before create", async () => {
        const B = await makeNamespace(`${prefix}ub`);
        const base = { resourceName: "u", namespace: B, key: "net.core.somaxconn" };
        const before = await procSys(B, "net.core.somaxconn");
        const { id, outs } = await create("Sysctl", { ...base, value: "1000" });
        expect(outs).toMatchObject({ previous: before });

        const after = await update("Sysctl", id, outs, { ...base, value: "2000" });
        expect(await procSys(B, "net.core.somaxconn")).toBe("2000");
        expect(after).toMatchObject({ value: "2000", previous: before });

        await providers.Sysctl.delete(id, after);
        expect(await procSys(B, "net.core.somaxconn")).toBe(before);
        await removeNamespace(B);
    });

    it("diff replaces on a key change and updates a value change", async () => {
        const olds = await check("Sysctl", { resourceName: "d", namespace: A, key: "net.ipv4.ip_forward", value: "1" });
        expect(await providers.Sysctl.diff("x", { ...olds, previous: "0" }, { ...olds, value: "0" })).toMatchObject({ changes: true, replaces: [] });
        expect(await providers.Sysctl.diff("x", { ...olds, previous: "0" }, { ...olds, key: "net.ipv4.conf.all.forwarding" })).toMatchObject({ changes: true, replaces: ["key"] });
        expect(await providers.Sysctl.diff("x", { ...olds, previous: "0" }, olds)).toMatchObject({ changes: false });
    });
});

describe("Sysctl delete", () => {
    it("restores the previous value, and deleting twice is success", async () => {
        const B = await makeNamespace(`${prefix}xb`);
        const { id, outs } = await create("Sysctl", { resourceName: "x", namespace: B, key: "net.ipv4.ip_forward", value: "1" });
        const range = await create("Sysctl", { resourceName: "xr", namespace: B, key: "net.ipv4.ip_local_port_range", value: "40000 50000" });
        expect(await procSys(B, "net.ipv4.ip_forward")).toBe("1");

        await providers.Sysctl.delete(id, outs);
        await providers.Sysctl.delete(range.id, range.outs);
        expect(await procSys(B, "net.ipv4.ip_forward")).toBe("0");
        expect(await procSys(B, "net.ipv4.ip_local_port_range")).toBe(range.outs.previous);

        await expect(providers.Sysctl.delete(id, outs)).resolves.toBeUndefined();
        expect(await procSys(B, "net.ipv4.ip_forward")).toBe("0");
        await removeNamespace(B);
    });

    it("succeeds after the namespace was removed by hand", async () => {
        const B = await makeNamespace(`${prefix}xn`);
        const { id, outs } = await create("Sysctl", { resourceName: "xn", namespace: B, key: "net.ipv4.ip_forward", value: "1" });
        await removeNamespace(B);
        await expect(providers.Sysctl.delete(id, outs)).resolves.toBeUndefined();
    });

    it("succeeds when the interface of an interface key is gone", async () => {
        const B = await makeNamespace(`${prefix}xi`);
        await sh(["ip", "-n", B, "link", "add", "w0", "type", "veth", "peer", "name", "w1"]);
        const { id, outs } = await create("Sysctl", { resourceName: "xi", namespace: B, key: "net.ipv4.conf.w0.forwarding", value: "1" });
        await sh(["ip", "-n", B, "link", "del", "dev", "w0"]);
        await expect(providers.Sysctl.delete(id, outs)).resolves.toBeUndefined();
        await removeNamespace(B);
    });
});

describe("the host", () => {
    // Runs last: nothing this file did may have changed a setting of the host's own namespace
    // (the file's leak check compares the run's snapshot too, after this).
    it("keeps the values it had before this file, for every key the tests set", () => {
        expect(Object.fromEntries(KEYS.map((k) => [k, hostProcSys(k)]))).toEqual(hostBefore);
    });
});
