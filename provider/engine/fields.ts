// Field types that more than one kind uses: names of interfaces and namespaces, MTU, MAC, admin
// state, adopt. Each kind's schema (in the kind's own file) is built from these, so a rule such as
// "a namespace named all is refused" is written once.
import { z } from "zod";

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

/**
 * Whether `ip link ... netns WORD` could read WORD as a process ID: iproute2 opens
 * /run/netns/WORD and, when there is no such file, takes the word with strtol(WORD, 0) (leading
 * whitespace, a sign, 0x/0X hex, 0 octal, decimal) as a PID, so "0x1", "012" and "1" all name
 * PID 1's namespace, the host's. Refused for every namespace input (a superset: "08" too); the
 * provider also passes the peer's namespace as the path /run/netns/NAME (veth.ts), which
 * iproute2 never reads as a PID.
 */
export function readsAsProcessId(word: string): boolean {
    return /^[ \t\n\v\f\r]*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(word);
}

// Namespace names become file names under /run/netns. "all" is refused: `ip netns del all`
// deletes every namespace on the host, so destroying a namespace named "all" would do that.
// A number is refused first (readsAsProcessId), with its own reason.
export const nsname = z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .refine((s) => !readsAsProcessId(s), {
        abort: true,
        error: (iss) => `${JSON.stringify(String(iss.input))} reads as a number: 'ip link ... netns N' takes a number (decimal, 0x hex or 0 octal) as a process ID when no namespace file of that name exists ("0x1" would be PID 1, the host's own namespace); start the name with a letter`,
    })
    .max(64, "is longer than 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, `may contain only ${NAME_RULE}`)
    .refine((s) => s !== "all", `"all" is reserved: 'ip netns del all' deletes every namespace on the host`);

export const adopt = z.boolean({ error: "must be true or false" }).default(false);

/** `PROJECT/STACK`: the other stack whose marked object a resource takes over on purpose (owner.ts). */
export const adoptFrom = z.string({ error: "must be a string" })
    .regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'must be "PROJECT/STACK", the owner named in the message that refused the object (such as "pulumi-netns/router")')
    .optional();

/** Admin state of an interface; up unless said otherwise. */
export const up = z.boolean({ error: "must be true or false" }).default(true);

// A unicast MAC the kernel accepts for an interface: not multicast (the broadcast address is one
// too), not all zeros (the kernel refuses it only at create, "Cannot assign requested address").
export const mac = z
    .string()
    .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, "must be a MAC address such as 02:00:00:00:00:01")
    .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, "is a multicast address (lowest bit of the first byte set)")
    .refine((s) => !/^00(:00){5}$/.test(s), "is the all-zero address, which the kernel refuses for an interface; give a unicast address such as 02:00:00:00:00:01")
    .transform((s) => s.toLowerCase());

export const mtu = z
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(68, "is below 68, the smallest MTU IPv4 allows")
    .max(65535, "is above 65535, the largest veth MTU");

/** Computed values: what the kernel decides, read back at create and refresh. */
export const ifindex = z.number();
export const linkLocal = z.string();

/** Why `name` cannot be an interface name, or undefined when it can: the rule VethPair and Bridge apply at preview. */
export function interfaceNameProblem(name: string): string | undefined {
    const r = ifname.safeParse(name);
    return r.success ? undefined : (r.error.issues[0]?.message ?? "is not an interface name");
}

/** Keys that exist per network namespace. Everything else (kernel.*, vm.*, the global net.core.*) changes the host. */
const PER_NAMESPACE_KEYS: RegExp[] = [
    /^net\.ipv4\.[a-z0-9_]+(\.[A-Za-z0-9_-]+){0,2}$/,
    /^net\.ipv6\.[a-z0-9_]+(\.[A-Za-z0-9_-]+){0,2}$/,
    /^net\.netfilter\.[a-z0-9_]+$/,
    /^net\.core\.(somaxconn|xfrm_[a-z_]+)$/,
    /^net\.unix\.max_dgram_qlen$/,
];

/**
 * Bounds on every input, checked in the program before the engine sees a value (dynamic.ts) and
 * again by the schemas: the engine aborts on a string of some 32,000 characters, with no word of
 * the property. `keyPart` is a file name's limit (NAME_MAX), which every part of a sysctl key is.
 */
export const LIMITS = { text: 1024, keyPart: 255, list: 1024 } as const;

/** A per-namespace sysctl key (the Sysctl kind's `key`, a Namespace's `sysctls` keys). */
export const sysctlKey = z.string({ error: "must be a string" })
    .max(LIMITS.text, `is longer than ${LIMITS.text} characters`)
    .refine((k) => k.split(".").every((p) => p.length <= LIMITS.keyPart), `has a part longer than ${LIMITS.keyPart} characters, the limit for a file name under /proc/sys`)
    .refine((k) => PER_NAMESPACE_KEYS.some((r) => r.test(k)), {
    error: (iss) => `"${String(iss.input)}" is not a per-network-namespace key; only net.ipv4.*, net.ipv6.*, net.netfilter.*, net.core.somaxconn, net.core.xfrm_* and net.unix.max_dgram_qlen can be set here (others change the whole host)`,
});

/** A sysctl value as `sysctl -w KEY=VALUE` takes it (the Sysctl kind's `value`, a Namespace's `sysctls` values). */
export const sysctlValue = z.string({ error: "must be a string" }).min(1, "must not be empty").max(256, "is longer than 256 characters").regex(/^[\x20-\x7e]*$/, "may contain only printable ASCII on one line (no newline or control characters)")
        // sysctl prints multi-value keys with single separators: "4096 131072" whatever the spacing given.
        .transform((v) => v.trim().split(/ +/).join(" "));

/** sysctl prints multi-value keys with tabs; inputs use single spaces. */
export function sysctlNormalize(v: string): string {
    return v.trim().split(/\s+/).join(" ");
}
