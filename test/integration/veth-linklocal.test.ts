// VethPair: a new MAC renews the end's EUI-64 link-local address (the kernel makes it only when
// the link comes up), in place: the ifindex, the static IPv6 address and the routes of the end
// stay, the other end is untouched. Inspected with `ip -j` in the namespaces, never through the
// provider's read.
import { beforeAll, describe, expect, it } from "vitest";
import { eui64LinkLocal } from "../../provider/kinds/eui64";

import { filePrefix } from "../support/prefix";
import { fileLifecycle } from "../support/lifecycle";
import { create, ipj, link, makeNamespace, sh, update } from "./helpers";

const prefix = filePrefix("vll");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] }); // leak check, then clean-up (test/support/lifecycle.ts)

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
});

/** The IPv6 addresses of an interface, by scope. */
async function inet6(ns: string, dev: string): Promise<{ link: string[]; global: string[] }> {
    const [l] = await ipj<{ addr_info?: { family?: string; local?: string; scope?: string }[] }>(ns, ["address", "show", "dev", dev]);
    const six = (l?.addr_info ?? []).filter((a) => a.family === "inet6");
    return { link: six.filter((a) => a.scope === "link").map((a) => a.local!), global: six.filter((a) => a.scope === "global").map((a) => a.local!) };
}

describe("VethPair: a new MAC and the link-local address", () => {
    it("the kernel makes the link-local address from the MAC given at create (the seed's example)", async () => {
        await create("VethPair", { resourceName: "s1", name: "s1a", namespace: A, peerName: "s1b", peerNamespace: B, address: "00:0b:97:28:c6:d5" });
        expect((await inet6(A, "s1a")).link).toEqual(["fe80::20b:97ff:fe28:c6d5"]);
    });

    it("a new MAC on an up end: its link-local address follows; ifindex, static address and routes stay; the peer is untouched", async () => {
        const args = { resourceName: "m1", name: "m1a", namespace: A, peerName: "m1b", peerNamespace: B, address: "00:0b:97:28:c6:d5", peerAddress: "02:00:00:00:0c:02" };
        const { id, outs } = await create("VethPair", args);
        await sh(["ip", "-n", A, "address", "add", "2001:db8:0:1::1/64", "dev", "m1a", "nodad"]);
        await sh(["ip", "-n", A, "-6", "route", "add", "2001:db8:0:2::/64", "via", "2001:db8:0:1::254"]);
        const before = { a: await link(A, "m1a"), b: await link(B, "m1b"), peerLl: (await inet6(B, "m1b")).link };
        expect((await inet6(A, "m1a")).link).toEqual(["fe80::20b:97ff:fe28:c6d5"]);

        await update("VethPair", id, outs, { ...args, address: "00:00:5e:00:53:01" });

        const a = await link(A, "m1a");
        expect(a!.ifindex).toBe(before.a!.ifindex);
        expect(a!.address).toBe("00:00:5e:00:53:01");
        expect(await inet6(A, "m1a")).toEqual({ link: [eui64LinkLocal("00:00:5e:00:53:01")], global: ["2001:db8:0:1::1"] });
        expect(eui64LinkLocal("00:00:5e:00:53:01")).toBe("fe80::200:5eff:fe00:5301");
        const routes = await ipj<{ dst: string; gateway?: string }>(A, ["-6", "route", "show", "2001:db8:0:2::/64"]);
        expect(routes.map((r) => [r.dst, r.gateway])).toEqual([["2001:db8:0:2::/64", "2001:db8:0:1::254"]]);
        expect(await link(B, "m1b")).toEqual(before.b);
        expect((await inet6(B, "m1b")).link).toEqual(before.peerLl);
    });

    it("a new MAC on an end set down in the same update: nothing to renew; up again, the kernel makes it from the new MAC", async () => {
        const args = { resourceName: "m2", name: "m2a", namespace: A, peerName: "m2b", peerNamespace: B, address: "00:0b:97:28:c6:d6" };
        const { id, outs } = await create("VethPair", args);
        const down = await update("VethPair", id, outs, { ...args, address: "00:00:5e:00:53:02", up: false });
        expect((await inet6(A, "m2a")).link).toEqual([]);
        await update("VethPair", id, down, { ...args, address: "00:00:5e:00:53:02", up: true });
        expect((await inet6(A, "m2a")).link).toEqual(["fe80::200:5eff:fe00:5302"]);
    });

    it("an end whose link-local address is not made from its MAC (addr_gen_mode none): a new MAC adds none", async () => {
        const args = { resourceName: "m3", name: "m3a", namespace: A, peerName: "m3b", peerNamespace: B, address: "00:0b:97:28:c6:d7" };
        const { id, outs } = await create("VethPair", args);
        await sh(["ip", "-n", A, "link", "set", "dev", "m3a", "addrgenmode", "none"]);
        await sh(["ip", "-n", A, "address", "flush", "dev", "m3a", "scope", "link"]);
        await update("VethPair", id, outs, { ...args, address: "00:00:5e:00:53:03" });
        expect((await inet6(A, "m3a")).link).toEqual([]);
        expect((await link(A, "m3a"))!.address).toBe("00:00:5e:00:53:03");
    });
});
