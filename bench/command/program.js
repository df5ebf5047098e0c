// (e) The star of bench/star/program.js as a Pulumi user would write it without pulumi-netns:
// @pulumi/command local.Command resources running `ip`, one resource per object (5N+2), with
// the same dependencies, each with its create and delete command.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { local } = require("@pulumi/command");
const { segment } = require("../lib/topology.js");

const config = new pulumi.Config();
const n = config.requireNumber("n");
const p = config.require("prefix");
const R = `${p}-r`;

const router = new local.Command("r", { create: `ip netns add ${R} && ip -n ${R} link set lo up`, delete: `ip netns del ${R}` });
new local.Command("r-forward", { create: `ip netns exec ${R} sysctl -qw net.ipv4.ip_forward=1`, delete: `ip netns exec ${R} sysctl -qw net.ipv4.ip_forward=0 || true` }, { dependsOn: [router] });
for (let i = 1; i <= n; i++) {
    const s = segment(i);
    const H = `${p}-h${i}`, hx = `${p}h${i}`, rx = `${p}r${i}`;
    const host = new local.Command(`h${i}`, { create: `ip netns add ${H} && ip -n ${H} link set lo up`, delete: `ip netns del ${H}` });
    const cable = new local.Command(`h${i}-cable`, {
        create: `ip -n ${H} link add ${hx} up type veth peer name ${rx} netns ${R} && ip -n ${R} link set ${rx} up`,
        delete: `ip -n ${H} link del ${hx} || true`,
    }, { dependsOn: [host, router] });
    const hostIp = new local.Command(`h${i}-ip`, { create: `ip -n ${H} address add ${s.host}/31 dev ${hx}`, delete: `ip -n ${H} address del ${s.host}/31 dev ${hx} || true` }, { dependsOn: [cable] });
    new local.Command(`r${i}-ip`, { create: `ip -n ${R} address add ${s.router}/31 dev ${rx}`, delete: `ip -n ${R} address del ${s.router}/31 dev ${rx} || true` }, { dependsOn: [cable] });
    new local.Command(`h${i}-default`, { create: `ip -n ${H} route add default via ${s.router}`, delete: `ip -n ${H} route del default via ${s.router} || true` }, { dependsOn: [hostIp] });
}
