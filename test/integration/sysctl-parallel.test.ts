// Writers in one namespace at the same time, as the engine's parallelism runs them: Sysctls whose
// keys the kernel writes together (a write of net.ipv4.conf.all.forwarding sets
// conf.default.forwarding and every conf.DEV.forwarding), with Addresses and Routes next to them.
// Whatever destroy restores must be the value from before the stack touched it. Each namespace is
// made by hand and starts with conf.default.forwarding = 1 while all is 0, so that a restore of
// `all` that overwrites `default` shows.
import { describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { check, ipj, makeNamespace, procSys, removeNamespace, sh } from "./helpers";

const prefix = filePrefix("rdsys");
fileLifecycle(prefix);

type Props = Record<string, unknown>;
const KEYS = ["net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding", "net.ipv4.conf.lo.forwarding", "net.ipv6.conf.all.forwarding", "net.ipv6.conf.default.forwarding"];

/** A namespace made by hand, with a veth pair inside it and default.forwarding (v4 and v6) set to 1. */
async function namespace(tag: string): Promise<string> {
    const ns = await makeNamespace(`${prefix}${tag}`);
    await sh(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.conf.default.forwarding=1", "net.ipv6.conf.default.forwarding=1"]);
    await sh(["ip", "-n", ns, "link", "add", "rdp0", "up", "type", "veth", "peer", "name", "rdp1"]);
    await sh(["ip", "-n", ns, "link", "set", "dev", "rdp1", "up"]);
    return ns;
}

async function values(ns: string): Promise<Record<string, string>> {
    return Object.fromEntries(await Promise.all(KEYS.map(async (k) => [k, await procSys(ns, k)] as const)));
}

async function createSysctl(ns: string, name: string, key: string, value: string): Promise<{ id: string; outs: Props }> {
    const inputs = await check("Sysctl", { resourceName: name, namespace: ns, key, value });
    return providers.Sysctl.create(inputs);
}

describe("Sysctls of coupled keys in one namespace", () => {
    it("a key created after the all key records the value from before it, and destroy (the all key's delete first) restores every value", async () => {
        const ns = await namespace("seq");
        try {
            const before = await values(ns);
            expect(before["net.ipv4.conf.default.forwarding"]).toBe("1");
            const all = await createSysctl(ns, "all", "net.ipv4.conf.all.forwarding", "1");
            const dflt = await createSysctl(ns, "dflt", "net.ipv4.conf.default.forwarding", "0");
            const lo = await createSysctl(ns, "lo", "net.ipv4.conf.lo.forwarding", "0");
            expect(all.outs.previous).toBe("0");
            // Not the all key's write (1 for lo): the value from before the stack touched it.
            expect(dflt.outs.previous).toBe("1");
            expect(lo.outs.previous).toBe("0");
            await providers.Sysctl.delete(all.id, all.outs);
            await providers.Sysctl.delete(dflt.id, dflt.outs);
            await providers.Sysctl.delete(lo.id, lo.outs);
            expect(await values(ns)).toEqual(before);
        } finally {
            await removeNamespace(ns);
        }
    });

    it("the all key's delete last: its restore, which the kernel writes to default and every interface, leaves each as it was", async () => {
        const ns = await namespace("last");
        try {
            const before = await values(ns);
            const all = await createSysctl(ns, "all", "net.ipv4.conf.all.forwarding", "1");
            const dflt = await createSysctl(ns, "dflt", "net.ipv4.conf.default.forwarding", "0");
            await providers.Sysctl.delete(dflt.id, dflt.outs);
            await providers.Sysctl.delete(all.id, all.outs);
            expect(await values(ns)).toEqual(before);
        } finally {
            await removeNamespace(ns);
        }
    });

    it("issue 21 item 19: creates and deletes all at once (Promise.all, as the engine runs them), with Addresses and Routes in the same namespace", async () => {
        const ns = await namespace("par");
        try {
            const before = await values(ns);
            const sysctls: [string, string, string][] = [
                ["all4", "net.ipv4.conf.all.forwarding", "1"], ["dflt4", "net.ipv4.conf.default.forwarding", "0"], ["lo4", "net.ipv4.conf.lo.forwarding", "0"],
                ["all6", "net.ipv6.conf.all.forwarding", "1"], ["dflt6", "net.ipv6.conf.default.forwarding", "0"],
            ];
            const addresses = ["192.0.2.1/24", "192.0.2.2/24", "2001:db8:1::1/64", "2001:db8:1::2/64"];
            const routes = [["198.51.100.0/26", "192.0.2.254"], ["198.51.100.64/26", "192.0.2.253"], ["2001:db8:2::/64", "2001:db8:1::fe"]];
            const made = await Promise.all([
                ...sysctls.map(([name, key, value]) => createSysctl(ns, name, key, value).then((r) => ({ kind: "Sysctl" as const, ...r }))),
                ...addresses.map(async (address, i) => ({ kind: "Address" as const, ...(await providers.Address.create(await check("Address", { resourceName: `ip${i}`, namespace: ns, dev: "rdp0", address }))) })),
            ]);
            const madeRoutes = await Promise.all(routes.map(async ([to, via], i) => ({ kind: "Route" as const, ...(await providers.Route.create(await check("Route", { resourceName: `r${i}`, namespace: ns, to, via, dev: "rdp0" }))) })));
            // Each Sysctl recorded the value from before any of them wrote.
            const previous = Object.fromEntries(made.filter((m) => m.kind === "Sysctl").map((m) => [m.outs.key, m.outs.previous]));
            expect(previous).toEqual(Object.fromEntries(sysctls.map(([, key]) => [key, before[key]])));
            expect((await ipj<{ addr_info: { local: string }[] }>(ns, ["address", "show", "dev", "rdp0"]))[0]?.addr_info.map((a) => a.local)).toEqual(expect.arrayContaining(["192.0.2.1", "192.0.2.2", "2001:db8:1::1", "2001:db8:1::2"]));
            // Deletes at once, the dependents (routes) first as the engine orders them; the default keys before the all keys.
            await Promise.all(madeRoutes.map((m) => providers.Route.delete(m.id, m.outs)));
            const order = [...made].sort((a, b) => Number(String(a.outs.key ?? "").includes(".all.")) - Number(String(b.outs.key ?? "").includes(".all.")));
            await Promise.all(order.map((m) => providers[m.kind].delete(m.id, m.outs)));
            expect(await values(ns)).toEqual(before);
            expect((await ipj<{ addr_info: { local: string; scope: string }[] }>(ns, ["address", "show", "dev", "rdp0"]))[0]?.addr_info.filter((a) => a.scope === "global")).toEqual([]);
        } finally {
            await removeNamespace(ns);
        }
    }, 30_000);
});
