// The recovery's grant: which objects one `pulumi up` of the recovery (lab/recover.ts) may take
// over as with adopt: true. It travels in one environment variable, PULUMI_NETNS_RECOVERY, a JSON
// object { project, stack, token, file, ids, namespaces }, and holds only
//   - for resources of that project and stack (their __owner, dynamic.ts), and
//   - while `file` exists and holds `token`: the recovery writes it into a private directory of
//     its own (mode 0700, the file 0600) before that one `up` and removes both after it.
// So a variable left exported in a shell, or inherited by another stack's `up`, grants nothing.
// The old unscoped variables (PULUMI_NETNS_ADOPT_IDS, PULUMI_NETNS_ADOPT_NAMESPACES) grant
// nothing either; the provider warns once when it sees them.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Owner } from "./owner";

export const RECOVERY_VAR = "PULUMI_NETNS_RECOVERY";
/** The variables of earlier releases, honoured by any stack: refused now. */
export const OLD_RECOVERY_VARS = ["PULUMI_NETNS_ADOPT_IDS", "PULUMI_NETNS_ADOPT_NAMESPACES"] as const;

export interface Grant extends Owner {
    token: string;
    /** The token file the recovery wrote; the grant holds while it exists and holds `token`. */
    file: string;
    /** "Kind:id" of each object to take over. */
    ids: string[];
    /** Namespaces whose objects (those that live only in them) are taken over. */
    namespaces: string[];
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

/** The grant in the variable's text, or why it is none. */
export function parseGrant(raw: string | undefined): { grant?: Grant; problem?: string } {
    if (raw === undefined || raw === "") return {};
    let v: unknown;
    try {
        v = JSON.parse(raw);
    } catch {
        return { problem: `${RECOVERY_VAR} is not JSON` };
    }
    const g = v as Partial<Grant>;
    if (!g || typeof g !== "object" || typeof g.project !== "string" || typeof g.stack !== "string" || typeof g.token !== "string"
        || typeof g.file !== "string" || !strings(g.ids) || !strings(g.namespaces)) {
        return { problem: `${RECOVERY_VAR} is not {project, stack, token, file, ids, namespaces}` };
    }
    return { grant: { project: g.project, stack: g.stack, token: g.token, file: g.file, ids: g.ids, namespaces: g.namespaces } };
}

/** Why the grant does not hold for a resource of `owner` now, or undefined when it does. */
export function grantProblem(g: Grant, owner: Owner | undefined): string | undefined {
    if (!owner || owner.project !== g.project || owner.stack !== g.stack) {
        return `${RECOVERY_VAR} was written for stack ${g.project}/${g.stack}, not for ${owner ? `${owner.project}/${owner.stack}` : "a resource without an owner"}: it grants nothing here`;
    }
    let text: string;
    try {
        // The token file: a regular file of this user (a link or someone else's file is no proof).
        const st = lstatSync(g.file);
        if (!st.isFile() || (typeof process.getuid === "function" && st.uid !== process.getuid())) throw new Error("not ours");
        text = readFileSync(g.file, "utf8");
    } catch {
        return `${RECOVERY_VAR} names a recovery that has ended (its token file ${g.file} is gone): it grants nothing; run \`npx pulumi-netns recover --stack ${g.stack}\` to recover again`;
    }
    const [a, b] = [Buffer.from(text.trim()), Buffer.from(g.token)];
    if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) return `${RECOVERY_VAR}'s token does not match its token file ${g.file}: it grants nothing`;
    return undefined;
}

/**
 * The grant for one `up`: writes the token file into a new private directory and returns the
 * variable's value and a function that removes the directory (call it once the `up` has ended).
 */
export function issueGrant(owner: Owner, ids: string[], namespaces: string[]): { value: string; revoke: () => void } {
    const dir = mkdtempSync(join(tmpdir(), "pulumi-netns-recovery-")); // mode 0700
    const file = join(dir, "token");
    const token = randomBytes(32).toString("hex");
    writeFileSync(file, token, { mode: 0o600, flag: "wx" });
    const grant: Grant = { project: owner.project, stack: owner.stack, token, file, ids, namespaces };
    return { value: JSON.stringify(grant), revoke: () => rmSync(dir, { recursive: true, force: true }) };
}
