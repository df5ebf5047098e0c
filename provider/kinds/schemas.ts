// Validation of raw inputs against a kind's schema. The schemas themselves live in each kind's
// file (its definition) and the shared field types in fields.ts; `check` runs them before
// anything runs, and every violation is reported against its property. Values the engine does
// not know yet (during preview) are tolerated: their checks run once they are known.
import type { z } from "zod";
import { kinds, type Definitions, type Kind } from "./registry";
import { UNKNOWN } from "../engine/fields";
import { contains, parseCidr, parseIp } from "../model/net";
import { ownerProblem } from "../ownership/owner";

export { UNKNOWN, ifname, nsname } from "../engine/fields";
export type { Kind } from "./registry";

/** The schema of each kind, by name. */
export const schemas = Object.fromEntries(Object.entries(kinds).map(([k, d]) => [k, d.schema])) as { [K in Kind]: Definitions[K]["schema"] };

/** A kind's inputs after check (defaults applied): what the provider methods get. */
export type Inputs<K extends Kind> = z.output<(typeof schemas)[K]> & { resourceName?: string };

export interface CheckFailure {
    property: string;
    reason: string;
}

/** Whether a value is unknown, or holds an unknown value (an entry of an inline list during preview). */
function isUnknown(v: unknown): boolean {
    return v === UNKNOWN || (typeof v === "object" && v !== null && JSON.stringify(v).includes(UNKNOWN));
}

/**
 * Validates raw inputs. Returns the inputs with defaults applied, or the failures, one per
 * property. Properties whose value is still unknown are left out of validation. The resource
 * name (`resourceName`, set by the resource class for error messages) passes through.
 */
export function validate<K extends Kind>(kind: K, raw: Record<string, unknown>): { inputs?: Inputs<K>; failures: CheckFailure[] } {
    const unknownKeys = new Set(Object.keys(raw).filter((k) => isUnknown(raw[k])));
    const schema = schemas[kind] as unknown as z.ZodType;
    const { __provider: _p, resourceName, __owner, ...input } = raw;
    // The stack that declares the resource (dynamic.ts) passes through, for the ownership marks.
    const named = (x: object) => ({ ...(typeof resourceName === "string" ? { resourceName } : {}), ...x, ...(__owner !== undefined ? { __owner } : {}) }) as Inputs<K>;
    const failures: CheckFailure[] = [];
    const ownerFailure = checkOwner(__owner);
    if (ownerFailure) failures.push({ property: "__owner", reason: ownerFailure });
    const result = schema.safeParse(input);
    if (result.success) return failures.length ? { failures } : { inputs: named(result.data as object), failures: [] };
    for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys" && issue.path.length > 0) {
            // A field an entry of an inline list does not take: reported against the list, naming the entry.
            const property = String(issue.path[0]);
            if (!failures.some((f) => f.property === property)) failures.push({ property, reason: `entry ${issue.path.slice(1).join(".")}: ${issue.message}` });
            continue;
        }
        if (issue.code === "unrecognized_keys") {
            // The name of an extra input is known even when its value is not: always a failure.
            const takes = Object.keys((schemas[kind] as unknown as { shape: object }).shape ?? {}).join(", ");
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
        return { inputs: named({ ...input }), failures };
    }
    return { failures };
}

/** Why the owner passed by the resource class cannot be written in an ownership mark (owner.ts), or undefined. */
function checkOwner(o: unknown): string | undefined {
    if (o === undefined || o === UNKNOWN) return undefined;
    const x = o as { project?: unknown; stack?: unknown };
    if (typeof o !== "object" || o === null || typeof x.project !== "string" || typeof x.stack !== "string") return "must be { project, stack }: it is set by the resource class, not by hand";
    const problem = ownerProblem({ project: x.project, stack: x.stack });
    return problem && `${problem}: every object this stack makes is marked with its owner (docs/reference.md, Ownership); rename the project or the stack`;
}

/** For the route lesson checks and hostile-input tests: whether `gw` lies in one of `nets`. */
export function onConnectedSegment(gw: string, nets: string[]): boolean {
    const ip = parseIp(gw);
    return ip !== undefined && nets.some((n) => {
        const c = parseCidr(n);
        return c !== undefined && contains(c, ip);
    });
}
