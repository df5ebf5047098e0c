// Ordinary Pulumi operations (issue 27): targeted updates of a change that replaces, secrets in
// IDs, and the privilege check's message. No root, no processes: check and the resource classes
// under mocks.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Address, Namespace, Route } from "../../provider/index";
import { providers } from "../../provider/impl";
import { privilegeMessage } from "../../provider/host/privilege";
import { rootHint } from "../../provider/host/run";
import { idFor, secretIdFailures } from "../../provider/engine/secrets";
import { isTargeted, targetedFailures, targetedRun } from "../../provider/engine/targeted";

const sent = new Map<string, Record<string, unknown>>();
beforeAll(() => {
    pulumi.runtime.setMocks({
        newResource: (args) => { sent.set(args.name, args.inputs as Record<string, unknown>); return { id: `${args.name}-id`, state: args.inputs }; },
        call: () => ({}),
    }, "operations", "unit", false);
});

describe("targeted runs, read from the CLI's argv", () => {
    it.each([
        [["pulumi", "up", "--yes"], undefined],
        [["pulumi", "up", "--target", "urn:a", "--yes"], { targets: ["urn:a"], dependents: false }],
        [["pulumi", "preview", "-t", "urn:a", "--target=urn:b", "--target-dependents"], { targets: ["urn:a", "urn:b"], dependents: true }],
        [["/usr/bin/pulumi", "--cwd", "x", "up", "--target", "urn:a", "--target-dependents=false"], { targets: ["urn:a"], dependents: false }],
        [["pulumi", "destroy", "--target-dependents"], undefined],
    ])("%j", (argv, want) => {
        expect(targetedRun(argv)).toEqual(want);
    });

    it("matches URNs exactly or by * glob", () => {
        const urn = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/netns:Address::a-ip";
        expect(isTargeted(urn, [urn])).toBe(true);
        expect(isTargeted(urn, ["urn:pulumi:dev::p::*::a-ip"])).toBe(true);
        expect(isTargeted(urn, ["urn:pulumi:dev::p::pulumi-nodejs:dynamic/netns:Address::b-ip"])).toBe(false);
    });
});

describe("a targeted change that replaces a resource with dependents", () => {
    const olds = { name: "p-ns2", adopt: false };
    it("is refused at check, against the property, naming the dependents and --target-dependents", async () => {
        const r = await providers.Namespace.check(olds, { name: "p-ns3", __dependents: ['Address "b-ip"', 'VethPair "cable"'] });
        expect(r.failures).toHaveLength(1);
        expect(r.failures![0]!.property).toBe("name");
        expect(r.failures![0]!.reason).toContain('Address "b-ip", VethPair "cable" depend on it');
        expect(r.failures![0]!.reason).toContain("Add --target-dependents");
    });
    it("passes without dependents, for a change in place, and for a create", async () => {
        expect((await providers.Namespace.check(olds, { name: "p-ns3" })).failures).toBeUndefined();
        expect(targetedFailures("VethPair", { replace: ["name"], update: ["mtu"] }, { name: "a", mtu: 1500 }, { name: "a", mtu: 1400 }, ['Address "x"'])).toEqual([]);
        expect((await providers.Namespace.check({}, { name: "p-ns3", __dependents: ['Address "b-ip"'] })).failures).toBeUndefined();
    });
    it("never stores __dependents", async () => {
        const r = await providers.Namespace.check(olds, { name: "p-ns2", __dependents: ['Address "b-ip"'] });
        expect(r.inputs).not.toHaveProperty("__dependents");
    });
});

describe("secrets and IDs", () => {
    it("an Address, Route, Rule or Sysctl made from a secret input gets an opaque ID; without secrets the natural one", () => {
        for (const kind of ["Address", "Route", "Rule", "Sysctl"]) expect(idFor(kind, "ns/dev/192.0.2.1/24", ["address"])).toMatch(/^secret-[0-9a-f]{32}$/);
        expect(idFor("Address", "ns/dev/192.0.2.1/24", [])).toBe("ns/dev/192.0.2.1/24");
        expect(idFor("Address", "x", ["address"])).not.toBe(idFor("Address", "x", ["address"]));
    });
    it("a secret name of a Namespace, VethPair or Bridge is refused at check; other secret inputs pass", async () => {
        const r = await providers.Namespace.check({}, { name: "p-ns1", __secretInputs: ["name"] });
        expect(r.failures?.map((f) => f.property)).toEqual(["name"]);
        expect(r.failures![0]!.reason).toContain("names the Namespace in clear text");
        expect(secretIdFailures("VethPair", ["peerName", "mtu"]).map((f) => f.property)).toEqual(["peerName"]);
        const ok = await providers.Address.check({}, { namespace: "p-ns1", dev: "v0", address: "192.0.2.1/24", __secretInputs: ["address"] });
        expect(ok.failures).toBeUndefined();
        expect(ok.inputs).toMatchObject({ address: "192.0.2.1/24", __secretInputs: ["address"] });
    });
    it("the resource class tells the provider which inputs are secret, and sends nothing when none is", async () => {
        const ns = new Namespace("sec-ns", { name: "sec-ns" });
        new Address("sec-ip", { namespace: ns.name, dev: "v0", address: pulumi.secret("192.0.2.1/24") });
        new Route("plain-route", { namespace: ns.name, to: "198.51.100.0/24", dev: "v0" });
        await new Promise((r) => setTimeout(r, 200));
        expect(sent.get("sec-ip")?.__secretInputs).toEqual(["address"]);
        expect(sent.get("plain-route")).not.toHaveProperty("__secretInputs");
        expect(sent.get("sec-ns")).not.toHaveProperty("__secretInputs");
        expect(sent.get("plain-route")).not.toHaveProperty("__dependents");
    });
});

describe("no root and no passwordless sudo", () => {
    it("the refusal is the one message of docs/operations.md, the same as the provider's NetnsError hint", () => {
        expect(privilegeMessage("sudo -n -- ip -V", "sudo: a password is required\n", true)).toBe(`pulumi-netns: ${rootHint(true)} (tried: sudo -n -- ip -V; sudo: a password is required)`);
        expect(privilegeMessage("sudo -n -- ip -V", "sudo is not installed", false)).toBe(`pulumi-netns: ${rootHint(false)} (tried: sudo -n -- ip -V; sudo is not installed)`);
        expect(rootHint(false)).toMatch(/install sudo and give this user passwordless sudo for ip; that is root-equivalent/);
    });
});

describe("the hidden inputs are the resource class's own", () => {
    it.each(["__secretInputs", "__dependents", "__owner", "__provider"])("%s given by hand is refused", (key) => {
        expect(() => new Address(`hand${key}`, { namespace: "ns1", dev: "v0", address: "192.0.2.9/24", [key]: ["address"] } as never))
            .toThrow(new RegExp(`^Address "hand${key}": ${key} is reserved`));
    });
});
