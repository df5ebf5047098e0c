// Address: an IPv4 or IPv6 address on an interface (`ip address add ADDRESS dev DEV`).
// IPv6 addresses are added with `nodad`: usable at once, without duplicate address detection.
import * as pulumi from "@pulumi/pulumi";
import { NetnsResource } from "./dynamic";
import { declareAddress } from "./declared";
import type { KindImpl } from "./kind";
import { exec, ipJson, NetnsError, privileged, commonHint } from "./run";
import { parseCidr } from "./net";
import type { AddressArgs } from "./schemas";

const isV6 = (a: AddressArgs) => parseCidr(a.address)?.family === 6;

export const argv = {
    add: (a: AddressArgs) => ["ip", "-n", a.namespace, "address", "add", a.address, "dev", a.dev, ...(isV6(a) ? ["nodad"] : [])],
    show: (a: AddressArgs) => ["ip", "-n", a.namespace, "-j", "address", "show", "dev", a.dev],
    del: (a: AddressArgs) => ["ip", "-n", a.namespace, "address", "del", a.address, "dev", a.dev],
};

interface AddrJson { addr_info: { family: string; local: string; prefixlen: number }[] }

async function present(s: Parameters<KindImpl<"Address">["read"]>[0], a: AddressArgs): Promise<boolean> {
    const want = parseCidr(a.address);
    const r = await ipJson<AddrJson>(s, argv.show(a));
    return r.value.some((l) => l.addr_info.some((i) => {
        const got = parseCidr(`${i.local}/${i.prefixlen}`);
        return got !== undefined && want !== undefined && got.value === want.value && got.prefix === want.prefix && got.family === want.family;
    }));
}

// Older kernels answer "RTNETLINK answers: File exists" / "Cannot assign requested address";
// newer ones (extack) "Error: ipv4: Address already assigned." / "Error: ipv6: address not found.".
const EXISTS = /File exists|[Aa]ddress already assigned/;

function hint(a: AddressArgs, stderr: string): string {
    if (EXISTS.test(stderr)) return `${a.address} is already on ${a.dev} in ${a.namespace}; remove it ('ip -n ${a.namespace} address del ${a.address} dev ${a.dev}') or set adopt: true`;
    if (/Cannot find device/.test(stderr)) return `there is no interface ${a.dev} in ${a.namespace}: create it first and pass its name as an output (pair.name) so Pulumi orders the two`;
    return commonHint(stderr);
}

export const addressImpl: KindImpl<"Address"> = {
    kind: "Address",
    diff: { replace: ["namespace", "dev", "address"], update: [] },
    id: (a) => `${a.namespace}/${a.dev}/${a.address}`,

    async create(s, a) {
        const r = await exec(s, argv.add(a));
        if (r.exitCode !== 0 && !(a.adopt && EXISTS.test(r.stderr))) {
            throw new NetnsError(s, privileged(argv.add(a)), r.exitCode, r.stderr, hint(a, r.stderr));
        }
        return { ...a };
    },

    async read(s, o) {
        return (await present(s, o)) ? { ...o } : undefined;
    },

    async update(_s, _olds, news) {
        return { ...news };
    },

    async delete(s, o) {
        const r = await exec(s, argv.del(o));
        if (r.exitCode !== 0 && !/Cannot assign requested address|[Aa]ddress not found|Cannot find device|Cannot open network namespace|No such file or directory/.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.del(o)), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
};

export interface AddressInputs {
    /** The namespace of the interface. */
    namespace: pulumi.Input<string>;
    /** The interface, as in `dev DEV`. Pass `pair.name` so the address waits for its link. */
    dev: pulumi.Input<string>;
    /** A host address with its prefix length: 192.0.2.1/24 or 2001:db8::1/64. */
    address: pulumi.Input<string>;
    /** Accept the address when it is already there instead of failing. */
    adopt?: pulumi.Input<boolean>;
}

/** An address on an interface. Every input change replaces it. */
export class Address extends NetnsResource {
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly dev: pulumi.Output<string>;
    declare public readonly address: pulumi.Output<string>;

    constructor(name: string, args: AddressInputs, opts?: pulumi.CustomResourceOptions) {
        super("Address", name, { resourceName: name, ...args }, opts);
        declareAddress(this, name, args); // whole-stack checks: duplicates, gateways (declared.ts)
    }
}
