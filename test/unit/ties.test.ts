// The resource options derived from what the kernel deletes along with what (provider/checks/ties.ts):
// replaceWith, deletedWith, deleteBeforeReplace, from a resource's kind, inputs and options.
// The resources are constructed for real, under the SDK's mocks (no engine, no root): the
// derivation relies on the SDK giving one Output object per output property of a resource
// (`ns.name` is the same object at every read), which the first test pins.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Address, Bridge, Namespace, Route, Tunnel, VethPair } from "../../provider";
import { tie, tiedToSegment, tiesOf } from "../../provider/checks/ties";

beforeAll(() => {
    pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: () => ({}),
    }, "ties", "unit", false);
});

/** Two namespaces on a cable with an address on each end; every name unique to the test. */
function pair(t: string) {
    const a = new Namespace(`${t}-a`, { name: `${t}-a` });
    const b = new Namespace(`${t}-b`, { name: `${t}-b` });
    const link = new VethPair(`${t}-v`, { name: "va", namespace: a.name, peerName: "vb", peerNamespace: b.name });
    const ipA = new Address(`${t}-ip-a`, { namespace: a.name, dev: link.name, address: "192.0.2.1/24" });
    const ipB = new Address(`${t}-ip-b`, { namespace: b.name, dev: link.peerName, address: "192.0.2.2/24" });
    return { a, b, link, ipA, ipB };
}

describe("what the SDK gives, relied on", () => {
    it("one Output object per output property: ns.name is the same object at every read, and CustomResourceOptions has replaceWith and deletedWith", () => {
        const ns = new Namespace("sdk-a", { name: "sdk-a" });
        expect(ns.name).toBe(ns.name);
        expect(pulumi.Output.isInstance(ns.name)).toBe(true);
        const opts: pulumi.CustomResourceOptions = { replaceWith: [ns], deletedWith: ns, deleteBeforeReplace: true };
        expect(Object.keys(opts)).toEqual(["replaceWith", "deletedWith", "deleteBeforeReplace"]);
    });
});

describe("deletedWith: the Namespace its namespace input names", () => {
    it("from ns.name, and from the namespace's plain name", () => {
        const { a, link } = pair("dw");
        expect(tie("Address", { namespace: a.name, dev: link.name, address: "192.0.2.9/24" }).opts.deletedWith).toBe(a);
        expect(tie("Sysctl", { namespace: "dw-a", key: "net.ipv4.ip_forward", value: "1" }).opts.deletedWith).toBe(a);
        expect(tie("Rule", { namespace: a.name, priority: 5, lookup: 100 }).opts.deletedWith).toBe(a);
        expect(tie("VethPair", { name: "x", namespace: a.name, peerName: "y", peerNamespace: "elsewhere" }).opts.deletedWith).toBe(a);
    });

    it("none when not certain: a computed name, or a namespace this program does not make", () => {
        const { a } = pair("dn");
        expect(tie("Sysctl", { namespace: pulumi.interpolate`${a.name}`, key: "net.ipv4.ip_forward", value: "1" }).opts.deletedWith).toBeUndefined();
        expect(tie("Sysctl", { namespace: "dn-other", key: "net.ipv4.ip_forward", value: "1" }).opts.deletedWith).toBeUndefined();
        expect(tie("Namespace", { name: "dn-c" }).opts.deletedWith).toBeUndefined();
        // A namespace kept by retainOnDelete leaves the engine's state but stays in the kernel.
        const kept = new Namespace("dn-kept", { name: "dn-kept" }, { retainOnDelete: true });
        expect(tie("Sysctl", { namespace: kept.name, key: "net.ipv4.ip_forward", value: "1" }).opts.deletedWith).toBeUndefined();
    });
});

describe("replaceWith: what the kernel deletes it with", () => {
    it("an Address: the link its dev names, from the output or by its plain name", () => {
        const { a, link } = pair("ad");
        expect(tie("Address", { namespace: a.name, dev: link.name, address: "192.0.2.9/24" }).opts.replaceWith).toEqual([link]);
        expect(tie("Address", { namespace: "ad-a", dev: "va", address: "192.0.2.9/24" }).opts.replaceWith).toEqual([link]);
        expect(tie("Address", { namespace: "ad-b", dev: "vb", address: "192.0.2.9/24" }).opts.replaceWith).toEqual([link]);
        // The other end's name in this namespace is another interface: nothing.
        expect(tie("Address", { namespace: "ad-a", dev: "vb", address: "192.0.2.9/24" }).opts.replaceWith).toBeUndefined();
    });

    it("a Tunnel: the link its dev (the underlay) names; an Address on the tunnel: the tunnel", () => {
        const { a, link } = pair("tu");
        expect(tie("Tunnel", { name: "vx0", namespace: a.name, type: "vxlan", vni: 42, dev: link.name, remote: "192.0.2.2" }).opts.replaceWith).toEqual([link]);
        const t = new Tunnel("tu-t", { name: "vx0", namespace: a.name, type: "vxlan", vni: 42, dev: link.name, remote: "192.0.2.2" });
        expect(tie("Address", { namespace: a.name, dev: t.name, address: "198.51.100.1/30" }).opts.replaceWith).toEqual([t]);
        expect(tie("Address", { namespace: "tu-a", dev: "vx0", address: "198.51.100.1/30" }).opts.replaceWith).toEqual([t]);
    });

    it("a Route given dependsOn the Address on the gateway's segment: that Address", () => {
        const { a, ipA } = pair("rd");
        expect(tie("Route", { namespace: a.name, to: "default", via: "192.0.2.2" }, { dependsOn: [ipA] }).opts.replaceWith).toEqual([ipA]);
        expect(tie("Route", { namespace: a.name, to: "default", via: "192.0.2.2" }, { dependsOn: ipA }).opts.replaceWith).toEqual([ipA]);
    });

    it("a Route with only via: the Address of the same namespace, constructed before it, whose subnet holds the gateway", () => {
        const { a, b, ipA, ipB } = pair("rv");
        expect(tie("Route", { namespace: a.name, to: "198.51.100.0/24", via: "192.0.2.2" }).opts.replaceWith).toEqual([ipA]);
        expect(tie("Route", { namespace: b.name, to: "198.51.100.0/24", via: "192.0.2.1" }).opts.replaceWith).toEqual([ipB]);
        expect(tie("Route", { namespace: "rv-a", to: "198.51.100.0/24", via: "192.0.2.2" }).opts.replaceWith).toEqual([ipA]);
        // A gateway on no segment of this namespace, or a computed gateway: nothing.
        expect(tie("Route", { namespace: a.name, to: "198.51.100.0/24", via: "203.0.113.1" }).opts.replaceWith).toBeUndefined();
        expect(tie("Route", { namespace: a.name, to: "198.51.100.0/24", via: pulumi.output("192.0.2.2") }).opts.replaceWith).toBeUndefined();
    });

    it("a Route with dev: that link; with dependsOn a link: that link; never a Namespace or a Sysctl", () => {
        const { a, link } = pair("rl");
        expect(tie("Route", { namespace: a.name, to: "198.51.100.0/24", dev: link.name }).opts.replaceWith).toEqual([link]);
        expect(tie("Route", { namespace: a.name, to: "198.51.100.0/24", dev: "va" }).opts.replaceWith).toEqual([link]);
        expect(tie("Route", { namespace: a.name, to: "203.0.113.0/24", via: "203.0.113.1", dev: "nosuch" }, { dependsOn: [link, a] }).opts.replaceWith).toEqual([link]);
    });

    it("a Route whose gateway is on a segment made by a Route through a device alone: that route", () => {
        const { a, link } = pair("rs");
        const onLink = new Route("rs-onlink", { namespace: a.name, to: "203.0.113.0/24", dev: link.name });
        expect(tie("Route", { namespace: a.name, to: "default", via: "203.0.113.1" }).opts.replaceWith).toEqual([onLink]);
    });

    it("a VethPair end on a Bridge: that bridge, from master's output or by the bridge's plain name", () => {
        const { a, b } = pair("vb");
        const br = new Bridge("vb-br", { namespace: a.name, name: "br0" });
        expect(tie("VethPair", { name: "p", namespace: b.name, peerName: "q", peerNamespace: a.name, peerMaster: br.name }).opts.replaceWith).toEqual([br]);
        expect(tie("VethPair", { name: "p", namespace: "vb-a", master: "br0", peerName: "q", peerNamespace: b.name }).opts.replaceWith).toEqual([br]);
        // br0 of another namespace is another bridge.
        expect(tie("VethPair", { name: "p", namespace: "vb-b", master: "br0", peerName: "q", peerNamespace: a.name }).opts.replaceWith).toBeUndefined();
        // An Address on the bridge goes with the bridge.
        expect(tie("Address", { namespace: a.name, dev: br.name, address: "198.51.100.1/24" }).opts.replaceWith).toEqual([br]);
    });

    it("a Sysctl of an interface: that interface's link; of the namespace (or all, default): nothing", () => {
        const { a, b, link } = pair("sy");
        expect(tie("Sysctl", { namespace: a.name, key: "net.ipv4.conf.va.forwarding", value: "1" }).opts.replaceWith).toEqual([link]);
        expect(tie("Sysctl", { namespace: b.name, key: "net/ipv6/conf/vb/forwarding", value: "1" }).opts.replaceWith).toEqual([link]);
        expect(tie("Sysctl", { namespace: "sy-a", key: "net.ipv4.neigh.va.base_reachable_time_ms", value: "1000" }).opts.replaceWith).toEqual([link]);
        expect(tie("Sysctl", { namespace: a.name, key: "net.ipv4.conf.all.forwarding", value: "1" }).opts.replaceWith).toBeUndefined();
        expect(tie("Sysctl", { namespace: b.name, key: "net.ipv4.conf.va.forwarding", value: "1" }).opts.replaceWith).toBeUndefined();
    });

    it("nothing for a Namespace, a namespace-wide Sysctl or a Rule", () => {
        const { a } = pair("nn");
        expect(tie("Namespace", { name: "nn-x" }).opts.replaceWith).toBeUndefined();
        expect(tie("Sysctl", { namespace: a.name, key: "net.ipv4.ip_forward", value: "1" }).opts.replaceWith).toBeUndefined();
        expect(tie("Rule", { namespace: a.name, priority: 5, lookup: 100 }).opts.replaceWith).toBeUndefined();
    });
});

describe("the user's options", () => {
    it("deleteBeforeReplace is true unless given; a given deletedWith is kept; a given replaceWith is extended", () => {
        const { a, b, link, ipA } = pair("uo");
        expect(tie("Namespace", { name: "uo-x" }).opts.deleteBeforeReplace).toBe(true);
        expect(tie("Address", { namespace: a.name, dev: link.name, address: "192.0.2.9/24" }, { deleteBeforeReplace: false }).opts.deleteBeforeReplace).toBe(false);
        expect(tie("Address", { namespace: a.name, dev: link.name, address: "192.0.2.9/24" }, { deletedWith: b }).opts.deletedWith).toBe(b);
        const r = tie("Route", { namespace: a.name, to: "default", via: "192.0.2.2" }, { replaceWith: [b], dependsOn: [ipA], protect: true }).opts;
        expect(r.replaceWith).toEqual([b, ipA]);
        expect(r.dependsOn).toEqual([ipA]);
        expect(r.protect).toBe(true);
    });
});

describe("tiedToSegment: what the preview warns about (declared.ts)", () => {
    it("a Route tied by dependsOn, by via on an earlier Address, or by dev from the link is tied; one whose Address comes later is not", () => {
        const a = new Namespace("ts-a", { name: "ts-a" });
        const b = new Namespace("ts-b", { name: "ts-b" });
        const link = new VethPair("ts-v", { name: "va", namespace: a.name, peerName: "vb", peerNamespace: b.name });
        const early = new Route("ts-early", { namespace: a.name, to: "198.51.100.0/24", via: "192.0.2.2" }); // before the Address
        const ip = new Address("ts-ip", { namespace: a.name, dev: link.name, address: "192.0.2.1/24" });
        const late = new Route("ts-late", { namespace: a.name, to: "203.0.113.0/24", via: "192.0.2.2" });
        const viaDep = new Route("ts-dep", { namespace: "ts-a", to: "default", via: "192.0.2.2" }, { dependsOn: [link] });
        const viaDev = new Route("ts-dev", { namespace: a.name, to: "198.51.101.0/24", via: "192.0.2.2", dev: link.name });
        expect(tiesOf(early)).toEqual([]);
        expect(tiedToSegment(early, [ip])).toBe(false);
        expect(tiedToSegment(late, [ip])).toBe(true);
        expect(tiedToSegment(viaDep, [ip])).toBe(true);
        expect(tiedToSegment(viaDev, [ip])).toBe(true);
    });
});
