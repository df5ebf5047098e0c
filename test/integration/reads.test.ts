// A failed read is no answer (provider/host/reads.ts): refresh must not report it as "deleted", and a
// delete that asks first whose the namespace is must not go ahead when it cannot tell. Faults are
// injected with an `ip` on PATH that fails one command (helpers.ts withFailingIp); the precise
// "gone" cases (namespace file absent, device does not exist) still read as gone.
import { beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { NetnsError } from "../../provider/host/run";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { create, expectErrorShape, ipj, makeNamespace, removeNamespace, sh, withFailingIp } from "./helpers";

const prefix = filePrefix("rd");
const A = `${prefix}a`;
const B = `${prefix}b`;
fileLifecycle(prefix, { fixtures: [A, B] });

const mine = { project: "readstest", stack: "a" };

beforeAll(async () => {
    await create("Namespace", { resourceName: "na", name: A, __owner: mine });
    await create("Namespace", { resourceName: "nb", name: B, __owner: mine });
});

/** The promise's rejection, which must be a NetnsError. */
async function rejection(p: Promise<unknown>): Promise<NetnsError> {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e, "expected the call to fail").toBeInstanceOf(NetnsError);
    return e as NetnsError;
}

describe("a read that fails is not 'gone'", () => {
    it("VethPair, Bridge, Address, Route, Rule and Sysctl read throw the command and its stderr instead of returning {}", async () => {
        const v = await create("VethPair", { resourceName: "cable", name: "rd0", namespace: A, peerName: "rd1", peerNamespace: B, __owner: mine });
        const br = await create("Bridge", { resourceName: "br", name: "rdbr", namespace: B, __owner: mine });
        const ad = await create("Address", { resourceName: "ip", namespace: A, dev: "rd0", address: "192.0.2.1/24", __owner: mine });
        const ro = await create("Route", { resourceName: "r", namespace: A, to: "198.51.100.0/24", dev: "rd0", __owner: mine });
        const ru = await create("Rule", { resourceName: "rule", namespace: A, priority: 120, from: "192.0.2.0/24", lookup: 100, __owner: mine });
        const sy = await create("Sysctl", { resourceName: "fwd", namespace: A, key: "net.ipv4.ip_forward", value: "1", __owner: mine });

        const cases: [string, string[], () => Promise<unknown>, RegExp][] = [
            ["VethPair", ["-n", A, "-j", "-d", "link", "show", "dev", "rd0"], () => providers.VethPair.read(v.id, v.outs), /could not read interface rd0/],
            ["Bridge", ["-n", B, "-j", "-d", "link", "show", "dev", "rdbr"], () => providers.Bridge.read(br.id, br.outs), /could not read bridge rdbr/],
            ["Address", ["-n", A, "-j", "address", "show", "dev", "rd0"], () => providers.Address.read(ad.id, ad.outs), /could not read the addresses of rd0/],
            ["Route", ["-n", A, "-j", "-4", "route", "show"], () => providers.Route.read(ro.id, ro.outs), /could not read the routes to 198.51.100.0\/24/],
            ["Rule", ["-n", A, "-j", "-4", "rule", "show"], () => providers.Rule.read(ru.id, ru.outs), /could not read the rules at priority 120/],
            ["Sysctl", ["netns", "exec", A, "sysctl", "-n"], () => providers.Sysctl.read(sy.id, sy.outs), /could not read net.ipv4.ip_forward/],
        ];
        for (const [kind, failing, read, hint] of cases) {
            const err = await withFailingIp([failing], () => rejection(read()));
            const command = kind === "Sysctl" ? /^ip netns exec .* sysctl -n net.ipv4.ip_forward$/ : new RegExp(`^ip ${failing.join(" ").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
            expectErrorShape(err, { kind, name: kind === "VethPair" ? "cable" : kind === "Bridge" ? "br" : kind === "Address" ? "ip" : kind === "Route" ? "r" : kind === "Rule" ? "rule" : "fwd", op: "read", command, stderr: /Operation not permitted/, hint });
        }
        // Without the fault, each reads back as it is.
        expect(await providers.Address.read(ad.id, ad.outs)).toEqual({ id: ad.id, props: ad.outs });
        expect(await providers.Route.read(ro.id, ro.outs)).toEqual({ id: ro.id, props: ro.outs });
        for (const [kind, r] of [["Sysctl", sy], ["Rule", ru], ["Route", ro], ["Address", ad], ["Bridge", br], ["VethPair", v]] as const) {
            await providers[kind].delete(r.id, r.outs);
        }
    });

    it("the precise gone cases still read as gone: the device does not exist, the namespace file is absent", async () => {
        const tmp = await makeNamespace(`${prefix}tmp`);
        try {
            await sh(["ip", "-n", tmp, "link", "add", "rdx", "type", "veth", "peer", "name", "rdxp"]);
            const ad = await create("Address", { resourceName: "gone", namespace: tmp, dev: "rdx", address: "192.0.2.9/24", __owner: mine });
            await sh(["ip", "-n", tmp, "link", "del", "dev", "rdx"]);
            expect(await providers.Address.read(ad.id, ad.outs)).toEqual({});
            const br = await create("Bridge", { resourceName: "gonebr", name: "rdgb", namespace: tmp, __owner: mine });
            await removeNamespace(tmp);
            expect(await providers.Bridge.read(br.id, br.outs)).toEqual({});
            expect(await providers.Address.read(ad.id, ad.outs)).toEqual({});
            await providers.Address.delete(ad.id, ad.outs);
            await providers.Bridge.delete(br.id, br.outs);
        } finally {
            await removeNamespace(tmp);
        }
    });
});

describe("the ownership check fails closed", () => {
    it("an Address, Route or Sysctl delete whose namespace mark cannot be read fails and leaves the object in place", async () => {
        await sh(["ip", "-n", A, "link", "add", "rdd", "up", "type", "veth", "peer", "name", "rddp"]);
        const ad = await create("Address", { resourceName: "keep", namespace: A, dev: "rdd", address: "203.0.113.1/24", __owner: mine });
        const ro = await create("Route", { resourceName: "keepr", namespace: A, to: "198.51.100.64/26", dev: "rdd", __owner: mine });
        const markRead = ["-n", A, "-j", "link", "show", "dev", "lo"];
        const err = await withFailingIp([markRead], () => rejection(providers.Address.delete(ad.id, ad.outs)));
        expectErrorShape(err, { kind: "Address", name: "keep", op: "delete", command: /^ip -n \S+ -j link show dev lo$/, stderr: /Operation not permitted/, hint: /could not read the ownership mark of namespace/ });
        await withFailingIp([markRead], () => rejection(providers.Route.delete(ro.id, ro.outs)));
        const addrs = (await ipj<{ addr_info: { local: string }[] }>(A, ["address", "show", "dev", "rdd"]))[0]?.addr_info.map((i) => i.local);
        expect(addrs).toContain("203.0.113.1");
        expect((await ipj<{ dst: string }>(A, ["route", "show", "dev", "rdd"])).map((r) => r.dst)).toContain("198.51.100.64/26");
        // With the mark readable, delete goes ahead.
        await providers.Route.delete(ro.id, ro.outs);
        await providers.Address.delete(ad.id, ad.outs);
        expect(await ipj(A, ["address", "show", "dev", "rdd", "to", "203.0.113.1"])).toEqual([]);
        await sh(["ip", "-n", A, "link", "del", "dev", "rdd"]);
    }, 30_000);

    it("a transient failure of one end's read (EAGAIN, exit 1) is an error too, not a pair gone", async () => {
        const v = await create("VethPair", { resourceName: "c2", name: "rd2", namespace: A, peerName: "rd3", peerNamespace: B, __owner: mine });
        const err = await withFailingIp([["-n", B, "-j", "-d", "link", "show", "dev", "rd3"]], () => rejection(providers.VethPair.read(v.id, v.outs)), { stderr: "Cannot send dump request: Resource temporarily unavailable", exitCode: 1 });
        expect(err.stderr).toMatch(/Resource temporarily unavailable/);
        await providers.VethPair.delete(v.id, v.outs);
    });
});

describe("Route and Rule identity: what makes them ours", () => {
    const routes = async (fam: "-4" | "-6", to: string) => ipj<{ dst: string; dev?: string; gateway?: string; protocol?: string }>(A, [fam, "route", "show", "table", "main", "exact", to]);

    beforeAll(async () => {
        // Two cables inside A (both ends in A), each with an address: two devices to route through.
        for (const [dev, peer, v4, v6] of [["rdw", "rdwp", "192.0.2.1/24", "2001:db8:1::1/64"], ["rdv", "rdvp", "203.0.113.1/24", "2001:db8:3::1/64"]] as const) {
            await sh(["ip", "-n", A, "link", "add", dev, "up", "type", "veth", "peer", "name", peer]);
            await sh(["ip", "-n", A, "link", "set", "dev", peer, "up"]);
            await sh(["ip", "-n", A, "address", "add", v4, "dev", dev]);
            await sh(["ip", "-n", A, "address", "add", v6, "dev", dev, "nodad"]);
        }
    });

    it("a hand-made twin of a route (same destination, table and metric, another dev) is not read as ours and survives its delete, IPv4 and IPv6", async () => {
        for (const [fam, to, via] of [["-4", "198.51.100.0/24", "192.0.2.2"], ["-6", "2001:db8:2::/64", "2001:db8:1::2"]] as const) {
            const r = await create("Route", { resourceName: `r${fam}`, namespace: A, to, via, dev: "rdw", __owner: mine });
            // The twin: appended by hand through the other device (proto boot).
            await sh(["ip", "-n", A, fam, "route", "append", to, "dev", "rdv", "table", "main"]);
            expect(await providers.Route.read(r.id, r.outs)).toEqual({ id: r.id, props: r.outs });
            // Delete removes ours, not the twin.
            await providers.Route.delete(r.id, r.outs);
            expect((await routes(fam, to)).map((x) => x.dev)).toEqual(["rdv"]);
            // The twin alone: not ours for refresh, and left in place by a delete.
            expect(await providers.Route.read(r.id, r.outs)).toEqual({});
            await providers.Route.delete(r.id, r.outs);
            expect((await routes(fam, to)).map((x) => x.dev)).toEqual(["rdv"]);
            await sh(["ip", "-n", A, fam, "route", "del", to, "dev", "rdv", "table", "main"]);
        }
    });

    it("a route changed by hand on its device (ip route replace drops the mark) reads as this one with the drift; delete, which names the mark, leaves it", async () => {
        const r = await create("Route", { resourceName: "rp", namespace: A, to: "198.51.100.128/25", via: "192.0.2.2", dev: "rdw", __owner: mine });
        await sh(["ip", "-n", A, "route", "replace", "198.51.100.128/25", "via", "192.0.2.3", "dev", "rdw"]);
        expect(await providers.Route.read(r.id, r.outs)).toEqual({ id: r.id, props: { ...r.outs, via: "192.0.2.3" } });
        await providers.Route.delete(r.id, r.outs);
        // ip -j prints no protocol for proto boot.
        expect((await routes("-4", "198.51.100.128/25")).map((x) => [x.gateway, x.protocol])).toEqual([["192.0.2.3", undefined]]);
        await sh(["ip", "-n", A, "route", "del", "198.51.100.128/25"]);
    });

    it("a hand-made twin of a rule (same priority, selectors and action, no mark) is never removed in its place, nor read in place of the marked one", async () => {
        const rules = async () => (await ipj<{ priority: number; protocol?: string }>(A, ["-4", "rule", "show", "priority", "140"]));
        const spec = ["from", "192.0.2.0/24", "priority", "140", "lookup", "100"];
        const r = await create("Rule", { resourceName: "twin", namespace: A, priority: 140, from: "192.0.2.0/24", lookup: 100, __owner: mine });
        // The twin first in the kernel's list, ours after it (the first match is what a del without protocol removes).
        await sh(["ip", "-n", A, "-4", "rule", "del", ...spec, "protocol", "77"]);
        await sh(["ip", "-n", A, "-4", "rule", "add", ...spec]);
        await sh(["ip", "-n", A, "-4", "rule", "add", ...spec, "protocol", "77"]);
        // ip -j prints no protocol for a rule made by hand (none given).
        expect((await rules()).map((x) => x.protocol)).toEqual([undefined, "77"]);
        expect(await providers.Rule.read(r.id, r.outs)).toEqual({ id: r.id, props: r.outs });
        // Delete removes ours, not the twin; a second delete leaves the twin too.
        await providers.Rule.delete(r.id, r.outs);
        expect((await rules()).map((x) => x.protocol)).toEqual([undefined]);
        await providers.Rule.delete(r.id, r.outs);
        expect((await rules()).map((x) => x.protocol)).toEqual([undefined]);
        // adopt: true takes the twin over: ours (proto 77) from then on, and no twin is left.
        const a = await create("Rule", { resourceName: "adopted", namespace: A, priority: 140, from: "192.0.2.0/24", lookup: 100, adopt: true, __owner: mine });
        expect((await rules()).map((x) => x.protocol)).toEqual(["77"]);
        expect(await providers.Rule.read(a.id, a.outs)).toEqual({ id: a.id, props: a.outs });
        await providers.Rule.delete(a.id, a.outs);
        expect(await rules()).toEqual([]);
    });
});
