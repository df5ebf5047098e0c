// What a failed read means, in one place: every kind reads the kernel's objects with `ip -j ...`
// through `ipRead`. A read that fails says "gone" only when that is certain: the namespace's file
// is absent (or the empty leftover of an interrupted `ip netns add`), or ip says that the device
// it was asked about does not exist. Any other failure (no permission, a timeout, a kernel or an
// `ip` that refuses) throws, naming the command and its stderr: refresh must never report a
// failure as a deletion, and a delete that asks first whose an object is must not go ahead blind.
import { namespaceExists } from "./netns";
import { exec, NetnsError, shown, commonHint, type Subject } from "./run";

/** What one `ip -j` read came to. */
export type ReadOutcome = "ok" | "gone" | "failed";

const quoted = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The outcome of a read from its exit code and stderr: `namespacePresent` is whether the
 * namespace's file is a namespace (checked by the caller, not read from stderr); `device` is the
 * interface the command named (`dev X`), whose absence is gone too.
 */
export function readOutcome(exitCode: number, stderr: string, namespacePresent: boolean, device?: string): ReadOutcome {
    if (exitCode === 0) return "ok";
    if (!namespacePresent) return "gone";
    // `ip link show dev X`, `ip address show dev X`: Device "X" does not exist.
    // `ip route show dev X`: Cannot find device "X".
    if (device !== undefined && new RegExp(`(^|\\n)(Device "${quoted(device)}" does not exist\\.|Cannot find device "${quoted(device)}")\\s*$`).test(stderr.trim())) return "gone";
    return "failed";
}

/**
 * Runs `ip -j ...` in `namespace` and parses its JSON: the objects listed (an empty answer is an
 * empty list), or undefined when the namespace or the device `device` is gone (readOutcome).
 * Throws a NetnsError on any other failure, with `what` (the object read) in its hint.
 */
export async function ipRead<T>(s: Subject, argv: readonly string[], where: { namespace: string; device?: string | undefined; what: string }): Promise<T[] | undefined> {
    const r = await exec(s, argv);
    const outcome = r.exitCode === 0 ? "ok" : readOutcome(r.exitCode, r.stderr, await namespaceExists(where.namespace, s), where.device);
    if (outcome === "gone") return undefined;
    if (outcome === "failed") {
        throw new NetnsError(s, shown(s, argv), r.exitCode, r.stderr,
            `could not read ${where.what}, so whether it exists is not known (a failed read is never taken for "gone"); ${commonHint(r.stderr)}`);
    }
    const text = r.stdout.trim();
    try {
        return text ? (JSON.parse(text) as T[]) : [];
    } catch {
        throw new NetnsError(s, shown(s, argv), r.exitCode, r.stderr, `ip printed no JSON for ${where.what} (stdout: ${text.slice(0, 200)}); is this iproute2 older than 4.13 (no -j)?`);
    }
}
