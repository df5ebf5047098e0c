// The picture of a stack (graph/render.ts) from small hand-made exports shaped like
// `pulumi stack export`: what each kind contributes, components as groups, prefix stripping,
// unknown kinds drawn (never dropped), the same picture whatever the order of the state, and
// one-line errors for input that cannot be drawn. Plus the package command's arguments and the
// committed lesson pictures (one per lesson, shown in the README).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stackToDot, stackToSvg, StackGraphError } from "../../graph/render";
import { svgToPng } from "../../graph/png";
import { parseGraphArgs } from "../../cli/main";
import { picturePath } from "../../graph/pictures";
import { lessons } from "../../stacks/lessons";

const P = "nt9f9f-core-rt-";
const STACK = "urn:pulumi:t::pulumi-netns::pulumi:pulumi:Stack::pulumi-netns-t";

function res(kind: string, name: string, outputs: Record<string, unknown>, parent = STACK) {
    return {
        urn: `urn:pulumi:t::pulumi-netns::pulumi-nodejs:dynamic/netns:${kind}::${name}`, custom: true, id: name,
        type: `pulumi-nodejs:dynamic/netns:${kind}`, inputs: outputs, outputs: { ...outputs, __provider: "exports.handler = () => 0;\n" }, parent,
    };
}
function component(type: string, name: string, outputs: Record<string, unknown> = {}) {
    return { urn: `urn:pulumi:t::pulumi-netns::${type}::${name}`, custom: false, type, outputs, parent: STACK };
}
function exported(resources: unknown[]) {
    return {
        version: 3,
        deployment: {
            manifest: {},
            resources: [
                { urn: STACK, custom: false, type: "pulumi:pulumi:Stack", outputs: {} },
                { urn: "urn:pulumi:t::pulumi-netns::pulumi:providers:pulumi-nodejs::default", custom: true, id: "x", type: "pulumi:providers:pulumi-nodejs" },
                ...resources,
            ],
        },
    };
}

/** The router lesson, as its state holds it, under a test prefix. */
const router = () => [
    res("Namespace", "ns1", { name: `${P}ns1` }),
    res("Namespace", "router", { name: `${P}router` }),
    res("Namespace", "ns2", { name: `${P}ns2` }),
    res("VethPair", "ns1-router", { name: "ns1-veth0", namespace: `${P}ns1`, peerName: "gw-veth0", peerNamespace: `${P}router`, up: true, peerUp: true, ifindex: 2, liveAddress: "52:ee:c0:ed:41:4a", liveMtu: 1500 }),
    res("VethPair", "ns2-router", { name: "ns2-veth0", namespace: `${P}ns2`, peerName: "gw-veth1", peerNamespace: `${P}router`, mtu: 9000, up: true, peerUp: false }),
    res("Address", "ns1-ip", { namespace: `${P}ns1`, dev: "ns1-veth0", address: "192.0.2.1/24" }),
    res("Address", "gw-veth0-ip", { namespace: `${P}router`, dev: "gw-veth0", address: "192.0.2.254/24" }),
    res("Address", "gw-veth1-ip", { namespace: `${P}router`, dev: "gw-veth1", address: "198.51.100.254/24" }),
    res("Address", "ns2-ip", { namespace: `${P}ns2`, dev: "ns2-veth0", address: "198.51.100.1/24" }),
    res("Route", "ns1-default", { namespace: `${P}ns1`, to: "default", via: "192.0.2.254", table: "main" }),
    res("Route", "ns2-default", { namespace: `${P}ns2`, to: "default", via: "198.51.100.254", table: "main" }),
    res("Sysctl", "router-forward", { namespace: `${P}router`, key: "net.ipv4.ip_forward", value: "1", previous: "0" }),
    res("Sysctl", "ns2-forward6", { namespace: `${P}ns2`, key: "net.ipv6.conf.all.forwarding", value: "0" }),
];

const T = "netns-aws:ec2:";

/** The VPC lesson's core, as its state holds it: components (Vpc, Subnet, RouteTable, Instance) as parents. */
function vpc() {
    const vpcU = `urn:pulumi:t::pulumi-netns::${T}Vpc::dev-vpc`, subU = `urn:pulumi:t::pulumi-netns::${T}Subnet::dev-subnet-public`;
    const rtU = `urn:pulumi:t::pulumi-netns::${T}RouteTable::dev-routetable`, webU = `urn:pulumi:t::pulumi-netns::${T}Instance::dev-web`;
    return [
        component(`${T}Vpc`, "dev-vpc"), component(`${T}Subnet`, "dev-subnet-public"), component(`${T}RouteTable`, "dev-routetable", { table: 101 }),
        component(`${T}Instance`, "dev-web"), component(`${T}RouteTable`, "dev-vpc-main", { table: 100 }),
        res("Namespace", "dev-vpc", { name: `${P}dev-vpc` }, vpcU),
        res("Rule", "dev-vpc-main-association", { namespace: `${P}dev-vpc`, priority: 32000, from: "192.168.0.0/16", to: "all", lookup: 100 }, vpcU),
        res("Rule", "dev-vpc-end", { namespace: `${P}dev-vpc`, priority: 32001, from: "192.168.0.0/16", to: "all", type: "unreachable" }, vpcU),
        res("Bridge", "dev-subnet-public-bridge", { name: "br-public", namespace: `${P}dev-vpc`, up: true }, subU),
        res("Address", "dev-subnet-public-router", { namespace: `${P}dev-vpc`, dev: "br-public", address: "192.168.1.1/28" }, subU),
        res("Route", "dev-routetable-default", { namespace: `${P}dev-vpc`, to: "0.0.0.0/0", via: "203.0.113.1", dev: "dev-igw", table: 101 }, rtU),
        res("Namespace", "dev-web", { name: `${P}dev-web` }, webU),
        res("VethPair", "dev-web-eni", { name: "eth0", namespace: `${P}dev-web`, peerName: "dev-web", peerNamespace: `${P}dev-vpc`, peerMaster: "br-public" }, webU),
        res("Address", "dev-web-ip", { namespace: `${P}dev-web`, dev: "eth0", address: "192.168.1.4/28" }, webU),
    ];
}

describe("stackToDot", () => {
    const dot = stackToDot(exported(router()), { stripPrefix: P });

    it("draws each namespace as a box under the seed's name, the prefix taken off", () => {
        for (const n of ["ns1", "router", "ns2"]) expect(dot).toContain(`subgraph "cluster_ns_${n}"`);
        expect(dot).not.toContain(P);
        expect(stackToDot(exported(router()))).toContain(`cluster_ns_${P}router`);
    });

    it("puts each interface in its namespace with its name and address, and a veth pair as an edge between the two ends", () => {
        expect(dot).toContain(`"if:ns1/ns1-veth0" [label=<<b>ns1-veth0</b><br/>192.0.2.1/24>`);
        expect(dot).toContain(`"if:router/gw-veth1" [label=<<b>gw-veth1</b><br/>198.51.100.254/24<br/>mtu 9000`);
        expect(dot).toMatch(/"if:ns1\/ns1-veth0" -- "if:router\/gw-veth0";/);
        // Walked from one end: ns1, router, ns2 read from left to right.
        expect(dot).toMatch(/"if:router\/gw-veth1" -- "if:ns2\/ns2-veth0" \[style=dashed/);
    });

    it("shows MTU only where it is not 1500, and a down end as down", () => {
        expect(dot).not.toMatch(/mtu 1500/);
        expect(dot).toContain("mtu 9000");
        expect(dot).toMatch(/"if:router\/gw-veth1" \[label=<[^\n]*down/);
    });

    it("writes forwarding on or off, and the routes", () => {
        expect(dot).toContain("IPv4 forwarding <b>on</b>");
        expect(dot).toContain("IPv6 forwarding <b>off</b>");
        expect(dot).toContain("default via 192.0.2.254");
        expect(dot).toContain("default via 198.51.100.254");
    });

    it("leaves out what the kernel chose unless asked (it changes on every run)", () => {
        expect(dot).not.toContain("52:ee:c0:ed:41:4a");
        expect(dot).not.toContain("ifindex");
        const detailed = stackToDot(exported(router()), { stripPrefix: P, details: true });
        expect(detailed).toContain("52:ee:c0:ed:41:4a");
        expect(detailed).toContain("ifindex 2");
    });

    it("comes out the same whatever the order of the state", () => {
        const reversed = stackToDot(exported(router().reverse()), { stripPrefix: P });
        expect(reversed).toBe(dot);
    });

    it("draws unknown kinds and other providers' resources as plain nodes, never drops them", () => {
        const d = stackToDot(exported([
            ...router(),
            res("Geneve", "gen1", { namespace: `${P}ns1` }),
            { urn: "urn:pulumi:t::pulumi-netns::aws:s3/bucket:Bucket::logs", custom: true, id: "logs", type: "aws:s3/bucket:Bucket", outputs: {}, parent: STACK },
        ]), { stripPrefix: P });
        expect(d).toContain("subgraph cluster_other");
        expect(d).toMatch(/gen1<br\/><font[^>]*>pulumi-nodejs:dynamic\/netns:Geneve</);
        expect(d).toMatch(/logs<br\/><font[^>]*>aws:s3\/bucket:Bucket</);
        expect(stackToDot(exported(router()))).not.toContain("cluster_other");
    });

    it("draws a namespace that is referred to but not in the stack, marked so", () => {
        const d = stackToDot(exported([res("Namespace", "a", { name: "a" }), res("VethPair", "a-b", { name: "a0", namespace: "a", peerName: "b0", peerNamespace: "b" })]));
        expect(d).toMatch(/subgraph "cluster_ns_b" \{\n\s*label=<<b>b<\/b> <font[^>]*>not in this stack/);
    });

    it("groups a VPC like the console: subnets (component with a bridge) hold their instances; tables and rules by name", () => {
        const d = stackToDot(exported(vpc()), { stripPrefix: P });
        // dev-vpc's box holds the subnet's box, which holds the bridge and dev-web's box.
        const box = d.indexOf(`subgraph "cluster_ns_dev-vpc"`), subnet = d.indexOf(`subgraph "cluster_c_${T}Subnet::dev-subnet-public"`);
        const web = d.indexOf(`subgraph "cluster_ns_dev-web"`), bridge = d.indexOf(`"if:dev-vpc/br-public" [`);
        expect(box).toBeGreaterThan(-1);
        expect(subnet).toBeGreaterThan(box);
        expect(bridge).toBeGreaterThan(subnet);
        expect(web).toBeGreaterThan(bridge);
        expect(d).toMatch(/<b>dev-subnet-public<\/b> <font[^>]*>Subnet 192\.168\.1\.0\/28</);
        expect(d).toMatch(/<b>dev-web<\/b> <font[^>]*>Instance</);
        // The bridge is a node of its own with one cell per port; the instance's cable ends on its port.
        expect(d).toMatch(/"if:dev-vpc\/br-public" \[shape=plain[^\n]*<td port="p_dev_web"[^>]*>dev-web</);
        expect(d).toContain(`"if:dev-vpc/br-public":p_dev_web -- "if:dev-web/eth0";`);
        expect(d).toContain("table 100 (dev-vpc-main): no routes");
        expect(d).toContain("table 101 (dev-routetable)");
        expect(d).toContain("0.0.0.0/0 via 203.0.113.1 dev dev-igw");
        expect(d).toContain("32000: from 192.168.0.0/16 lookup 100");
        expect(d).toContain("32001: from 192.168.0.0/16 unreachable");
        expect(d).toContain("rankdir=TB");
        // Nothing of the stack's name (its URNs) in the picture: every stack of a lesson draws the same.
        expect(d).not.toContain("urn:pulumi:t::");
    });

    it("draws every stack of a lesson the same: nothing of the stack's name or the prefix shows", () => {
        const other = JSON.parse(JSON.stringify(exported(vpc())).replaceAll("urn:pulumi:t::", "urn:pulumi:nt0000-vpc-vpc::").replaceAll(P, "pic1234-"));
        expect(stackToDot(other, { stripPrefix: "pic1234-" })).toBe(stackToDot(exported(vpc()), { stripPrefix: P }));
    });

    it("escapes names for Graphviz's HTML labels", () => {
        const d = stackToDot(exported([res("Namespace", "x", { name: "a<b&c" })]));
        expect(d).toContain("<b>a&lt;b&amp;c</b>");
    });
});

describe("input that cannot be drawn: one line, and what to do", () => {
    it.each([
        ["null", null, /^not a stack export: expected the JSON of `pulumi stack export`/],
        ["an array", [], /^not a stack export/],
        ["no deployment", { version: 3 }, /^not a stack export/],
        ["resources not a list", { deployment: { resources: "x" } }, /^not a stack export: "deployment.resources" is not a list$/],
        ["a stack never brought up", { version: 3, deployment: { manifest: {} } }, /^the stack holds no resources: bring it up first \(pulumi up\)/],
        ["a destroyed stack", exported([]), /^the stack holds no resources: bring it up first \(pulumi up\)/],
        ["other providers only", exported([{ urn: "urn:pulumi:t::p::aws:s3/bucket:Bucket::b", custom: true, type: "aws:s3/bucket:Bucket", parent: STACK }]),
            /^the stack holds no pulumi-netns resources, only aws:s3\/bucket:Bucket: nothing to draw/],
    ])("%s", (_what, input, message) => {
        let err: unknown;
        try {
            stackToDot(input);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(StackGraphError);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).not.toContain("\n");
    });
});

describe("stackToSvg and svgToPng", () => {
    it("lays the graph out with Graphviz and sets it in DejaVu Sans, which the PNG renderer loads from the package", async () => {
        const svg = await stackToSvg(exported(router()), { stripPrefix: P, title: "lesson router" });
        expect(svg).toMatch(/^<\?xml[\s\S]*<svg /);
        expect(svg).toContain(">192.0.2.254/24</text>");
        expect(svg).toContain(">lesson router</text>");
        expect(svg).toContain(`font-family="DejaVu Sans,Verdana,sans-serif"`);
        expect(svg).toContain(`font-family="DejaVu Sans Mono,Courier New,Courier,monospace"`);
        expect(svg).not.toMatch(/font-family="(Times|Courier,monospace)/);
        const png = svgToPng(svg);
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        expect(png.length).toBeGreaterThan(5000);
    });
});

describe("pulumi-netns graph: arguments", () => {
    it("reads the flags", () => {
        expect(parseGraphArgs(["--stack", "dev", "--cwd", "/p", "--png", "-o", "x.svg", "--strip-prefix=t-", "--details", "--direction", "TB"]))
            .toEqual({ stack: "dev", cwd: "/p", png: true, out: "x.svg", stripPrefix: "t-", details: true, direction: "TB" });
    });

    it.each([
        [[], /^which stack\? pass --stack NAME/],
        [["--stack"], /^--stack needs a value/],
        [["--stack", "dev", "--colour"], /^unknown argument "--colour"/],
        [["--stack", "dev", "--direction", "up"], /^--direction must be LR or TB, not "up"$/],
    ])("refuses %j in one line", (argv, message) => {
        expect(() => parseGraphArgs(argv)).toThrow(message);
        try { parseGraphArgs(argv); } catch (e) { expect((e as Error).message).not.toContain("\n"); }
    });
});

describe("the lesson pictures", () => {
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");

    it.each(Object.keys(lessons))("%s: docs/lessons has its picture and the README shows it (npm run pictures draws it)", (lesson) => {
        expect(existsSync(picturePath(lesson)), `${picturePath(lesson)} is missing: run npm run pictures ${lesson}`).toBe(true);
        // Graphviz writes "-" as "&#45;" in SVG text.
        expect(readFileSync(picturePath(lesson), "utf8").replaceAll("&#45;", "-")).toContain(`>lesson ${lesson}</text>`);
        expect(readme).toContain(`](docs/lessons/${lesson}.svg)`);
    });
});

describe("the inline form (VethPair addresses and routes, Bridge addresses, Namespace sysctls)", () => {
    const inline = () => [
        res("Namespace", "ns1", { name: `${P}ns1` }),
        res("Namespace", "router", { name: `${P}router`, sysctls: { "net.ipv4.ip_forward": "1" }, previousSysctls: { "net.ipv4.ip_forward": "0" } }),
        res("VethPair", "ns1-router", { name: "ns1-veth0", namespace: `${P}ns1`, peerName: "gw-veth0", peerNamespace: `${P}router`, up: true, peerUp: true,
            addresses: ["192.0.2.1/24"], peerAddresses: ["192.0.2.254/24"], routes: [{ to: "default", via: "192.0.2.254", table: "main" }] }),
        res("Bridge", "br", { name: "br0", namespace: `${P}router`, up: true, addresses: ["198.51.100.254/24"] }),
    ];
    const dot = stackToDot(exported(inline()), { stripPrefix: P });

    it("draws inline addresses on their interfaces, as Address resources are drawn", () => {
        expect(dot).toContain(`"if:ns1/ns1-veth0" [label=<<b>ns1-veth0</b><br/>192.0.2.1/24>`);
        expect(dot).toContain(`"if:router/gw-veth0" [label=<<b>gw-veth0</b><br/>192.0.2.254/24>`);
        expect(dot).toContain("198.51.100.254/24");
    });

    it("draws inline routes through their end, and inline sysctls", () => {
        expect(dot).toContain("default via 192.0.2.254 dev ns1-veth0");
        expect(dot).toContain("IPv4 forwarding <b>on</b>");
    });
});

describe("tunnels (issue 24)", () => {
    const tunnels = () => [
        res("Namespace", "a", { name: `${P}a` }),
        res("Namespace", "b", { name: `${P}b` }),
        res("VethPair", "under", { name: "ua", namespace: `${P}a`, peerName: "ub", peerNamespace: `${P}b`, addresses: ["192.0.2.1/30"], peerAddresses: ["192.0.2.2/30"] }),
        res("Tunnel", "tb", { name: "vx0", namespace: `${P}b`, type: "vxlan", vni: 42, dstport: 4789, dev: "ub", local: "192.0.2.2", remote: "192.0.2.1", mtu: 1450, up: true, addresses: ["198.51.100.2/30"] }),
        res("Tunnel", "ta", { name: "vx0", namespace: `${P}a`, type: "vxlan", vni: 42, dstport: 4789, dev: "ua", local: "192.0.2.1", remote: "192.0.2.2", mtu: 1450, up: true, addresses: ["198.51.100.1/30"] }),
        res("Tunnel", "lone", { name: "vx1", namespace: `${P}a`, type: "vxlan", vni: 43, dstport: 4789, dev: "ua", remote: "192.0.2.9", mtu: 1450, up: false }),
    ];
    const dot = stackToDot(exported(tunnels()), { stripPrefix: P });

    it("draws each end in its namespace with its encapsulation and underlay, its inner address and MTU", () => {
        expect(dot).toContain(`"if:a/vx0" [label=<<b>vx0</b><br/><font point-size="9" color="#1f5fa8">vxlan 42 over ua</font><br/>198.51.100.1/30<br/>mtu 1450>`);
        expect(dot).toContain(`"if:b/vx0" [label=<<b>vx0</b><br/><font point-size="9" color="#1f5fa8">vxlan 42 over ub</font>`);
    });

    it("joins the two ends that name each other by a dotted line across the cable that carries them, and only those", () => {
        expect(dot).toMatch(/"if:a\/ua" -- "if:b\/ub";/);
        expect(dot).toContain(`"if:a/vx0" -- "if:b/vx0" [style=dotted, penwidth=2, color="#1f5fa8", constraint=false, label=<<font point-size="8" color="#1f5fa8">vxlan 42</font>>];`);
        expect(dot).not.toMatch(/"if:a\/vx1" -- /);
        expect(dot).not.toContain("other resources");
        expect(stackToDot(exported([...tunnels()].reverse()), { stripPrefix: P })).toBe(dot);
    });
});

describe("shaped links (LinkShaping, issue 24)", () => {
    const shaped = () => [
        res("Namespace", "a", { name: `${P}a` }),
        res("Namespace", "b", { name: `${P}b` }),
        res("VethPair", "ab", { name: "va", namespace: `${P}a`, peerName: "vb", peerNamespace: `${P}b`, addresses: ["192.0.2.1/30"], peerAddresses: ["192.0.2.2/30"] }),
        res("LinkShaping", "a-out", { namespace: `${P}a`, dev: "va", rate: "10mbit", burst: "32kb", latency: "50ms", qdisc: "tbf" }),
    ];
    const dot = stackToDot(exported(shaped()), { stripPrefix: P });

    it("writes the rate on the shaped end, as egress, and is no unknown resource", () => {
        expect(dot).toContain(`"if:a/va" [label=<<b>va</b><br/>192.0.2.1/30<br/><font point-size="9" color="#b35900">egress rate 10mbit</font>>`);
        expect(dot).not.toMatch(/"if:b\/vb" \[label=<[^\n]*egress/);
        expect(dot).not.toContain("other resources");
    });

    it("labels the cable at the shaped end with its rate, and only that end", () => {
        expect(dot).toContain(`"if:a/va" -- "if:b/vb" [taillabel=<<font point-size="8" color="#b35900">rate 10mbit →</font>>, penwidth=2, labeldistance=2.5];`);
        const otherEnd = shaped().map((r) => (r.id === "a-out" ? res("LinkShaping", "b-out", { namespace: `${P}b`, dev: "vb", rate: "1mbit", burst: "8kb", limit: "64kb", qdisc: "tbf" }) : r));
        expect(stackToDot(exported(otherEnd), { stripPrefix: P })).toContain(`"if:a/va" -- "if:b/vb" [headlabel=<<font point-size="8" color="#b35900">rate 1mbit →</font>>, penwidth=2, labeldistance=2.5];`);
        expect(stackToDot(exported([...shaped()].reverse()), { stripPrefix: P })).toBe(dot);
    });

    it("netem's words (delay, jitter, loss) where the kernel has it", () => {
        const netem = shaped().map((r) => (r.id === "a-out" ? res("LinkShaping", "a-out", { namespace: `${P}a`, dev: "va", delay: "20ms", jitter: "5ms", loss: 1, qdisc: "netem" }) : r));
        expect(stackToDot(exported(netem), { stripPrefix: P })).toContain("egress delay 20ms ± 5ms loss 1%");
    });
});
