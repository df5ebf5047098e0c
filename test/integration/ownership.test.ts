// Ownership marks against the real kernel (docs/reference.md, Ownership): what create writes, what create
// does with an object another stack marked, and what delete leaves alone.
import { describe, expect, it, vi } from "vitest";
import { providers } from "../../provider/impl";
import { formatMark, parseMark } from "../../provider/ownership/owner";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { create, createFails, ipj, link, netnsList, removeNamespace } from "./helpers";

const prefix = filePrefix("own");
fileLifecycle(prefix); // leak check before clean-up (test/support/lifecycle.ts)

const mine = { project: "ownertest", stack: "a" };
const theirs = { project: "ownertest", stack: "b" };
const alias = async (ns: string, dev: string) => (await ipj<{ ifalias?: string }>(ns, ["link", "show", "dev", dev]))[0]?.ifalias;

describe("ownership marks", () => {
    it("create marks the namespace (lo's alias), both veth ends, a bridge, routes and rules (proto 77)", async () => {
        const A = `${prefix}a`, B = `${prefix}b`;
        const na = await create("Namespace", { resourceName: "na", name: A, __owner: mine });
        expect(na.outs.__owner).toEqual(mine); // kept in the state: delete gets it back
        await create("Namespace", { resourceName: "nb", name: B, __owner: mine });
        expect(parseMark(await alias(A, "lo"))).toEqual({ ...mine, kind: "Namespace", name: "na" });
        expect((await link(A, "lo"))?.flags).toContain("UP");

        await create("Bridge", { resourceName: "br", name: "br0", namespace: B, __owner: mine });
        const v = await create("VethPair", { resourceName: "cable", name: "va", namespace: A, peerName: "vb", peerNamespace: B, peerMaster: "br0", __owner: mine });
        expect(v.outs).toMatchObject({ ifindex: expect.any(Number), peerIfindex: expect.any(Number), __owner: mine });
        expect(await alias(A, "va")).toBe(formatMark({ ...mine, kind: "VethPair", name: "cable" }));
        expect(await alias(B, "vb")).toBe(formatMark({ ...mine, kind: "VethPair", name: "cable" }));
        expect(await alias(B, "br0")).toBe(formatMark({ ...mine, kind: "Bridge", name: "br" }));
        expect((await link(B, "vb")) as unknown).toMatchObject({ flags: expect.arrayContaining(["UP"]) });

        await create("Address", { resourceName: "ip", namespace: A, dev: "va", address: "192.0.2.1/24", __owner: mine });
        const r = await create("Route", { resourceName: "r", namespace: A, to: "198.51.100.0/24", via: "192.0.2.2", __owner: mine });
        const routes = await ipj<{ dst: string; protocol?: string }>(A, ["route", "show", "table", "main"]);
        expect(routes.find((x) => x.dst === "198.51.100.0/24")?.protocol).toBe("77");
        // The kernel's connected route keeps its own protocol.
        expect(routes.find((x) => x.dst === "192.0.2.0/24")?.protocol).toBe("kernel");
        await create("Rule", { resourceName: "rule", namespace: A, priority: 100, from: "192.0.2.0/24", lookup: 100, __owner: mine });
        expect((await ipj<{ priority: number; protocol?: string }>(A, ["rule", "show"])).find((x) => x.priority === 100)?.protocol).toBe("77");
        // Read finds them, delete removes them.
        expect(await providers.Route.read(r.id, r.outs)).toEqual({ id: r.id, props: r.outs });
        await providers.Route.delete(r.id, r.outs);
        expect((await ipj<{ dst: string }>(A, ["route", "show"])).map((x) => x.dst)).not.toContain("198.51.100.0/24");
        await providers.Namespace.delete(na.id, na.outs);
        await removeNamespace(B);
    });

    it("another stack's namespace: create is refused naming the owner, adopt too; adoptFrom takes it and re-marks it", async () => {
        const N = `${prefix}shared`;
        const first = await create("Namespace", { resourceName: "shared", name: N, __owner: theirs });
        const refused = await createFails("Namespace", { resourceName: "mine", name: N, __owner: mine });
        expect(refused.message).toContain(`hint:    namespace ${N} belongs to stack ownertest/b (Namespace shared): destroy that stack first (pulumi destroy --stack b, in project ownertest)`);
        const adopt = await createFails("Namespace", { resourceName: "mine", name: N, adopt: true, __owner: mine });
        expect(adopt.message).toMatch(/belongs to stack ownertest\/b .*adoptFrom: "ownertest\/b"/);
        expect(parseMark(await alias(N, "lo"))).toMatchObject(theirs); // untouched

        // Delete from the stack that was refused (its state lists the namespace) leaves it alone.
        const stale = { resourceName: "mine", name: N, adopt: false, __owner: mine };
        await providers.Namespace.delete(N, stale);
        expect(await netnsList()).toContain(N);

        const taken = await create("Namespace", { resourceName: "mine", name: N, adoptFrom: "ownertest/b", __owner: mine });
        expect(parseMark(await alias(N, "lo"))).toEqual({ ...mine, kind: "Namespace", name: "mine" });
        // Now the first stack's delete is the one that leaves it.
        await providers.Namespace.delete(first.id, first.outs);
        expect(await netnsList()).toContain(N);
        await providers.Namespace.delete(taken.id, taken.outs);
        expect(await netnsList()).not.toContain(N);
    });

    it("this resource's own object (its create lost) is taken back without adopt; an unmarked one needs adopt", async () => {
        const N = `${prefix}lost`;
        await create("Namespace", { resourceName: "lost", name: N, __owner: mine });
        const again = await create("Namespace", { resourceName: "lost", name: N, __owner: mine });
        expect(again.id).toBe(N);
        const other = await createFails("Namespace", { resourceName: "twin", name: N, __owner: mine });
        expect(other.message).toContain(`namespace ${N} belongs to this stack's Namespace lost`);
        await providers.Namespace.delete(again.id, again.outs);

        const H = `${prefix}byhand`;
        await create("Namespace", { resourceName: "x", name: H }); // no owner: no mark, as before marks
        expect(await alias(H, "lo")).toBeUndefined();
        const plain = await createFails("Namespace", { resourceName: "h", name: H, __owner: mine });
        expect(plain.message).toMatch(/already exists.*adopt: true.*no ownership mark: made by hand/);
        const adopted = await create("Namespace", { resourceName: "h", name: H, adopt: true, __owner: mine });
        expect(parseMark(await alias(H, "lo"))).toMatchObject(mine);
        await providers.Namespace.delete(adopted.id, adopted.outs);
        expect(await netnsList()).not.toContain(H);
    });

    it("another stack's veth pair and bridge: refused by name of owner; delete leaves them", async () => {
        const A = `${prefix}la`, B = `${prefix}lb`;
        await create("Namespace", { resourceName: "la", name: A, __owner: mine });
        await create("Namespace", { resourceName: "lb", name: B, __owner: mine });
        const pair = await create("VethPair", { resourceName: "p", name: "xa", namespace: A, peerName: "xb", peerNamespace: B, __owner: theirs });
        const br = await create("Bridge", { resourceName: "br", name: "brx", namespace: A, __owner: theirs });
        const e1 = await createFails("VethPair", { resourceName: "q", name: "xa", namespace: A, peerName: "xb", peerNamespace: B, adopt: true, __owner: mine });
        expect(e1.message).toContain(`hint:    interface xa in ${A} belongs to stack ownertest/b (VethPair p)`);
        const e2 = await createFails("Bridge", { resourceName: "br", name: "brx", namespace: A, __owner: mine });
        expect(e2.message).toContain(`hint:    interface brx in ${A} belongs to stack ownertest/b (Bridge br)`);
        await providers.VethPair.delete(pair.id, { ...pair.outs, __owner: mine });
        await providers.Bridge.delete(br.id, { ...br.outs, __owner: mine });
        expect(await link(A, "xa")).toBeDefined();
        expect(await link(A, "brx")).toBeDefined();
        await providers.VethPair.delete(pair.id, pair.outs);
        await providers.Bridge.delete(br.id, br.outs);
        expect(await link(A, "xa")).toBeUndefined();
        expect(await link(A, "brx")).toBeUndefined();
        await removeNamespace(A);
        await removeNamespace(B);
    });
    it("routes, rules, addresses and sysctls in another stack's namespace: delete leaves them, with a warning; the owner's delete removes them", async () => {
        const T = `${prefix}t`, U = `${prefix}u`;
        const nt = await create("Namespace", { resourceName: "t", name: T, __owner: theirs });
        const nu = await create("Namespace", { resourceName: "u", name: U, __owner: theirs });
        const pair = await create("VethPair", { resourceName: "tu", name: "ta", namespace: T, peerName: "ua", peerNamespace: U, __owner: theirs });
        const made = {
            Address: await create("Address", { resourceName: "ip", namespace: T, dev: "ta", address: "192.0.2.1/24", __owner: theirs }),
            Route: await create("Route", { resourceName: "r", namespace: T, to: "198.51.100.0/24", via: "192.0.2.2", __owner: theirs }),
            Rule: await create("Rule", { resourceName: "rule", namespace: T, priority: 100, from: "192.0.2.0/24", lookup: 100, __owner: theirs }),
            Sysctl: await create("Sysctl", { resourceName: "fwd", namespace: T, key: "net.ipv4.ip_forward", value: "1", __owner: theirs }),
        };
        const state = async () => ({
            address: (await ipj<{ addr_info: { local: string }[] }>(T, ["address", "show", "dev", "ta"]))[0]?.addr_info.map((a) => a.local),
            route: (await ipj<{ dst: string }>(T, ["route", "show"])).map((r) => r.dst),
            rule: (await ipj<{ priority: number }>(T, ["rule", "show"])).map((r) => r.priority),
        });
        const before = await state();
        expect(before).toMatchObject({ address: expect.arrayContaining(["192.0.2.1"]), route: expect.arrayContaining(["198.51.100.0/24"]), rule: expect.arrayContaining([100]) });

        // A stack that declared the same objects (its state lists them) deletes: each is left in place, with a warning naming the owner.
        const written: string[] = [];
        const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; });
        try {
            for (const kind of ["Route", "Rule", "Address", "Sysctl"] as const) await providers[kind].delete(made[kind].id, { ...made[kind].outs, __owner: mine });
        } finally {
            spy.mockRestore();
        }
        expect(await state()).toEqual(before);
        expect(written.join("")).toContain(`warning: Route "r" delete: route 198.51.100.0/24 in ${T}, whose namespace ${T} belongs to stack ownertest/b (Namespace t), not to this stack: left in place`);
        expect(written.filter((w) => w.startsWith("warning: ")).length).toBe(4);

        // The owner's delete removes them.
        for (const kind of ["Route", "Rule", "Address", "Sysctl"] as const) await providers[kind].delete(made[kind].id, made[kind].outs);
        const after = await state();
        expect(after.address ?? []).not.toContain("192.0.2.1");
        expect(after.route).not.toContain("198.51.100.0/24");
        expect(after.rule).not.toContain(100);
        await providers.VethPair.delete(pair.id, pair.outs);
        await providers.Namespace.delete(nt.id, nt.outs);
        await providers.Namespace.delete(nu.id, nu.outs);
    });
});
