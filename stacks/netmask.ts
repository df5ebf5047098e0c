// The routing decision worked by hand, as seed 004 does it: write the destination and each
// route's netmask in binary, AND them, and compare with the route's network; of the routes that
// match, the one with the longest prefix wins (the default, 0.0.0.0/0, matches everything).
// Pure: the routing-table lesson prints this as stack outputs, and its checks expect from the
// kernel the route it picks.

/** A route of a table: `to` is "default" or a network with its prefix; `via` or `dev` says where. */
export interface TableRoute {
    to: string;
    via?: string;
    dev?: string;
    /** Who is behind it, for people: "routerA". */
    label?: string;
}

/** One line of the hand computation: destination AND mask, against the route's network. */
export interface AndStep {
    route: string;
    address: string;
    mask: string;
    and: string;
    /** The AND in dotted decimal, and the route's network it is compared with. */
    result: string;
    network: string;
    matches: boolean;
    prefix: number;
}

function toNumber(ip: string): number {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: "${ip}"`);
    return parts.reduce((n, p) => n * 256 + p, 0);
}

function toDotted(n: number): string {
    return [24, 16, 8, 0].map((s) => String(Math.floor(n / 2 ** s) % 256)).join(".");
}

/** 32 binary digits, in octets: "11000110.00110011.01100100.11001000". */
export function binary(ip: string): string {
    return toNumber(ip).toString(2).padStart(32, "0").replace(/(.{8})(?!$)/g, "$1.");
}

/** The netmask of a prefix length: 24 -> 255.255.255.0. */
export function netmask(prefix: number): string {
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not a prefix length: ${prefix}`);
    return toDotted(prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)));
}

/** address AND mask, octet by octet (JavaScript's & is signed 32-bit: stay per octet). */
export function and(address: string, mask: string): string {
    const a = address.split(".").map(Number);
    const m = mask.split(".").map(Number);
    return a.map((x, i) => String(x & m[i]!)).join(".");
}

function parseTo(to: string): { network: string; prefix: number } {
    if (to === "default") return { network: "0.0.0.0", prefix: 0 };
    const [network, prefix] = to.split("/");
    if (network === undefined || prefix === undefined || !/^\d{1,2}$/.test(prefix)) throw new Error(`not a route destination: "${to}"`);
    return { network, prefix: Number(prefix) };
}

export function describeRoute(r: TableRoute): string {
    return [r.to, ...(r.via ? ["via", r.via] : []), ...(r.dev ? ["dev", r.dev] : []), ...(r.label ? [`(${r.label})`] : [])].join(" ");
}

/** The hand computation for one route. */
export function andStep(destination: string, r: TableRoute): AndStep {
    const { network, prefix } = parseTo(r.to);
    const mask = netmask(prefix);
    const result = and(destination, mask);
    return { route: describeRoute(r), address: binary(destination), mask: binary(mask), and: binary(result), result, network, matches: result === network, prefix };
}

/** Every route's computation, and the route the table picks: the longest matching prefix. */
export function lookup(destination: string, routes: readonly TableRoute[]): { steps: AndStep[]; chosen: TableRoute | undefined; prefix: number } {
    const steps = routes.map((r) => andStep(destination, r));
    let best = -1;
    steps.forEach((s, i) => {
        if (s.matches && (best < 0 || s.prefix > steps[best]!.prefix)) best = i;
    });
    return { steps, chosen: best < 0 ? undefined : routes[best], prefix: best < 0 ? -1 : steps[best]!.prefix };
}

/**
 * The computation as text, laid out as the seed does it by hand: for each route, the destination
 * and the route's netmask in binary, one above the other, their AND below, and whether that is
 * the route's network; then the winner.
 */
export function lookupLines(destination: string, routes: readonly TableRoute[]): string[] {
    const { steps, chosen, prefix } = lookup(destination, routes);
    const lines: string[] = [];
    for (const s of steps) {
        lines.push(`${s.route}:`);
        lines.push(`      ${s.address}  ${destination}`);
        lines.push(`  AND ${s.mask}  ${netmask(s.prefix)} (/${s.prefix})`);
        lines.push(`    = ${s.and}  ${s.result} ${s.matches ? `= ${s.network}: match` : `!= ${s.network}: no match`}`);
    }
    lines.push(chosen ? `longest match: /${prefix}, ${describeRoute(chosen)}` : "no route matches");
    return lines;
}
