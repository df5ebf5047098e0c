// Adoption through the real Pulumi CLI: objects made by hand first (in namespaces of our own),
// then a stack that declares them. Without adopt, up fails on each of them with an error that
// names the resource, the command, its stderr and a hint, and leaves the object alone; with
// adopt: true, up takes them over and destroy removes them.
//
// Sysctl has no adopt input: every key always exists in a namespace, so create always "takes
// over" the setting; it records the value it found and delete puts that value back (see
// resources.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { addresses, config, link, route, sh, stateResources, upFails, type LinkJson, type Spec } from "./resource-support";

const prefix = filePrefix("adopt");
const X = `${prefix}x`; // a namespace, for the Namespace
const Y = `${prefix}y`; // y0 <-> z0 for the VethPair; h0 (192.0.2.1/24, a route) for Address and Route
const Z = `${prefix}z`;
// Y and Z are made by hand in beforeAll and stay to the end; X is adopted, then destroyed by the stack.
const life = fileLifecycle(prefix, { fixtures: [Y, Z] });

const ns = (adopt?: boolean): Spec => ({ kind: "Namespace", name: "n", args: { name: X, ...(adopt === undefined ? {} : { adopt }) } });
const veth = (adopt?: boolean): Spec => ({ kind: "VethPair", name: "v", args: { name: "y0", namespace: Y, peerName: "z0", peerNamespace: Z, ...(adopt === undefined ? {} : { adopt }) } });
const addr = (adopt?: boolean): Spec => ({ kind: "Address", name: "ad", args: { namespace: Y, dev: "h0", address: "192.0.2.1/24", ...(adopt === undefined ? {} : { adopt }) } });
const rt = (adopt?: boolean, dependsOn?: string[]): Spec => ({
    kind: "Route", name: "r", args: { namespace: Y, to: "198.51.100.0/24", via: "192.0.2.3", ...(adopt === undefined ? {} : { adopt }) }, ...(dependsOn ? { dependsOn } : {}),
});

/** The error block the provider prints: resource, command, stderr, hint (see provider/host/run.ts formatError). */
function expectCreateError(out: string, kind: string, name: string, command: RegExp, stderr: RegExp, hint: RegExp): void {
    expect(out).toContain(`${kind} "${name}" create failed`);
    expect(out).toMatch(new RegExp(`command: ${command.source}`));
    expect(out).toMatch(new RegExp(`stderr: +.*(${stderr.source})`));
    expect(out).toMatch(new RegExp(`hint: +.*(${hint.source})`));
}

describe("adoption of objects made by hand", () => {
    let stack: TestStack | undefined;
    let handMade: { y0?: LinkJson; z0?: LinkJson } = {};

    beforeAll(async () => {
        await sh("ip", "netns", "add", X);
        await sh("ip", "netns", "add", Y);
        await sh("ip", "netns", "add", Z);
        await sh("ip", "-n", Y, "link", "add", "y0", "type", "veth", "peer", "name", "z0", "netns", Z); // left down
        await sh("ip", "-n", Y, "link", "add", "h0", "up", "type", "veth", "peer", "name", "h1", "netns", Z);
        await sh("ip", "-n", Z, "link", "set", "dev", "h1", "up");
        await sh("ip", "-n", Y, "address", "add", "192.0.2.1/24", "dev", "h0");
        await sh("ip", "-n", Y, "route", "add", "198.51.100.0/24", "via", "192.0.2.2");
        handMade = { y0: await link(Y, "y0"), z0: await link(Z, "z0") };
        stack = await TestStack.create(`${prefix}stack`, FIXTURE, config([]));
        life.stacks.push(stack);
    });

    it("without adopt, a Namespace that exists fails up with command, stderr and hint, and stays", async () => {
        await stack!.setConfig(config([ns()]));
        expectCreateError(await upFails(stack!), "Namespace", "n", new RegExp(`ip netns add ${X}`), /File exists/, /already exists.*adopt: true/);
        expect(await namespaces()).toContain(X);
        expect(await stateResources(stack!)).toEqual([]);
    });

    it("without adopt, a VethPair that exists fails up with command, stderr and hint, and stays", async () => {
        await stack!.setConfig(config([veth()]));
        // The add and the new end's ownership mark are one `ip -batch` (docs/reference.md, Ownership).
        const out = await upFails(stack!);
        expectCreateError(out, "VethPair", "v", new RegExp(`ip -n ${Y} -echo -j -batch -`), /File exists/, /y0 already exists.*adopt: true.*no ownership mark/);
        expect(out).toMatch(new RegExp(`input: +link add name y0 .*type veth peer name z0 netns /run/netns/${Z}`));
        expect((await link(Y, "y0"))?.ifindex).toBe(handMade.y0?.ifindex);
        expect((await link(Z, "z0"))?.ifindex).toBe(handMade.z0?.ifindex);
        expect(await stateResources(stack!)).toEqual([]);
    });

    it("without adopt, an Address that exists fails up with command, stderr and hint, and stays", async () => {
        await stack!.setConfig(config([addr()]));
        expectCreateError(await upFails(stack!), "Address", "ad", new RegExp(`ip -n ${Y} address add 192\\.0\\.2\\.1/24 dev h0`), /File exists|already assigned/, /already on h0.*adopt: true/);
        expect(await addresses(Y, "h0")).toEqual(["192.0.2.1/24"]);
        expect(await stateResources(stack!)).toEqual([]);
    });

    it("without adopt, a Route that exists fails up with command, stderr and hint, and stays", async () => {
        await stack!.setConfig(config([rt()]));
        expectCreateError(await upFails(stack!), "Route", "r", new RegExp(`ip -n ${Y} -4 route add 198\\.51\\.100\\.0/24 via 192\\.0\\.2\\.3`), /File exists/, /already exists.*adopt: true/);
        expect(await route(Y, "198.51.100.0/24")).toMatchObject({ gateway: "192.0.2.2" });
        expect(await stateResources(stack!)).toEqual([]);
    });

    it("with adopt: true, up takes each one over (the same objects, set to the inputs)", async () => {
        await stack!.setConfig(config([ns(true), veth(true), addr(true), rt(true, ["ad"])]));
        expect(await stack!.changes()).toEqual(["create ad", "create n", "create r", "create v"]);
        await stack!.up();
        expect(await namespaces()).toContain(X);
        const [y0, z0] = [await link(Y, "y0"), await link(Z, "z0")];
        expect(y0?.ifindex).toBe(handMade.y0?.ifindex); // taken over, not made again
        expect(z0?.ifindex).toBe(handMade.z0?.ifindex);
        expect(y0?.flags).toContain("UP"); // up: true (the default) applied to the hand-made, down pair
        expect(z0?.flags).toContain("UP");
        expect(await addresses(Y, "h0")).toEqual(["192.0.2.1/24"]);
        expect(await route(Y, "198.51.100.0/24")).toMatchObject({ gateway: "192.0.2.3", dev: "h0" }); // its gateway set to via
        expect((await stateResources(stack!)).map((r) => r.id).sort()).toEqual([X, `${Y}/h0/192.0.2.1/24`, `${Y}/main/198.51.100.0/24`, `${Y}/y0`].sort());
        await stack!.expectNoChanges();
    });

    it("destroy removes what was adopted", async () => {
        await stack!.destroy();
        expect(await namespaces()).not.toContain(X);
        expect(await link(Y, "y0")).toBeUndefined();
        expect(await link(Z, "z0")).toBeUndefined();
        expect(await link(Y, "h0")).toBeDefined(); // not the stack's: only its address was adopted
        expect(await addresses(Y, "h0")).toEqual([]);
        expect(await route(Y, "198.51.100.0/24")).toBeUndefined();
        expect(await stateResources(stack!)).toEqual([]);
    });
});
