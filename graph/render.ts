// The picture of a stack: what `pulumi up` made, read from the stack's state (the JSON of
// `pulumi stack export`), drawn by Graphviz (compiled to WebAssembly: @viz-js/viz).
//
// Namespaces are boxes (Graphviz clusters) with what matters inside: forwarding on or off, the
// routes by table, the rules. Interfaces are small boxes inside their namespace with their name,
// addresses and MTU (where it is not 1500); a veth pair is an edge between its two ends. A bridge
// is its own node, with one cell per port. Component resources group what they hold, the way the
// AWS console does: a namespace made by a component (an Instance, the VPC's router) is labelled
// with it, and a component that owns a bridge (a Subnet) is a box around the bridge and the
// namespaces that hang on it alone. Anything of another kind or another provider is drawn as a
// plain node under "other resources": nothing in the state is left out without a word.
//
// Everything is sorted by name before it is drawn: the state lists resources in the order they
// finished, which changes from run to run, and a committed picture must come out the same.

/** What the renderer takes: the parsed JSON of `pulumi stack export`. */
export interface StackExport {
    version?: number;
    deployment?: { resources?: ExportedResource[] | null };
}

export interface ExportedResource {
    urn: string;
    type: string;
    custom?: boolean;
    delete?: boolean;
    parent?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

export interface GraphOptions {
    /** Removed from the start of every namespace name: a lesson run under a test prefix shows the seed's names. */
    stripPrefix?: string;
    /** Also draw what the kernel chose (MAC, IPv6 link-local, ifindex) when the state holds it. Off by default: these change on every run. */
    details?: boolean;
    /** A line at the top of the picture, e.g. the stack's name. */
    title?: string;
    /** Layout direction: left to right, or top to bottom; "auto" (the default) is top to bottom when subnets group namespaces (a VPC), else left to right. */
    direction?: "LR" | "TB" | "auto";
}

/** The input is no stack export, or holds nothing to draw: the message says what is missing. */
export class StackGraphError extends Error {
    override name = "StackGraphError";
}

const NETNS_TYPE = "pulumi-nodejs:dynamic/netns:";
const KNOWN = new Set(["Namespace", "VethPair", "Bridge", "Address", "Route", "Rule", "Sysctl", "Tunnel", "LinkShaping"]);

interface Iface {
    ns: string;
    name: string;
    kind: "veth" | "bridge" | "tunnel" | "other";
    /** A Tunnel end: its encapsulation in words ("vxlan 42 over ua"), its addresses on the underlay, its other end. */
    tunnel?: { words: string; key: string; local?: string | undefined; remote?: string | undefined; group?: string | undefined };
    addresses: string[];
    /** A LinkShaping on this end: what leaves it, in tc's words ("rate 10mbit", "delay 20ms loss 1%"). */
    shaping?: string;
    mtu?: number;
    up: boolean;
    master?: string;
    details: string[];
    /** The component that owns a bridge (a Subnet), as a URN. */
    owner?: string;
}

interface Ns {
    name: string;
    /** The Namespace resource's name in the stack; undefined when the stack only refers to it. */
    resource?: string;
    /** The component that made it (an Instance), as a URN. */
    owner?: string;
    ifaces: Map<string, Iface>;
    routes: { table: string; line: string }[];
    rules: { priority: number; line: string }[];
    sysctls: Map<string, string>;
}

interface Link {
    a: Iface;
    b: Iface;
}

interface Component {
    urn: string;
    type: string;
    name: string;
    outputs: Record<string, unknown>;
}

interface Model {
    namespaces: Map<string, Ns>;
    links: Link[];
    /** Tunnels: two ends that name each other (local and remote), or that share a group; drawn over the cables, not part of the layout. */
    tunnels: Link[];
    components: Map<string, Component>;
    /** Table number -> the component that names it (a RouteTable), per namespace. */
    tableNames: Map<string, string>;
    others: { type: string; name: string }[];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
/** A URN without its stack and project (`urn:pulumi:STACK::PROJECT::`): the same in every stack of a lesson. */
const urnTail = (urn: string) => urn.split("::").slice(2).join("::");
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function resourcesOf(exported: unknown): ExportedResource[] {
    const d = (exported as StackExport | null)?.deployment;
    if (typeof exported !== "object" || exported === null || typeof d !== "object" || d === null) {
        throw new StackGraphError("not a stack export: expected the JSON of `pulumi stack export` (an object with a \"deployment\")");
    }
    const rs = d.resources ?? [];
    if (!Array.isArray(rs)) throw new StackGraphError("not a stack export: \"deployment.resources\" is not a list");
    return rs.filter((r): r is ExportedResource => typeof r === "object" && r !== null && typeof r.urn === "string" && typeof r.type === "string");
}

/** Reads the state into namespaces, interfaces and links. Throws StackGraphError when nothing can be drawn. */
function readModel(exported: unknown, opts: GraphOptions): Model {
    const all = resourcesOf(exported).filter((r) => !r.delete);
    const strip = opts.stripPrefix ?? "";
    const nsName = (v: unknown) => {
        const s = str(v) ?? "?";
        return strip && s.startsWith(strip) ? s.slice(strip.length) : s;
    };
    const m: Model = { namespaces: new Map(), links: [], tunnels: [], components: new Map(), tableNames: new Map(), others: [] };
    const ns = (name: string): Ns => {
        let n = m.namespaces.get(name);
        if (!n) m.namespaces.set(name, (n = { name, ifaces: new Map(), routes: [], rules: [], sysctls: new Map() }));
        return n;
    };
    const iface = (nsn: string, name: string, kind: Iface["kind"] = "other"): Iface => {
        const n = ns(nsn);
        let i = n.ifaces.get(name);
        if (!i) n.ifaces.set(name, (i = { ns: nsn, name, kind, addresses: [], up: true, details: [] }));
        if (kind !== "other") i.kind = kind;
        return i;
    };
    const component = (urn: string | undefined) => (urn ? m.components.get(urn) : undefined);

    const netns = all.filter((r) => r.type.startsWith(NETNS_TYPE));
    if (netns.length === 0) {
        const kinds = [...new Set(all.filter((r) => r.custom !== false && !r.type.startsWith("pulumi:")).map((r) => r.type))].sort();
        throw new StackGraphError(kinds.length
            ? `the stack holds no pulumi-netns resources, only ${kinds.join(", ")}: nothing to draw (bring up a stack that uses pulumi-netns)`
            : "the stack holds no resources: bring it up first (pulumi up), then draw it");
    }
    for (const r of all) {
        if (r.custom === false && r.type !== "pulumi:pulumi:Stack") {
            m.components.set(r.urn, { urn: r.urn, type: r.type, name: nameOf(r.urn), outputs: r.outputs ?? {} });
        }
    }
    // Namespaces first: every other kind refers to them.
    const byKind = (k: string) => netns.filter((r) => r.type === NETNS_TYPE + k).sort((a, b) => urnTail(a.urn).localeCompare(urnTail(b.urn)));
    for (const r of byKind("Namespace")) {
        const n = ns(nsName((r.outputs ?? r.inputs)?.name));
        n.resource = nameOf(r.urn);
        const sysctls = (r.outputs ?? r.inputs)?.sysctls; // inline (Namespace sysctls)
        if (sysctls && typeof sysctls === "object") for (const [k, v] of Object.entries(sysctls)) n.sysctls.set(k, String(v));
        if (component(r.parent)) n.owner = r.parent;
    }
    for (const r of byKind("Bridge")) {
        const o = r.outputs ?? r.inputs ?? {};
        const b = iface(nsName(o.namespace), str(o.name) ?? "?", "bridge");
        b.mtu = num(o.mtu) ?? num(o.liveMtu);
        b.up = o.up !== false;
        if (component(r.parent)) b.owner = r.parent;
        b.details = kernelDetails(o, "", opts);
        b.addresses.push(...strings(o.addresses)); // inline (Bridge addresses)
    }
    for (const r of byKind("VethPair")) {
        const o = r.outputs ?? r.inputs ?? {};
        const a = iface(nsName(o.namespace), str(o.name) ?? "?", "veth");
        const b = iface(nsName(o.peerNamespace), str(o.peerName) ?? "?", "veth");
        // The MTU asked for, else the one read back from the kernel.
        a.mtu = num(o.mtu) ?? num(o.liveMtu);
        b.mtu = num(o.peerMtu) ?? num(o.mtu) ?? num(o.peerLiveMtu);
        a.up = o.up !== false;
        b.up = o.peerUp !== false;
        a.master = str(o.master);
        b.master = str(o.peerMaster);
        a.details = kernelDetails(o, "", opts);
        b.details = kernelDetails(o, "peer", opts);
        // Inline entries (VethPair addresses, routes and their peer* twins) are drawn as the standalone ones.
        a.addresses.push(...strings(o.addresses));
        b.addresses.push(...strings(o.peerAddresses));
        for (const [end, list] of [[a, o.routes], [b, o.peerRoutes]] as const) {
            for (const x of Array.isArray(list) ? list as Record<string, unknown>[] : []) addRoute({ ...x, namespace: end.ns, dev: end.name });
        }
        m.links.push({ a, b });
    }
    const tunnelEnds: Iface[] = [];
    for (const r of byKind("Tunnel")) {
        const o = r.outputs ?? r.inputs ?? {};
        const i = iface(nsName(o.namespace), str(o.name) ?? "?", "tunnel");
        const type = str(o.type) ?? "tunnel";
        i.mtu = num(o.mtu);
        i.up = o.up !== false;
        i.details = kernelDetails(o, "", opts);
        i.addresses.push(...strings(o.addresses));
        for (const x of Array.isArray(o.routes) ? o.routes as Record<string, unknown>[] : []) addRoute({ ...x, namespace: i.ns, dev: i.name });
        const vni = num(o.vni);
        i.tunnel = { words: `${type}${vni !== undefined ? ` ${vni}` : ""} over ${str(o.dev) ?? "?"}`, key: `${type} ${vni ?? ""} ${num(o.dstport) ?? ""}`,
            local: str(o.local), remote: str(o.remote), group: str(o.group) };
        tunnelEnds.push(i);
    }
    // The two ends of one tunnel name each other's underlay address; the ends of one VXLAN segment share its group.
    for (const [k, x] of tunnelEnds.entries()) {
        for (const y of tunnelEnds.slice(k + 1)) {
            const [tx, ty] = [x.tunnel!, y.tunnel!];
            if (tx.key !== ty.key) continue;
            const paired = tx.group !== undefined ? tx.group === ty.group : tx.remote !== undefined && tx.remote === ty.local && ty.remote === tx.local;
            if (paired) m.tunnels.push({ a: x, b: y });
        }
    }
    // Shaping (egress of one end): drawn on that end and on its cable, with the rate.
    for (const r of byKind("LinkShaping")) {
        const o = r.outputs ?? r.inputs ?? {};
        const i = iface(nsName(o.namespace), str(o.dev) ?? "?");
        const words = [
            str(o.rate) ? `rate ${str(o.rate)}` : "",
            str(o.delay) ? `delay ${str(o.delay)}${str(o.jitter) ? ` ± ${str(o.jitter)}` : ""}` : "",
            o.loss !== undefined && o.loss !== null ? `loss ${String(o.loss).replace(/%$/, "")}%` : "",
        ].filter(Boolean).join(" ");
        i.shaping = words || "shaped";
    }
    for (const r of byKind("Address")) {
        const o = r.outputs ?? r.inputs ?? {};
        iface(nsName(o.namespace), str(o.dev) ?? "?").addresses.push(str(o.address) ?? "?");
    }
    function addRoute(o: Record<string, unknown>, parent?: string): void {
        const table = o.table === undefined || o.table === "main" ? "main" : String(o.table);
        const parts = [str(o.to) ?? "?"];
        if (str(o.via)) parts.push("via", str(o.via)!);
        if (str(o.dev)) parts.push("dev", str(o.dev)!);
        if (num(o.metric) !== undefined) parts.push("metric", String(o.metric));
        if (str(o.src)) parts.push("src", str(o.src)!);
        const n = ns(nsName(o.namespace));
        n.routes.push({ table, line: parts.join(" ") });
        const owner = component(parent);
        if (table !== "main" && owner) m.tableNames.set(`${n.name}/${table}`, owner.name);
    }
    for (const r of byKind("Route")) addRoute(r.outputs ?? r.inputs ?? {}, r.parent);
    for (const r of byKind("Rule")) {
        const o = r.outputs ?? r.inputs ?? {};
        const from = str(o.from) ?? "all", to = str(o.to) ?? "all";
        const action = str(o.type) ?? `lookup ${String(o.lookup ?? "main")}`;
        const priority = num(o.priority) ?? 0;
        ns(nsName(o.namespace)).rules.push({ priority, line: `${priority}: from ${from}${to !== "all" ? ` to ${to}` : ""} ${action}` });
    }
    for (const r of byKind("Sysctl")) {
        const o = r.outputs ?? r.inputs ?? {};
        ns(nsName(o.namespace)).sysctls.set(str(o.key) ?? "?", String(o.value ?? "?"));
    }
    // A route table made by a component with no routes of its own (the VPC's main one) is named by its output.
    for (const c of m.components.values()) {
        const table = num(c.outputs.table);
        if (table === undefined) continue;
        const where = [...m.namespaces.values()].find((n) => n.rules.some((r) => r.line.endsWith(`lookup ${table}`)));
        if (where && !m.tableNames.has(`${where.name}/${table}`)) m.tableNames.set(`${where.name}/${table}`, c.name);
    }
    for (const r of all) {
        const kind = r.type.startsWith(NETNS_TYPE) ? r.type.slice(NETNS_TYPE.length) : undefined;
        if (kind !== undefined ? KNOWN.has(kind) : r.custom === false || r.type.startsWith("pulumi:providers:") || r.type === "pulumi:pulumi:Stack") continue;
        m.others.push({ type: r.type, name: nameOf(r.urn) });
    }
    m.others.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    return m;
}

function kernelDetails(o: Record<string, unknown>, side: "" | "peer", opts: GraphOptions): string[] {
    if (!opts.details) return [];
    const key = (k: string) => (side ? `peer${k[0]!.toUpperCase()}${k.slice(1)}` : k);
    const out: string[] = [];
    // `mac` (and the older `liveAddress`) is the MAC the kernel gave the end.
    const mac = str(o[key("mac")]) ?? str(o[key("liveAddress")]), ll = str(o[key("linkLocal")]), idx = num(o[key("ifindex")]);
    if (mac) out.push(mac);
    if (ll) out.push(ll);
    if (idx !== undefined) out.push(`ifindex ${idx}`);
    return out;
}

// ---- DOT ----------------------------------------------------------------------------------------

const FONT = "DejaVu Sans";
// Graphviz sizes text by its own tables of font metrics; it has DejaVu Sans, but not DejaVu Sans
// Mono, which it would measure as Times (too narrow). Courier has the same advance (0.6 em), so
// the boxes are sized for it; the SVG says "Courier,monospace" and the PNG renderer, which has no
// Courier, sets it in its monospace font, DejaVu Sans Mono.
const MONO = "Courier";
const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const id = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const ifId = (i: Iface) => id(`if:${i.ns}/${i.name}`);
const portId = (name: string) => `p_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** An interface's end of an edge: its own node, or its port cell on the bridge it belongs to. */
function endpoint(m: Model, i: Iface): string {
    const br = i.master ? m.namespaces.get(i.ns)?.ifaces.get(i.master) : undefined;
    return br && br.kind === "bridge" ? `${ifId(br)}:${portId(i.name)}` : ifId(i);
}

function forwarding(value: string | undefined): string | undefined {
    return value === undefined ? undefined : value === "0" ? "off" : "on";
}

/** The lines inside a namespace's box: forwarding, other sysctls, routes by table, rules. */
function nsLines(m: Model, n: Ns): string[] {
    const rows: string[] = [];
    const text = (s: string) => rows.push(`<tr><td align="left"><font point-size="10">${s}</font></td></tr>`);
    const mono = (s: string) => rows.push(`<tr><td align="left"><font face="${MONO}" point-size="9">${html(s)}</font></td></tr>`);
    const head = (s: string) => rows.push(`<tr><td align="left"><font point-size="9" color="#555555">${html(s)}</font></td></tr>`);
    const f4 = forwarding(n.sysctls.get("net.ipv4.ip_forward") ?? n.sysctls.get("net.ipv4.conf.all.forwarding"));
    const f6 = forwarding(n.sysctls.get("net.ipv6.conf.all.forwarding"));
    if (f4) text(`IPv4 forwarding <b>${f4}</b>`);
    if (f6) text(`IPv6 forwarding <b>${f6}</b>`);
    const shown = new Set(["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding"]);
    for (const [k, v] of [...n.sysctls].sort(([a], [b]) => a.localeCompare(b))) if (!shown.has(k)) mono(`${k} = ${v}`);
    const tables = new Map<string, string[]>();
    for (const r of n.routes) tables.set(r.table, [...(tables.get(r.table) ?? []), r.line]);
    for (const key of m.tableNames.keys()) {
        const [where, table] = key.split("/");
        if (where === n.name && !tables.has(table!)) tables.set(table!, []);
    }
    const order = [...tables.keys()].sort((a, b) => (a === "main" ? -1 : b === "main" ? 1 : Number(a) - Number(b)));
    for (const t of order) {
        const lines = tables.get(t)!.sort(routeOrder);
        if (t !== "main" || order.length > 1) {
            const named = m.tableNames.get(`${n.name}/${t}`);
            head(`table ${t}${named ? ` (${named})` : ""}${lines.length ? "" : ": no routes"}`);
        }
        for (const l of lines) mono(l);
    }
    if (n.rules.length) {
        head("rules");
        for (const r of [...n.rules].sort((a, b) => a.priority - b.priority)) mono(r.line);
    }
    return rows;
}

const routeOrder = (a: string, b: string) => (a.startsWith("default") ? -1 : b.startsWith("default") ? 1 : a.localeCompare(b));

function ifaceLabel(i: Iface): string {
    const lines = [`<b>${html(i.name)}</b>`];
    if (i.tunnel) lines.push(`<font point-size="9" color="#1f5fa8">${html(i.tunnel.words)}</font>`);
    for (const a of [...i.addresses].sort()) lines.push(html(a));
    if (i.mtu !== undefined && i.mtu !== 1500) lines.push(`mtu ${i.mtu}`);
    if (i.shaping) lines.push(`<font point-size="9" color="#b35900">egress ${html(i.shaping)}</font>`);
    if (!i.up) lines.push(`<font color="#b00020">down</font>`);
    for (const d of i.details) lines.push(`<font point-size="8" color="#555555">${html(d)}</font>`);
    return `<${lines.join("<br/>")}>`;
}

function bridgeLabel(b: Iface, ports: Iface[]): string {
    const head = [`<b>${html(b.name)}</b>`, `<font point-size="9" color="#555555">bridge</font>`];
    for (const a of [...b.addresses].sort()) head.push(html(a));
    if (b.mtu !== undefined && b.mtu !== 1500) head.push(`mtu ${b.mtu}`);
    if (!b.up) head.push(`<font color="#b00020">down</font>`);
    for (const d of b.details) head.push(`<font point-size="8" color="#555555">${html(d)}</font>`);
    const cells = ports.length
        ? ports.map((p) => `<td port="${portId(p.name)}" bgcolor="#ffffff">${html(p.name)}${p.up ? "" : ` <font color="#b00020">down</font>`}</td>`).join("")
        : `<td><font point-size="9" color="#555555">no ports</font></td>`;
    return `<<table border="1" cellborder="1" cellspacing="0" cellpadding="4" color="#7a5c00" bgcolor="#fff4d6">`
        + `<tr><td colspan="${Math.max(ports.length, 1)}">${head.join("<br/>")}</td></tr><tr>${cells}</tr></table>>`;
}

/** The network of a subnet: the bridge's first IPv4 address with its host bits cleared. */
function network(cidr: string | undefined): string | undefined {
    const m = cidr?.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/);
    if (!m) return undefined;
    const len = Number(m[5]);
    const v = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = (v & mask) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${len}`;
}

/** A network as text that sorts by address: 192.168.1.0/28 -> "192168001000/28". */
const sortableNet = (net: string | undefined) => (net ?? "~").replace(/\d+/g, (d) => d.padStart(3, "0"));

const shortType = (type: string) => type.split(":").pop() ?? type;

/** The stack as a Graphviz graph (DOT text). */
export function stackToDot(exported: unknown, options: GraphOptions = {}): string {
    const m = readModel(exported, options);
    const out: string[] = [];
    const w = (s: string, depth = 1) => out.push(`${"  ".repeat(depth)}${s}`);
    out.push("graph netns {");
    // Which namespaces hang on one bridge alone (through one veth end): they are drawn inside the
    // box of that bridge's component (a Subnet), itself inside the bridge's namespace.
    const linksOf = (n: string) => m.links.filter((l) => l.a.ns === n || l.b.ns === n);
    const hangsOn = new Map<string, Iface>();
    for (const n of m.namespaces.values()) {
        const ls = linksOf(n.name);
        if (ls.length !== 1) continue;
        const l = ls[0]!;
        const [mine, other] = l.a.ns === n.name ? [l.a, l.b] : [l.b, l.a];
        if (mine.master || other.ns === n.name || !other.master) continue;
        const br = m.namespaces.get(other.ns)?.ifaces.get(other.master);
        if (br?.kind === "bridge" && br.owner && m.namespaces.get(other.ns)?.owner !== br.owner) hangsOn.set(n.name, br);
    }

    const direction = options.direction === "auto" || options.direction === undefined ? (hangsOn.size ? "TB" : "LR") : options.direction;
    w(`graph [fontname="${FONT}", fontsize=12, rankdir=${direction}, nodesep=0.35, ranksep=0.45, pad=0.25, bgcolor="white", newrank=true, compound=true${options.title ? `, label=<<b>${html(options.title)}</b>>, labelloc=t, labeljust=l` : ""}];`);
    w(`node [fontname="${FONT}", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff", color="#333333", penwidth=1.2, margin="0.12,0.06"];`);
    w(`edge [fontname="${FONT}", fontsize=9, penwidth=2, color="#333333"];`);

    const drawn = new Set<string>();
    const drawNs = (n: Ns, depth: number, inSubnet = false) => {
        drawn.add(n.name);
        const owner = n.owner ? m.components.get(n.owner) : undefined;
        const title = [`<b>${html(n.name)}</b>`];
        if (owner) title.push(`<font point-size="9" color="#555555">${html(shortType(owner.type))}${owner.name !== n.resource ? ` ${html(owner.name)}` : ""}</font>`);
        if (n.resource === undefined) title.push(`<font point-size="9" color="#b00020">not in this stack</font>`);
        const lines = nsLines(m, n);
        const ifs = [...n.ifaces.values()].sort(byName);
        const bridged = (i: Iface) => i.master !== undefined && n.ifaces.get(i.master)?.kind === "bridge";
        const nodes = ifs.filter((i) => !bridged(i));
        // Left to right, what the namespace holds goes under its name: the box is as wide as its
        // widest line or its interfaces side by side, not both (a chain of routers stays readable).
        // Top to bottom, it is a node of its own between the interfaces, clear of the cables that come in from above.
        const inLabel = direction === "LR" && nodes.length > 0;
        const label = inLabel && lines.length
            ? `<table border="0" cellspacing="0" cellpadding="1"><tr><td align="left">${title.join(" ")}</td></tr>${lines.join("")}</table>`
            : title.join(" ");
        w(`subgraph ${id(`cluster_ns_${n.name}`)} {`, depth);
        // Inside a subnet the cable comes in from above, through where the name would be: the name goes below.
        w(`label=<${label}>; labeljust=l;${inSubnet && direction === "TB" ? " labelloc=b;" : ""} style="rounded,filled${n.resource === undefined ? ",dashed" : ""}"; fillcolor="#eef4fb"; color="#4a78b0"; penwidth=1.5;`, depth + 1);
        if ((!inLabel && lines.length) || nodes.length === 0) {
            const body = lines.length ? lines.join("") : `<tr><td><font point-size="9" color="#555555">lo only, no routes</font></td></tr>`;
            w(`${id(`info:${n.name}`)} [shape=plain, style="", label=<<table border="0" cellspacing="0" cellpadding="1">${body}</table>>];`, depth + 1);
        }
        // A component's bridge is a box of its own (a Subnet) holding the namespaces that hang on it.
        const subnets = new Map<string, Iface[]>();
        for (const i of nodes) {
            if (i.kind === "bridge" && i.owner && i.owner !== n.owner) subnets.set(i.owner, [...(subnets.get(i.owner) ?? []), i]);
        }
        for (const i of nodes) {
            if (i.kind === "bridge" && i.owner && subnets.has(i.owner)) continue;
            drawIface(n, i, depth + 1);
        }
        // Subnets in the order of their networks (192.168.1.0/28 before 192.168.2.0/28), as the console lists them.
        const netOf = (bridges: Iface[]) => network(bridges.flatMap((b) => b.addresses).sort().find((a) => network(a)));
        const sorted = [...subnets].map(([urn, bridges]) => ({ urn, bridges, net: netOf(bridges) }))
            .sort((a, b) => sortableNet(a.net).localeCompare(sortableNet(b.net)) || urnTail(a.urn).localeCompare(urnTail(b.urn)));
        for (const { urn, bridges, net } of sorted) {
            const c = m.components.get(urn)!;
            w(`subgraph ${id(`cluster_c_${urnTail(urn)}`)} {`, depth + 1);
            w(`label=<<b>${html(c.name)}</b> <font point-size="9" color="#555555">${html(shortType(c.type))}${net ? ` ${net}` : ""}</font>>; labeljust=l; style="rounded,filled"; fillcolor="#f1f8ec"; color="#4f8a3a"; penwidth=1.5;`, depth + 2);
            for (const b of bridges) {
                drawIface(n, b, depth + 2);
                for (const h of [...m.namespaces.values()].filter((x) => hangsOn.get(x.name) === b).sort(byName)) drawNs(h, depth + 2, true);
            }
            w("}", depth + 1);
        }
        w("}", depth);
    };
    const drawIface = (n: Ns, i: Iface, depth: number) => {
        if (i.kind === "bridge") {
            const ports = [...n.ifaces.values()].filter((p) => p.master === i.name).sort(byName);
            w(`${ifId(i)} [shape=plain, style="", label=${bridgeLabel(i, ports)}];`, depth);
        } else {
            w(`${ifId(i)} [label=${ifaceLabel(i)}${i.up ? "" : `, style="rounded,filled,dashed"`}${i.kind === "other" ? `, fillcolor="#f4f4f4"` : ""}];`, depth);
        }
    };

    // The order of the boxes follows the cables: start at one end of the longest path, so a chain
    // of routers reads from left to right.
    const order = layoutOrder(m, new Set(hangsOn.keys()));
    for (const name of order) {
        const n = m.namespaces.get(name)!;
        if (!drawn.has(name) && !hangsOn.has(name)) drawNs(n, 1);
    }
    for (const name of order) if (!drawn.has(name)) drawNs(m.namespaces.get(name)!, 1);

    const rank = new Map(order.map((n, i) => [n, i]));
    const links = [...m.links].map((l) => ((rank.get(l.a.ns) ?? 0) <= (rank.get(l.b.ns) ?? 0) ? l : { a: l.b, b: l.a }));
    links.sort((x, y) => `${x.a.ns}/${x.a.name}`.localeCompare(`${y.a.ns}/${y.a.name}`));
    for (const l of links) {
        const down = !l.a.up || !l.b.up;
        // A shaped end labels its side of the cable with what leaves it (egress: each direction on its own end).
        const shaped = (end: Iface) => `<<font point-size="8" color="#b35900">${html(`${end.shaping} →`)}</font>>`;
        const attrs = [
            ...(down ? [`style=dashed`, `color="#b00020"`] : []),
            ...(l.a.shaping ? [`taillabel=${shaped(l.a)}`] : []),
            ...(l.b.shaping ? [`headlabel=${shaped(l.b)}`] : []),
            ...(l.a.shaping || l.b.shaping ? [`penwidth=2`, `labeldistance=2.5`] : []),
        ];
        w(`${endpoint(m, l.a)} -- ${endpoint(m, l.b)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`);
    }
    // A tunnel: a dotted line between its two ends, across the cables that carry it, which keep the layout.
    const tunnels = [...m.tunnels].map((l) => ((rank.get(l.a.ns) ?? 0) <= (rank.get(l.b.ns) ?? 0) ? l : { a: l.b, b: l.a }));
    tunnels.sort((x, y) => `${x.a.ns}/${x.a.name}`.localeCompare(`${y.a.ns}/${y.a.name}`));
    for (const l of tunnels) {
        w(`${ifId(l.a)} -- ${ifId(l.b)} [style=dotted, penwidth=2, color="${!l.a.up || !l.b.up ? "#b00020" : "#1f5fa8"}", constraint=false, label=<<font point-size="8" color="#1f5fa8">${html(l.a.tunnel!.words.split(" over ")[0]!)}</font>>];`);
    }
    // Inside a namespace, its interfaces sit around the lines of its box: the box reads as a stop on the way.
    for (const n of m.namespaces.values()) {
        const ifs = [...n.ifaces.values()].filter((i) => !(i.master && n.ifaces.get(i.master)?.kind === "bridge")).sort(byName);
        const info = id(`info:${n.name}`);
        const hasInfo = out.some((l) => l.trimStart().startsWith(`${info} [`));
        if (ifs.length === 0) continue;
        // A bridge's peers are those of its ports.
        const ends = (i: Iface) => (i.kind === "bridge" ? [...n.ifaces.values()].filter((p) => p.master === i.name) : [i]);
        const peers = (i: Iface) => ends(i).flatMap((e) => m.links.filter((l) => l.a === e || l.b === e).map((l) => (l.a === e ? l.b : l.a).ns));
        const before = ifs.filter((i) => peers(i).some((p) => (rank.get(p) ?? 0) < (rank.get(n.name) ?? 0)));
        const after = ifs.filter((i) => !before.includes(i));
        if (hasInfo) {
            for (const i of before) w(`${ifId(i)} -- ${info} [style=invis];`);
            for (const i of after) w(`${info} -- ${ifId(i)} [style=invis];`);
        } else if (before.length && after.length) {
            w(`${ifId(before[0]!)} -- ${ifId(after[0]!)} [style=invis];`);
        }
    }
    if (m.others.length) {
        w(`subgraph cluster_other {`);
        w(`label=<<b>other resources</b> <font point-size="9" color="#555555">not drawn as a network</font>>; labeljust=l; style="rounded,dashed"; color="#888888";`, 2);
        m.others.forEach((o, k) => w(`${id(`other:${k}`)} [label=<${html(o.name)}<br/><font point-size="8" color="#555555">${html(o.type)}</font>>, fillcolor="#f4f4f4"];`, 2));
        w("}");
    }
    out.push("}");
    return out.join("\n") + "\n";
}

/** Namespaces in the order of a breadth-first walk over the cables from one end of the longest path. */
function layoutOrder(m: Model, nested: Set<string>): string[] {
    const names = [...m.namespaces.keys()].sort();
    const adj = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
    for (const l of m.links) {
        if (l.a.ns === l.b.ns) continue;
        adj.get(l.a.ns)!.add(l.b.ns);
        adj.get(l.b.ns)!.add(l.a.ns);
    }
    const bfs = (start: string) => {
        const seen = [start];
        for (let k = 0; k < seen.length; k++) {
            for (const x of [...adj.get(seen[k]!)!].sort()) if (!seen.includes(x)) seen.push(x);
        }
        return seen;
    };
    const order: string[] = [];
    for (const n of names) {
        if (order.includes(n)) continue;
        const part = bfs(n);
        // Eccentricity by BFS depth: the first of the farthest from any node is an end of a longest path.
        const depth = (s: string) => {
            const d = new Map([[s, 0]]);
            for (const x of bfs(s)) for (const y of adj.get(x)!) if (!d.has(y)) d.set(y, d.get(x)! + 1);
            return Math.max(...d.values());
        };
        // Not a namespace drawn inside a subnet: the walk starts outside (the internet) and goes in.
        const start = [...part].sort((a, b) => Number(nested.has(a)) - Number(nested.has(b)) || depth(b) - depth(a) || a.localeCompare(b))[0]!;
        order.push(...bfs(start));
    }
    return order;
}

let vizLoading: Promise<{ renderString(dot: string, o: { format: string; engine?: string }): string }> | undefined;

/** The stack as an SVG picture (text). The layout is Graphviz's `dot`, run in WebAssembly: nothing to install. */
export async function stackToSvg(exported: unknown, options: GraphOptions = {}): Promise<string> {
    const dot = stackToDot(exported, options);
    // Loaded on first use: the module carries Graphviz (5 MB), which a Pulumi program never needs.
    vizLoading ??= (require("@viz-js/viz") as typeof import("@viz-js/viz")).instance();
    const viz = await vizLoading;
    // Viewers without DejaVu Sans fall back to Verdana, drawn from the same design (Bitstream Vera).
    return viz.renderString(dot, { format: "svg", engine: "dot" })
        .replace(/font-family="DejaVu Sans"/g, `font-family="${FONT},Verdana,sans-serif"`)
        .replace(/font-family="Courier,monospace"/g, `font-family="DejaVu Sans Mono,Courier New,Courier,monospace"`);
}
