// The one place that says what a valid input is. `check` runs these before anything runs;
// every violation is reported against its property. Values the engine does not know yet
// (during preview) are tolerated: their checks run once they are known.
import { z } from "zod";
import { contains, formatCidr, hostMask, isBroadcast, isNetworkAddress, parseCidr, parseIp, type Family } from "./net";

/** The value the engine sends for an input that is not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const NAME_RULE = "letters, digits, '_', '.' and '-', starting with a letter or digit";

// Interface names: the kernel allows 1-15 bytes without '/', ':' or whitespace; we also refuse a
// leading '-' (it would read as an option to `ip`) and anything a shell would interpret.
export const ifname = z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .max(15, "is longer than 15 characters, the kernel's limit for interface names (IFNAMSIZ - 1)")
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `may contain only ${NAME_RULE}`);

// Namespace names become file names under /run/netns. "all" is refused: `ip netns del all`
// deletes every namespace on the host, so destroying a namespace named "all" would do that.
export const nsname = z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .max(64, "is longer than 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `may contain only ${NAME_RULE}`)
    .refine((s) => s !== "all", `"all" is reserved: 'ip netns del all' deletes every namespace on the host`);

const adopt = z.boolean({ error: "must be true or false" }).default(false);
const resourceName = z.string().optional();

const mac = z
    .string()
    .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, "must be a MAC address such as 02:00:00:00:00:01")
    .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, "is a multicast address (lowest bit of the first byte set)")
    .transform((s) => s.toLowerCase());

const mtu = z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(68, "is below 68, the smallest MTU IPv4 allows")
    .max(65535, "is above 65535, the largest veth MTU");

export const NamespaceInputs = z.strictObject({
    resourceName,
    name: nsname,
    adopt,
});

export const VethPairInputs = z.strictObject({
    resourceName,
    name: ifname,
    namespace: nsname,
    peerName: ifname,
    // `ip link add ... peer ... netns X` reads X as a process ID when no namespace file X exists:
    // "1" would put the peer into PID 1's namespace, the host's own. A name of digits is refused.
    peerNamespace: nsname.refine((s) => !/^[0-9]+$/.test(s), "is all digits: 'ip link ... netns N' reads a number as a process ID when no namespace of that name exists (1 would be the host's own namespace); give it a name with a letter"),
    mtu: mtu.optional(),
    peerMtu: mtu.optional(),
    address: mac.optional(),
    peerAddress: mac.optional(),
    up: z.boolean({ error: "must be true or false" }).default(true),
    peerUp: z.boolean({ error: "must be true or false" }).default(true),
    /** The bridge each end is enslaved to (`ip link set dev X master BR`), in that end's namespace. */
    master: ifname.optional(),
    peerMaster: ifname.optional(),
    adopt,
}).superRefine((v, ctx) => {
    // Two unknown namespaces (ns1.name, ns2.name during preview) are not known to be the same.
    const known = [v.name, v.namespace, v.peerName, v.peerNamespace].every((x) => x !== UNKNOWN);
    if (known && v.name === v.peerName && v.namespace === v.peerNamespace) {
        ctx.addIssue({ code: "custom", path: ["peerName"], message: `is the same as name in the same namespace (${v.namespace}): the two ends need different names` });
    }
});

/** An interface address: a host address with its prefix, 192.0.2.1/24 or 2001:db8::1/64. */
const hostCidr = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
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

export const AddressInputs = z.strictObject({
    resourceName,
    namespace: nsname,
    dev: ifname,
    address: hostCidr,
    adopt,
});

/** A route destination: `default` or a network address with its prefix (no host bits). */
const destination = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    if (s === "default") return;
    const c = parseCidr(s);
    if (!c) {
        ctx.addIssue({ code: "custom", message: `"${s}" is neither "default" nor a network such as 198.51.100.0/24 or 2001:db8:1::/64` });
    } else if (!isNetworkAddress(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" has host bits set; a route goes to a network, such as the one that contains it with those bits cleared` });
    }
});

const ip = z.string({ error: "must be a string" }).refine((s) => parseIp(s) !== undefined, {
    error: (iss) => `"${String(iss.input)}" is not an IPv4 or IPv6 address`,
});

export const RouteInputs = z.strictObject({
    resourceName,
    namespace: nsname,
    to: destination,
    via: ip.optional(),
    dev: ifname.optional(),
    metric: z.number({ error: "must be a number" }).int("must be an integer").min(0, "must not be negative").max(4294967295, "is above 4294967295").optional(),
    src: ip.optional(),
    table: z.union([z.literal("main"), z.number().int('must be "main" or a table number from 1 to 4294967295').min(1, 'must be "main" or a table number from 1 to 4294967295').max(4294967295, 'must be "main" or a table number from 1 to 4294967295').refine((n) => n !== 255, "255 is the kernel's local table")], {
        error: 'must be "main" or a table number from 1 to 4294967295',
    }).default("main"),
    adopt,
}).superRefine((v, ctx) => {
    if (v.via === undefined && v.dev === undefined) {
        ctx.addIssue({ code: "custom", path: ["via"], message: "a route needs a gateway (via) or a device (dev), or both" });
    }
    const fam = (s: string | undefined): Family | undefined => (s === undefined || s === UNKNOWN ? undefined : s === "default" ? undefined : (parseCidr(s) ?? parseIp(s))?.family);
    const to = fam(v.to), via = fam(v.via), src = fam(v.src);
    if (to && via && to !== via) ctx.addIssue({ code: "custom", path: ["via"], message: `is IPv${via} but the destination ${v.to} is IPv${to}` });
    if (to && src && to !== src) ctx.addIssue({ code: "custom", path: ["src"], message: `is IPv${src} but the destination ${v.to} is IPv${to}` });
    if (!to && via && src && via !== src) ctx.addIssue({ code: "custom", path: ["src"], message: `is IPv${src} but the gateway ${v.via} is IPv${via}` });
});

/** Keys that exist per network namespace. Everything else (kernel.*, vm.*, the global net.core.*) changes the host. */
const PER_NAMESPACE_KEYS: RegExp[] = [
    /^net\.ipv4\.[a-z0-9_]+(\.[A-Za-z0-9_-]+){0,2}$/,
    /^net\.ipv6\.[a-z0-9_]+(\.[A-Za-z0-9_-]+){0,2}$/,
    /^net\.netfilter\.[a-z0-9_]+$/,
    /^net\.core\.(somaxconn|xfrm_[a-z_]+)$/,
    /^net\.unix\.max_dgram_qlen$/,
];

export const SysctlInputs = z.strictObject({
    resourceName,
    namespace: nsname,
    key: z.string({ error: "must be a string" }).refine((k) => PER_NAMESPACE_KEYS.some((r) => r.test(k)), {
        error: (iss) => `"${String(iss.input)}" is not a per-network-namespace key; only net.ipv4.*, net.ipv6.*, net.netfilter.*, net.core.somaxconn, net.core.xfrm_* and net.unix.max_dgram_qlen can be set here (others change the whole host)`,
    }),
    value: z.string({ error: "must be a string" }).min(1, "must not be empty").max(256, "is longer than 256 characters").regex(/^[\x20-\x7e]*$/, "may contain only printable ASCII on one line (no newline or control characters)")
        // sysctl prints multi-value keys with single separators: "4096 131072" whatever the spacing given.
        .transform((v) => v.trim().split(/ +/).join(" ")),
});

export const BridgeInputs = z.strictObject({
    resourceName,
    name: ifname,
    namespace: nsname,
    mtu: mtu.optional(),
    up: z.boolean({ error: "must be true or false" }).default(true),
    adopt,
});

/** A rule selector (`from`, `to`): "all" or a network with its prefix and no host bits. */
const selector = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    if (s === "all") return;
    const c = parseCidr(s);
    if (!c) {
        ctx.addIssue({ code: "custom", message: `"${s}" is neither "all" nor a network such as 192.168.1.0/28 or 2001:db8:1::/64` });
    } else if (!isNetworkAddress(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" has host bits set; a rule matches a network, such as ${formatCidr({ ...c, value: c.value & ~hostMask(c) })}` });
    }
});

const ruleTable = z.union([
    z.literal("main"),
    z.number().int("must be a whole table number").min(1, 'must be "main" or a table number from 1 to 4294967295').max(4294967295, 'must be "main" or a table number from 1 to 4294967295')
        .refine((n) => n !== 254, '254 is the main table: write "main"')
        .refine((n) => n !== 255, "255 is the kernel's local table, which the rule at priority 0 already looks up")
        .refine((n) => n !== 253, "253 is the kernel's default table; use a table of your own"),
], { error: 'must be "main" or a table number from 1 to 4294967295' });

export const RuleInputs = z.strictObject({
    resourceName,
    namespace: nsname,
    priority: z.number({ error: "must be a number" }).int("must be an integer")
        .min(1, "0 is the priority of the kernel's local rule, which must stay first; use 1 to 4294967295")
        .max(4294967295, "is above 4294967295"),
    from: selector.default("all"),
    to: selector.default("all"),
    lookup: ruleTable.optional(),
    type: z.enum(["unreachable", "prohibit", "blackhole"], { error: 'must be "unreachable", "prohibit" or "blackhole"; leave it out for a rule that looks up a table' }).optional(),
    adopt,
}).superRefine((v, ctx) => {
    if (v.lookup === undefined && v.type === undefined) {
        ctx.addIssue({ code: "custom", path: ["lookup"], message: 'a rule needs an action: a table to look up (lookup: 100 or "main"), or a type (unreachable, prohibit, blackhole)' });
    } else if (v.lookup !== undefined && v.type !== undefined) {
        ctx.addIssue({ code: "custom", path: ["type"], message: `a rule of type ${v.type} looks nothing up: leave out either lookup or type` });
    }
    const fam = (s: string) => (s === "all" || s === UNKNOWN ? undefined : parseCidr(s)?.family);
    const from = fam(v.from), to = fam(v.to);
    if (from && to && from !== to) ctx.addIssue({ code: "custom", path: ["to"], message: `is IPv${to} but from (${v.from}) is IPv${from}: a rule matches one family` });
});

export const schemas = {
    Namespace: NamespaceInputs,
    VethPair: VethPairInputs,
    Address: AddressInputs,
    Route: RouteInputs,
    Sysctl: SysctlInputs,
    Bridge: BridgeInputs,
    Rule: RuleInputs,
} as const;

export type Kind = keyof typeof schemas;
export type Inputs<K extends Kind> = z.output<(typeof schemas)[K]>;
export type NamespaceArgs = z.output<typeof NamespaceInputs>;
export type VethPairArgs = z.output<typeof VethPairInputs>;
export type AddressArgs = z.output<typeof AddressInputs>;
export type RouteArgs = z.output<typeof RouteInputs>;
export type SysctlArgs = z.output<typeof SysctlInputs>;
export type BridgeArgs = z.output<typeof BridgeInputs>;
export type RuleArgs = z.output<typeof RuleInputs>;

export interface CheckFailure {
    property: string;
    reason: string;
}

function isUnknown(v: unknown): boolean {
    return v === UNKNOWN;
}

/**
 * Validates raw inputs. Returns the inputs with defaults applied, or the failures, one per
 * property. Properties whose value is still unknown are left out of validation.
 */
export function validate<K extends Kind>(kind: K, raw: Record<string, unknown>): { inputs?: Inputs<K>; failures: CheckFailure[] } {
    const unknownKeys = new Set(Object.keys(raw).filter((k) => isUnknown(raw[k])));
    const schema = schemas[kind] as unknown as z.ZodType;
    const input = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "__provider"));
    const result = schema.safeParse(input);
    if (result.success) return { inputs: result.data as Inputs<K>, failures: [] };
    const failures: CheckFailure[] = [];
    for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys") {
            // The name of an extra input is known even when its value is not: always a failure.
            const takes = Object.keys((schemas[kind] as unknown as { shape: object }).shape ?? {}).filter((k) => k !== "resourceName").join(", ");
            for (const key of issue.keys) failures.push({ property: key, reason: `unknown input; ${kind} takes ${takes}` });
            continue;
        }
        const property = issue.path.length > 0 ? String(issue.path[0]) : "inputs";
        // Unknown values are checked once known; and one failure per property, the first found.
        if (unknownKeys.has(property) || failures.some((f) => f.property === property)) continue;
        failures.push({ property, reason: issue.message });
    }
    if (failures.length === 0) {
        // Every problem involved a value that is not known yet: pass the inputs through as they are.
        return { inputs: { ...input } as Inputs<K>, failures };
    }
    return { failures };
}

/** For the route lesson checks and hostile-input tests: whether `gw` lies in one of `nets`. */
export function onConnectedSegment(gw: string, nets: string[]): boolean {
    const ip = parseIp(gw);
    return ip !== undefined && nets.some((n) => {
        const c = parseCidr(n);
        return c !== undefined && contains(c, ip);
    });
}
