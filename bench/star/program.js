// The benchmark star (bench/run.sh): one router namespace and N host namespaces, each host on its
// own /31 segment (an address pair) with a default route via the router; forwarding on in the
// router. Config:
//   n       number of hosts (1..384)
//   prefix  the per-run name prefix (bnXXXX); namespaces are PREFIX-r and PREFIX-hI
//   impl    "netns" (default): pulumi-netns resources; "noop": the same graph of dynamic
//           resources whose provider does nothing (the engine's own cost, no `ip` at all)
//   form    "standalone" (default): five resources per host (Namespace, VethPair, two Addresses,
//           Route) and a Sysctl; "inline": two per host (its Namespace, and one VethPair carrying
//           both ends' addresses and the host's default route), the router's forwarding as its
//           Namespace's `sysctls` (docs/operations.md, "Large labs")
"use strict";
const pulumi = require("@pulumi/pulumi");
const { segment } = require("../lib/topology.js");

const config = new pulumi.Config();
const n = config.requireNumber("n");
const prefix = config.require("prefix");
const impl = config.get("impl") ?? "netns";
const form = config.get("form") ?? "standalone";
if (form !== "standalone" && form !== "inline") throw new Error(`form must be standalone or inline, not ${form}`);

let kinds;
if (impl === "netns") {
    kinds = require("pulumi-netns");
} else if (impl === "noop") {
    // A no-op dynamic provider: same engine, same provider process, same graph, no work. Stored
    // as one line of code, as pulumi-netns stores its provider (provider/engine/dynamic.ts), so that the
    // state has the same size per resource.
    const noop = "exports.handler = () => ({ create: async (i) => ({ id: String(i.resourceName), outs: i }), delete: async () => {} });\n";
    const make = (type) => class extends pulumi.CustomResource {
        constructor(name, args, opts) { super(`pulumi-nodejs:dynamic/bench:${type}`, name, { resourceName: name, ...args, __provider: noop }, opts); }
    };
    kinds = { Namespace: make("Namespace"), VethPair: make("VethPair"), Address: make("Address"), Route: make("Route"), Sysctl: make("Sysctl") };
} else {
    throw new Error(`impl must be netns or noop, not ${impl}`);
}
const { Namespace, VethPair, Address, Route, Sysctl } = kinds;

if (form === "inline") {
    const router = new Namespace("r", { name: `${prefix}-r`, sysctls: { "net.ipv4.ip_forward": "1" } });
    for (let i = 1; i <= n; i++) {
        const s = segment(i);
        const host = new Namespace(`h${i}`, { name: `${prefix}-h${i}` });
        new VethPair(`h${i}-cable`, { name: `${prefix}h${i}`, namespace: host.name, peerName: `${prefix}r${i}`, peerNamespace: router.name,
            addresses: [`${s.host}/31`], peerAddresses: [`${s.router}/31`], routes: [{ to: "default", via: s.router }] });
    }
    return;
}

const router = new Namespace("r", { name: `${prefix}-r` });
new Sysctl("r-forward", { namespace: router.name, key: "net.ipv4.ip_forward", value: "1" });
for (let i = 1; i <= n; i++) {
    const s = segment(i);
    const host = new Namespace(`h${i}`, { name: `${prefix}-h${i}` });
    const cable = new VethPair(`h${i}-cable`, { name: `${prefix}h${i}`, namespace: host.name, peerName: `${prefix}r${i}`, peerNamespace: router.name });
    const hostIp = new Address(`h${i}-ip`, { namespace: host.name, dev: cable.name, address: `${s.host}/31` });
    new Address(`r${i}-ip`, { namespace: router.name, dev: cable.peerName, address: `${s.router}/31` });
    new Route(`h${i}-default`, { namespace: host.name, to: "default", via: s.router }, { dependsOn: [hostIp] });
}
