// Address: an IPv4 or IPv6 address on an interface (`ip address add ADDRESS dev DEV`).
// IPv6 addresses are added with `nodad`: usable at once, without duplicate address detection.
import { z } from "zod";
import { canonical } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, ifname, nsname } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "../engine/kind";
import { exec, NetnsError, shown, commonHint, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { inAnotherStacksNamespace, inOwnNamespace } from "../ownership/nsmark";
import { ipRead } from "../host/reads";
import { formatCidr, isBroadcast, isNetworkAddress, parseCidr } from "../model/net";

/** An interface address: a host address with its prefix, 192.0.2.1/24 or 2001:db8::1/64. */
export const hostCidr = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    const c = parseCidr(s);
    if (!c) {
        ctx.addIssue({ code: "custom", message: `"${s}" is not an address with a prefix length, such as 192.0.2.1/24 or 2001:db8::1/64` });
        return;
    }
    const roomForHosts = c.family === 4 ? c.prefix < 31 : c.prefix < 127;
    if (roomForHosts && isNetworkAddress(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" is the network address of its subnet; give a host address, such as ${formatCidr({ ...c, value: c.value + 1n })}` });
    } else if (isBroadcast(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" is the broadcast address of its subnet; give a host address` });
    }
});

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace of the interface. A change replaces the address. */
    namespace: nsname,
    /** The interface, as in `dev DEV`. Pass `pair.name` so the address waits for its link. A change replaces the address. */
    dev: ifname,
    /** A host address with its prefix length: 192.0.2.1/24 or 2001:db8::1/64 (not the network or broadcast address). A change replaces it. */
    address: hostCidr,
    /** Accept the address when it is already there instead of failing. */
    adopt,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields);

/** The inputs of an Address after check (defaults applied): the provider's view. */
export type AddressSpec = SpecOf<typeof schema>;

const isV6 = (a: AddressSpec) => parseCidr(a.address)?.family === 6;

export const argv = {
    add: (a: AddressSpec) => ["ip", "-n", a.namespace, "address", "add", a.address, "dev", a.dev, ...(isV6(a) ? ["nodad"] : [])],
    show: (a: AddressSpec) => ["ip", "-n", a.namespace, "-j", "address", "show", "dev", a.dev],
    del: (a: AddressSpec) => ["ip", "-n", a.namespace, "address", "del", a.address, "dev", a.dev],
};

interface AddrJson { addr_info: { family: string; local: string; prefixlen: number }[] }

async function present(s: Subject, a: AddressSpec): Promise<boolean> {
    const want = parseCidr(a.address);
    // Gone with its namespace or its device: not present. Any other failure throws (reads.ts).
    const r = await ipRead<AddrJson>(s, argv.show(a), { namespace: a.namespace, device: a.dev, what: `the addresses of ${a.dev} in ${a.namespace}` });
    return (r ?? []).some((l) => l.addr_info.some((i) => {
        const got = parseCidr(`${i.local}/${i.prefixlen}`);
        return got !== undefined && want !== undefined && got.value === want.value && got.prefix === want.prefix && got.family === want.family;
    }));
}

// "exists" and "gone" (tools/ip.ts) read both forms: older kernels answer "RTNETLINK answers: File
// exists" / "Cannot assign requested address"; newer ones (extack) "Error: ipv4: Address already
// assigned." / "Error: ipv6: address not found.".

function hint(a: AddressSpec, stderr: string): string {
    if (ipSays(stderr, "exists")) return `${a.address} is already on ${a.dev} in ${a.namespace}; remove it ('ip -n ${a.namespace} address del ${a.address} dev ${a.dev}') or set adopt: true`;
    if (/Cannot find device/.test(stderr)) return `there is no interface ${a.dev} in ${a.namespace}: create it first and pass its name as an output (pair.name) so Pulumi orders the two`;
    return commonHint(stderr);
}

/** The Address kind: an address on an interface. */
export const address: KindDef<"Address", typeof schema, {}> = defineKind({
    kind: "Address",
    schema,
    computed: {},
    namespaces: ["namespace"],
    deletedWith: "namespace",
    segment: { namespace: "namespace", cidr: "address" },
    // The kernel deletes an interface's addresses with it.
    ties: { devs: [{ dev: "dev", namespace: "namespace" }], dependsOn: ["link"] },
    claims: (on) => [
        on(["namespace", "address", "dev"], (a, name) => [{ segment: a.address, namespace: a.namespace, by: `Address "${name}"`, dev: a.dev }]),
        on(["namespace", "dev", "address"], (a) => [{ claim: `addr ${a.namespace} ${a.dev} ${canonical(a.address)}`, property: "address",
            what: `${a.address} on ${a.dev} in namespace ${a.namespace}`, why: "the same address on the same interface is one kernel object" }]),
    ],
    diff: { replace: ["namespace", "dev", "address"], update: [] },
    id: (a) => `${a.namespace}/${a.dev}/${a.address}`,

    async create(s, a) {
        const r = await exec(s, argv.add(a));
        // Already there: taken over with adopt, or when its namespace is this stack's (issue 21 item 12).
        const taken = ipSays(r.stderr, "exists") && (a.adopt || ((await inOwnNamespace(s, a.namespace)) && (await present(s, a))));
        if (r.exitCode !== 0 && !taken) {
            throw new NetnsError(s, shown(s, argv.add(a)), r.exitCode, r.stderr, hint(a, r.stderr));
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
        if (await inAnotherStacksNamespace(s, o.namespace, `address ${o.address} on ${o.dev} in ${o.namespace}`)) return;
        const r = await exec(s, argv.del(o));
        if (r.exitCode !== 0 && !ipSays(r.stderr, "gone")) {
            throw new NetnsError(s, shown(s, argv.del(o)), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
});

/** The arguments of an Address: each input of its schema, as a `pulumi.Input`. */
export type AddressArgs = ArgsOf<typeof schema>;

/** An address on an interface. Every input change replaces it; every input is an output too. */
export const Address: ResourceClass<typeof address> = resourceClass(address);
export type Address = InstanceType<typeof Address>;

/** The definition under its earlier name. */
export const addressImpl = address;
