// Address against the real kernel: providers.Address, as the engine calls it. Addresses are
// inspected with `ip -j address show`, and used (ping between our own namespaces) at once.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { exec } from "../../provider/host/run";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { create, createFails, expectErrorShape, ipj, makeNamespace, removeNamespace, sh } from "./helpers";

const prefix = filePrefix("addr");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] }); // A and B are made in beforeAll; anything else with the prefix is a leak

interface AddrInfo { family: string; local: string; prefixlen: number; tentative?: boolean; dadfailed?: boolean; nodad?: boolean }

/** The addresses on a device, as `ip -j address show` lists them ([] when the device or namespace is gone). */
async function addrs(ns: string, dev: string): Promise<AddrInfo[]> {
    return (await ipj<{ addr_info: AddrInfo[] }>(ns, ["address", "show", "dev", dev])).flatMap((l) => l.addr_info);
}

async function find(ns: string, dev: string, local: string, prefixlen: number): Promise<AddrInfo[]> {
    return (await addrs(ns, dev)).filter((a) => a.local === local && a.prefixlen === prefixlen);
}

/** A pair made by hand: e0 in A, e1 in B, both up. */
async function cable(n: string): Promise<void> {
    await sh(["ip", "-n", A, "link", "add", `${n}0`, "up", "type", "veth", "peer", "name", `${n}1`, "netns", B]);
    await sh(["ip", "-n", B, "link", "set", "dev", `${n}1`, "up"]);
}

async function ping(ns: string, to: string): Promise<number> {
    const r = await exec({ kind: "Test", name: "ping", op: "read" }, ["ip", "netns", "exec", ns, "ping", "-n", "-c", "1", "-W", "2", to]);
    return r.exitCode;
}

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
    await cable("e");
});

describe("Address create", () => {
    it("puts an IPv4 address on the interface, usable at once", async () => {
        const { id, outs } = await create("Address", { resourceName: "v4a", namespace: A, dev: "e0", address: "192.0.2.1/24" });
        expect(id).toBe(`${A}/e0/192.0.2.1/24`);
        expect(outs).toMatchObject({ namespace: A, dev: "e0", address: "192.0.2.1/24" });
        expect(await find(A, "e0", "192.0.2.1", 24)).toEqual([expect.objectContaining({ family: "inet" })]);

        await create("Address", { resourceName: "v4b", namespace: B, dev: "e1", address: "192.0.2.2/24" });
        expect(await find(B, "e1", "192.0.2.2", 24)).toHaveLength(1);
        expect(await ping(A, "192.0.2.2")).toBe(0);
    });

    it("puts an IPv6 address on the interface, not tentative, usable at once", async () => {
        await create("Address", { resourceName: "v6a", namespace: A, dev: "e0", address: "2001:db8:1::1/64" });
        await create("Address", { resourceName: "v6b", namespace: B, dev: "e1", address: "2001:db8:1::2/64" });
        // Straight after create, without waiting for duplicate address detection.
        const [a] = await find(A, "e0", "2001:db8:1::1", 64);
        const [b] = await find(B, "e1", "2001:db8:1::2", 64);
        for (const x of [a, b]) {
            expect(x).toMatchObject({ family: "inet6" });
            expect(x?.tentative).toBeFalsy();
            expect(x?.dadfailed).toBeFalsy();
        }
        expect(await ping(A, "2001:db8:1::2")).toBe(0);
    });

    it("accepts an IPv6 address written in a non-canonical form", async () => {
        const { id, outs } = await create("Address", { resourceName: "v6c", namespace: A, dev: "e0", address: "2001:0db8:0001:0:0::7/64" });
        expect(await find(A, "e0", "2001:db8:1::7", 64)).toHaveLength(1);
        expect(await providers.Address.read(id, outs)).toEqual({ id, props: outs });
        await providers.Address.delete(id, outs);
        expect(await find(A, "e0", "2001:db8:1::7", 64)).toEqual([]);
    });

    it("fails with the documented error when the IPv4 address is already there", async () => {
        await sh(["ip", "-n", A, "address", "add", "203.0.113.1/24", "dev", "e0"]);
        const err = await createFails("Address", { resourceName: "dup4", namespace: A, dev: "e0", address: "203.0.113.1/24" });
        expectErrorShape(err, {
            kind: "Address", name: "dup4", op: "create",
            command: new RegExp(`^ip -n ${A} address add 203.0.113.1/24 dev e0$`),
            stderr: /File exists|already assigned/,
            hint: /already on e0.*adopt: true/,
        });
        expect(await find(A, "e0", "203.0.113.1", 24)).toHaveLength(1);
    });

    it("fails with the documented error when the IPv6 address is already there", async () => {
        await sh(["ip", "-n", A, "address", "add", "2001:db8:3::1/64", "dev", "e0", "nodad"]);
        const err = await createFails("Address", { resourceName: "dup6", namespace: A, dev: "e0", address: "2001:db8:3::1/64" });
        expectErrorShape(err, {
            kind: "Address", name: "dup6", op: "create",
            command: new RegExp(`^ip -n ${A} address add 2001:db8:3::1/64 dev e0 nodad$`),
            stderr: /File exists|already assigned/,
            hint: /already on e0.*adopt: true/,
        });
    });

    it("adopt: true takes over an address that is already there, IPv4 and IPv6", async () => {
        await sh(["ip", "-n", A, "address", "add", "203.0.113.2/24", "dev", "e0"]);
        await sh(["ip", "-n", A, "address", "add", "2001:db8:3::2/64", "dev", "e0", "nodad"]);
        const v4 = await create("Address", { resourceName: "ad4", namespace: A, dev: "e0", address: "203.0.113.2/24", adopt: true });
        const v6 = await create("Address", { resourceName: "ad6", namespace: A, dev: "e0", address: "2001:db8:3::2/64", adopt: true });
        expect(await find(A, "e0", "203.0.113.2", 24)).toHaveLength(1);
        expect(await find(A, "e0", "2001:db8:3::2", 64)).toHaveLength(1);
        expect(await providers.Address.read(v4.id, v4.outs)).toEqual({ id: v4.id, props: v4.outs });
        // Adopted, it is managed: delete removes it.
        await providers.Address.delete(v4.id, v4.outs);
        await providers.Address.delete(v6.id, v6.outs);
        expect(await find(A, "e0", "203.0.113.2", 24)).toEqual([]);
        expect(await find(A, "e0", "2001:db8:3::2", 64)).toEqual([]);
    });

    it("fails with a hint when the device does not exist, and adds nothing", async () => {
        const err = await createFails("Address", { resourceName: "nodev", namespace: A, dev: "nosuch0", address: "198.51.100.1/24" });
        expectErrorShape(err, {
            kind: "Address", name: "nodev", op: "create",
            command: new RegExp(`^ip -n ${A} address add 198.51.100.1/24 dev nosuch0$`),
            stderr: /Cannot find device/,
            hint: /no interface nosuch0 in/,
        });
        const all = await ipj<{ addr_info: AddrInfo[] }>(A, ["address", "show"]);
        expect(all.flatMap((l) => l.addr_info).map((a) => a.local)).not.toContain("198.51.100.1");
    });

    it("fails with a hint when the namespace does not exist", async () => {
        const err = await createFails("Address", { resourceName: "nons", namespace: `${prefix}nowhere`, dev: "e0", address: "198.51.100.1/24" });
        expectErrorShape(err, {
            kind: "Address", name: "nons", op: "create",
            command: /address add 198\.51\.100\.1\/24 dev e0$/,
            stderr: /Cannot open network namespace/,
            hint: /the namespace does not exist/,
        });
    });
});

describe("Address read", () => {
    it("returns the live address, and {} once it was removed by hand", async () => {
        await cable("r");
        const { id, outs } = await create("Address", { resourceName: "r4", namespace: A, dev: "r0", address: "198.51.100.1/24" });
        const six = await create("Address", { resourceName: "r6", namespace: A, dev: "r0", address: "2001:db8:4::1/64" });
        expect(await providers.Address.read(id, outs)).toEqual({ id, props: outs });
        expect(await providers.Address.read(six.id, six.outs)).toEqual({ id: six.id, props: six.outs });

        await sh(["ip", "-n", A, "address", "del", "198.51.100.1/24", "dev", "r0"]);
        await sh(["ip", "-n", A, "address", "del", "2001:db8:4::1/64", "dev", "r0"]);
        expect(await providers.Address.read(id, outs)).toEqual({});
        expect(await providers.Address.read(six.id, six.outs)).toEqual({});
    });

    it("does not mistake the same address with another prefix length for it", async () => {
        const { id, outs } = await create("Address", { resourceName: "rp", namespace: A, dev: "r0", address: "198.51.100.9/24" });
        await sh(["ip", "-n", A, "address", "del", "198.51.100.9/24", "dev", "r0"]);
        await sh(["ip", "-n", A, "address", "add", "198.51.100.9/25", "dev", "r0"]);
        expect(await providers.Address.read(id, outs)).toEqual({});
    });

    it("returns {} once its device or its namespace is gone", async () => {
        const C = await makeNamespace(`${prefix}rc`);
        await sh(["ip", "-n", C, "link", "add", "g0", "up", "type", "veth", "peer", "name", "g1"]);
        const one = await create("Address", { resourceName: "rg", namespace: C, dev: "g0", address: "203.0.113.9/24" });
        await sh(["ip", "-n", C, "link", "del", "dev", "g0"]);
        expect(await providers.Address.read(one.id, one.outs)).toEqual({});

        await sh(["ip", "-n", C, "link", "add", "g0", "up", "type", "veth", "peer", "name", "g1"]);
        const two = await create("Address", { resourceName: "rg", namespace: C, dev: "g0", address: "203.0.113.9/24" });
        await removeNamespace(C);
        expect(await providers.Address.read(two.id, two.outs)).toEqual({});
    });

    it("diff replaces on any input change and ignores adopt", async () => {
        const olds = { resourceName: "d", namespace: A, dev: "e0", address: "192.0.2.1/24", adopt: false };
        expect(await providers.Address.diff("x", olds, { ...olds, address: "192.0.2.3/24" })).toMatchObject({ changes: true, replaces: ["address"] });
        expect(await providers.Address.diff("x", olds, { ...olds, adopt: true })).toMatchObject({ changes: false });
    });
});

describe("Address delete", () => {
    it("removes the address and is idempotent, IPv4 and IPv6", async () => {
        await cable("x");
        for (const [address, local, len] of [["192.0.2.65/26", "192.0.2.65", 26], ["2001:db8:5::1/64", "2001:db8:5::1", 64]] as const) {
            const { id, outs } = await create("Address", { resourceName: "del", namespace: A, dev: "x0", address });
            expect(await find(A, "x0", local, len)).toHaveLength(1);
            await providers.Address.delete(id, outs);
            expect(await find(A, "x0", local, len)).toEqual([]);
            await expect(providers.Address.delete(id, outs)).resolves.toBeUndefined();
        }
    });

    it("succeeds when the device or the namespace was removed by hand", async () => {
        const C = await makeNamespace(`${prefix}xc`);
        await sh(["ip", "-n", C, "link", "add", "h0", "up", "type", "veth", "peer", "name", "h1"]);
        const one = await create("Address", { resourceName: "xd", namespace: C, dev: "h0", address: "203.0.113.17/28" });
        await sh(["ip", "-n", C, "link", "del", "dev", "h0"]);
        await expect(providers.Address.delete(one.id, one.outs)).resolves.toBeUndefined();

        await sh(["ip", "-n", C, "link", "add", "h0", "up", "type", "veth", "peer", "name", "h1"]);
        const two = await create("Address", { resourceName: "xn", namespace: C, dev: "h0", address: "2001:db8:6::1/64" });
        await removeNamespace(C);
        await expect(providers.Address.delete(two.id, two.outs)).resolves.toBeUndefined();
    });
});
