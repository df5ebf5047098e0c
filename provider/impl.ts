// The installed implementation behind every dynamic provider method. Loaded at run time by the
// tiny serialized provider (dynamic.ts) in the engine's provider process, and called directly by
// the integration tests.
import { decide } from "./engine/diff";
import type { AnyKind } from "./engine/kind";
import type { Subject, Op } from "./host/run";
import { UNKNOWN, validate } from "./kinds/schemas";
import { definitions, kinds, type Kind } from "./kinds/registry";
import { hostNamespaceFailures, refuseHostNamespace } from "./host/hostns";
import { scoped } from "./host/host";
import { hostOf } from "./host/run";
import { ownerProblem, sameOwner, type Owner } from "./ownership/owner";
import { moveMarks } from "./ownership/nsmark";
import { recordRun } from "./ownership/runs";
import { grantProblem, OLD_RECOVERY_VARS, parseGrant, RECOVERY_VAR } from "./ownership/recovery";
import { idFor, secretIdFailures, secretNames } from "./engine/secrets";
import { targetedFailures } from "./engine/targeted";

export { kinds } from "./kinds/registry";

type Props = Record<string, unknown>;

/** Each warning about the recovery's variables once per provider process. */
const warned = new Set<string>();
function warnOnce(text: string): void {
    if (warned.has(text)) return;
    warned.add(text);
    process.stderr.write(`warning: ${text}\n`);
}

/**
 * Whether the recovery takes this object over (lab/recover.ts): PULUMI_NETNS_RECOVERY grants it
 * for this resource's stack (`owner`) and this one run (recovery.ts), and names it by "Kind:id"
 * or holds every namespace it lives in (`spaces`): namespaces marked by this stack that its state
 * does not record, made by a run that died before writing its state. The unscoped variables of
 * earlier releases grant nothing, with a warning.
 */
export function recoveryAdopts(kind: Kind, id: string, spaces: string[] = [], owner?: Owner): boolean {
    const old = OLD_RECOVERY_VARS.filter((v) => process.env[v]);
    if (old.length) warnOnce(`${old.join(" and ")} ${old.length > 1 ? "are" : "is"} ignored: ${old.length > 1 ? "they" : "it"} granted adoption to any stack that inherited ${old.length > 1 ? "them" : "it"}; \`npx pulumi-netns recover --stack NAME\` passes a grant scoped to one stack and one run (${RECOVERY_VAR})`);
    const { grant, problem } = parseGrant(process.env[RECOVERY_VAR]);
    if (problem) warnOnce(`${problem}: it grants nothing`);
    if (!grant) return false;
    const listed = grant.ids.includes(`${kind}:${id}`) || (spaces.length > 0 && spaces.every((s) => grant.namespaces.includes(s)));
    if (!listed) return false;
    const refused = grantProblem(grant, owner);
    if (refused) warnOnce(refused);
    return refused === undefined;
}

/** The namespaces an object lives in: a Namespace's own name, else its namespace inputs. */
function spacesOf(k: AnyKind, a: Props): string[] {
    const keys = k.kind === "Namespace" ? ["name"] : (k.namespaces as readonly string[]);
    return keys.map((key) => a[key]).filter((v): v is string => typeof v === "string");
}

/**
 * The stack that declared a resource, as the resource class passes it (`__owner`, dynamic.ts):
 * undefined when absent (a state from before marks) or not writable in a mark (check refuses it).
 */
export function ownerInput(props: Props): Owner | undefined {
    const o = props.__owner as Partial<Owner> | undefined;
    if (!o || typeof o !== "object" || typeof o.project !== "string" || typeof o.stack !== "string") return undefined;
    const owner = { project: o.project, stack: o.stack };
    return ownerProblem(owner) ? undefined : owner;
}

/** Whether the stack that declares the resource is not the one that made it (a renamed stack). */
export function ownerMoved(olds: Props, news: Props): boolean {
    const a = ownerInput(olds), b = ownerInput(news);
    return a !== undefined && b !== undefined && !sameOwner(a, b);
}

function subject(kind: Kind, op: Op, props: Props, id?: string): Subject {
    const name = typeof props.resourceName === "string" ? props.resourceName : (id ?? "?");
    const owner = ownerInput(props);
    recordRun(owner); // once per process: what the recovery ends after a SIGKILL of the CLI (runs.ts)
    return { kind, name, op, ...(owner ? { owner: { ...owner, kind, name } } : {}) };
}

/** Keeps the owner in the outputs, so that delete (which gets the stored outputs) knows it. */
function withOwner(outs: Props, props: Props): Props {
    return props.__owner === undefined ? outs : { ...outs, __owner: props.__owner };
}

/** The engine cannot store `undefined` ("Unexpected struct type"): leave such keys out. */
export function storable<T extends Props>(props: T): T {
    return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as T;
}

function strip(props: Props): Props {
    const { __provider: _p, __owner: _o, __secretInputs: _s, ...rest } = props;
    return rest;
}

/** Turns a kind's contract into the methods of a Pulumi dynamic provider. */
export function providerFor(kind: Kind) {
    // The methods are generic over the kind; here every value is a record of properties.
    type Method = (...a: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const k = kinds[kind] as unknown as AnyKind & { [m in "id" | "create" | "read" | "update" | "delete"]: Method } & { normalize?: Method };
    return {
        async check(olds: Props, news: Props) {
            recordRun(ownerInput(news));
            // The resource class's hidden inputs (dynamic.ts): which inputs are secret (secrets.ts),
            // and, in a targeted run only, the resources that depend on this one (targeted.ts).
            const { __secretInputs, __dependents, ...given } = news;
            const secret = secretNames(__secretInputs);
            const { inputs, failures } = validate(kind, given);
            // A namespace input bound to the host's own namespace is refused too (hostns.ts).
            failures.push(...(await hostNamespaceFailures(k.namespaces, given)));
            failures.push(...secretIdFailures(kind, secret));
            if (failures.length === 0) failures.push(...targetedFailures(kind, k.diff, olds, inputs as Props, __dependents));
            if (failures.length > 0) return { inputs: news, failures };
            const known = !Object.values(inputs as Props).includes(UNKNOWN);
            const checked = (k.normalize && known ? k.normalize(inputs) : inputs) as Props;
            return { inputs: secret.length ? { ...checked, __secretInputs: secret } : checked };
        },
        async diff(_id: string, olds: Props, news: Props) {
            const d = decide(k.diff, olds, news);
            // After `pulumi stack rename` the owner moved: an update in place rewrites the marks.
            return !d.changes && ownerMoved(olds, news) ? { ...d, changes: true } : d;
        },
        async create(inputs: Props) {
            const a = strip(inputs);
            // Every method that acts refuses the host's own namespace again (hostns.ts): destroy
            // and deletes never run check, and a namespace file can be re-bound after check.
            const s = subject(kind, "create", inputs);
            await refuseHostNamespace(s, k.namespaces, a);
            // The host is part of the identity (host.ts scoped): "" here, so local IDs are the kind's own.
            const id = scoped(hostOf(s).key, k.id(a));
            // An object made from a secret input gets an opaque ID (secrets.ts); recovery matches the natural one.
            const shown = idFor(kind, id, secretNames(inputs.__secretInputs));
            // Recovery from an interrupted run: an object whose create was pending when the CLI
            // died may exist, whole or half-made. Listed by id in the recovery's grant (lab/recover.ts
            // lists the pending creates of the state), or inside namespaces this stack marked but
            // did not record, it is taken over as with adopt: true (recovery.ts: one stack, one run).
            if ("adopt" in a && recoveryAdopts(kind, id, spacesOf(k, a), ownerInput(inputs))) {
                const outs = await k.create(subject(kind, "create", inputs), { ...a, adopt: true });
                return { id: shown, outs: storable(withOwner({ ...outs, adopt: a.adopt }, inputs)) };
            }
            const outs = await k.create(subject(kind, "create", inputs), a);
            return { id: shown, outs: storable(withOwner(outs, inputs)) };
        },
        async read(id: string, props: Props) {
            await refuseHostNamespace(subject(kind, "read", props, id), k.namespaces, props);
            const live = await k.read(subject(kind, "read", props, id), strip(props));
            return live === undefined ? {} : { id, props: storable(withOwner(live, props)) };
        },
        async update(_id: string, olds: Props, news: Props) {
            const s = subject(kind, "update", news);
            await refuseHostNamespace(s, k.namespaces, olds, news);
            const from = ownerMoved(olds, news) ? ownerInput(olds) : undefined;
            if (from) await moveMarks(s, kind, olds, from);
            // Only the owner moved: nothing else to change in the kernel.
            const outs = from && !decide(k.diff, olds, news).changes ? strip(olds) : await k.update(s, strip(olds), strip(news));
            return { outs: storable(withOwner(outs, news)) };
        },
        async delete(id: string, props: Props) {
            await refuseHostNamespace(subject(kind, "delete", props, id), k.namespaces, props);
            await k.delete(subject(kind, "delete", props, id), strip(props));
        },
    };
}

/** The provider of each kind, as the stored provider loads it: `require("pulumi-netns/dist/provider/impl.js").providers.KIND`. */
export const providers = Object.fromEntries(definitions.map((d) => [d.kind, providerFor(d.kind)])) as { [K in Kind]: ReturnType<typeof providerFor> };
