// Secrets and IDs. The engine shows a resource's ID in clear text wherever it shows the resource
// (the state, `pulumi stack --show-ids`, `pulumi preview --diff`), even when the inputs it was made
// from are secret. A kind's natural ID is made of inputs (`NS/DEV/ADDRESS`), so:
//   - Address, Route, Rule, Sysctl: when any input is secret, the ID is opaque, `secret-` and 32
//     random hex digits (nothing reads these IDs back: read and delete use the stored outputs);
//   - Namespace, VethPair, Bridge, Tunnel: the ID is the object's name (with its namespace), which
//     `pulumi-netns leftovers` matches against the kernel's names (for a VethPair, the peer's name
//     and namespace too, from the outputs), so a secret there is refused at check.
// A dynamic provider receives its inputs as plain values, so the resource class tells it which
// were secret in the hidden input `__secretInputs` (dynamic.ts), sent only when there are some.
import { randomBytes } from "node:crypto";

/** The inputs that name the object of a kind whose ID is a name: a secret is refused there. */
export const NAMED_ID_INPUTS: Readonly<Record<string, readonly string[]>> = {
    Namespace: ["name"],
    VethPair: ["namespace", "name", "peerNamespace", "peerName"],
    Bridge: ["namespace", "name"],
    Tunnel: ["namespace", "name"],
};

/** The names in a `__secretInputs` value (anything else: none). */
export function secretNames(v: unknown): string[] {
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The ID an object of `kind` gets: its natural ID, or an opaque one when an input is secret. */
export function idFor(kind: string, natural: string, secret: readonly string[]): string {
    if (secret.length === 0 || kind in NAMED_ID_INPUTS) return natural;
    return `secret-${randomBytes(16).toString("hex")}`;
}

/** Check failures for a secret input that would be part of the ID in clear text. */
export function secretIdFailures(kind: string, secret: readonly string[]): { property: string; reason: string }[] {
    const named = NAMED_ID_INPUTS[kind] ?? [];
    return secret.filter((p) => named.includes(p)).map((property) => ({
        property,
        reason: `is a secret, but it names the ${kind} in clear text: in its ID, which the state, pulumi stack --show-ids and pulumi preview --diff show unmasked, ` +
            `and in what pulumi-netns leftovers matches against the host. Give a value that is not secret (docs/reference.md, Secrets and IDs)`,
    }));
}
