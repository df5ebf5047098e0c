// What AWS allows for the CIDR block of a VPC or a subnet and for an instance's private address,
// as pure functions (no Pulumi, no processes): the components in ec2.ts call them before they
// make anything, and test/unit/aws-addressing.test.ts tables them. Each returns undefined when
// the value is fine, or one sentence that says what is wrong and what to use instead.
import { contains, formatIp, hostMask, parseCidr, parseIp, type Cidr } from "../../provider";

/** AWS's limits on the size of a VPC's or subnet's IPv4 CIDR block: /16 (65536 addresses) to /28 (16). */
export const LARGEST_PREFIX = 16;
export const SMALLEST_PREFIX = 28;

function network(c: Cidr): Cidr {
    return { ...c, value: c.value & ~hostMask(c) };
}

const ip = (value: bigint) => formatIp({ family: 4, value });
const text = (c: Cidr) => `${ip(c.value)}/${c.prefix}`;

/** A checked IPv4 block, or why it is not one AWS accepts. */
function block(cidr: string, what: string): Cidr | string {
    const c = parseCidr(cidr);
    if (!c || c.family !== 4) return `"${cidr}" is not an IPv4 CIDR block such as 192.168.0.0/16`;
    if (c.prefix < LARGEST_PREFIX || c.prefix > SMALLEST_PREFIX) {
        return `${cidr} is a /${c.prefix}; AWS takes a ${what} CIDR block from /${LARGEST_PREFIX} (65536 addresses) to /${SMALLEST_PREFIX} (16 addresses)`;
    }
    if ((c.value & hostMask(c)) !== 0n) return `${cidr} has host bits set; the block starts at ${text(network(c))}`;
    return c;
}

export function vpcCidrProblem(cidr: string): string | undefined {
    const c = block(cidr, "VPC");
    return typeof c === "string" ? c : undefined;
}

export interface NamedBlock {
    name: string;
    cidrBlock: string;
}

/** A subnet's block: inside its VPC's block, and overlapping no other subnet of the VPC. */
export function subnetCidrProblem(vpc: NamedBlock, cidr: string, siblings: readonly NamedBlock[]): string | undefined {
    const c = block(cidr, "subnet");
    if (typeof c === "string") return c;
    const v = parseCidr(vpc.cidrBlock);
    if (!v || !contains(v, c) || c.prefix < v.prefix) return `${cidr} is not inside the CIDR block of VPC ${vpc.name} (${vpc.cidrBlock})`;
    for (const s of siblings) {
        const o = parseCidr(s.cidrBlock);
        if (o && (contains(o, c) || contains(c, o))) return `${cidr} overlaps subnet ${s.name} (${s.cidrBlock}); the subnets of a VPC must not overlap`;
    }
    return undefined;
}

/** The five addresses AWS keeps in every subnet, and what each is for. */
export function reservedAddresses(cidr: string): { address: string; use: string }[] {
    const c = parseCidr(cidr)!;
    const base = c.value & ~hostMask(c);
    return [
        { address: ip(base), use: "the network address" },
        { address: ip(base + 1n), use: "the VPC router's address" },
        { address: ip(base + 2n), use: "the DNS server's address" },
        { address: ip(base + 3n), use: "for future use" },
        { address: ip(base + hostMask(c)), use: "the broadcast address, though AWS has no broadcast" },
    ];
}

/** The addresses an instance may have: from base+4 to the one before the broadcast address. */
export function usableRange(cidr: string): { first: string; last: string } {
    const c = parseCidr(cidr)!;
    const base = c.value & ~hostMask(c);
    return { first: ip(base + 4n), last: ip(base + hostMask(c) - 1n) };
}

/** The VPC router's address in a subnet, base+1, with the subnet's prefix: 192.168.1.1/28. */
export function routerAddress(cidr: string): string {
    const c = parseCidr(cidr)!;
    return `${reservedAddresses(cidr)[1]!.address}/${c.prefix}`;
}

/** Why an instance cannot have `address` in subnet `subnet`, or undefined when it can. */
export function instanceAddressProblem(subnet: NamedBlock, address: string, taken: readonly string[] = []): string | undefined {
    const a = parseIp(address);
    const c = parseCidr(subnet.cidrBlock)!;
    const { first, last } = usableRange(subnet.cidrBlock);
    const range = `use an address from ${first} to ${last}`;
    if (!a || a.family !== 4) {
        return `"${address}" is not an IPv4 address such as ${first}` + (address.includes("/") ? ` (give it without a prefix length: the subnet's /${c.prefix} is used)` : "");
    }
    if (!contains(c, a)) return `${address} is not in subnet ${subnet.name} (${subnet.cidrBlock}); ${range}`;
    const reserved = reservedAddresses(subnet.cidrBlock).find((r) => parseIp(r.address)!.value === a.value);
    if (reserved) {
        return `${address} cannot be used in subnet ${subnet.name} (${subnet.cidrBlock}): AWS reserves it (${reserved.use}). ` +
            `AWS keeps the first four addresses and the last one of every subnet; ${range}`;
    }
    if (taken.some((t) => parseIp(t)?.value === a.value)) return `${address} is already the address of another instance in subnet ${subnet.name}; ${range}, one per instance`;
    return undefined;
}

/** The first usable address of the subnet that is not taken, as AWS hands them out; undefined when full. */
export function firstFree(cidr: string, taken: readonly string[]): string | undefined {
    const c = parseCidr(cidr)!;
    const base = c.value & ~hostMask(c);
    const used = new Set(taken.map((t) => parseIp(t)?.value));
    for (let v = base + 4n; v < base + hostMask(c); v++) if (!used.has(v)) return ip(v);
    return undefined;
}
