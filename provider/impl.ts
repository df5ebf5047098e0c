// The installed implementation behind every dynamic provider method. Loaded at run time by the
// tiny serialized provider (dynamic.ts) in the engine's provider process, and called directly by
// the integration tests.
import { decide } from "./diff";
import type { AnyKind } from "./kind";
import type { Subject, Op } from "./run";
import { UNKNOWN, validate } from "./schemas";
import { definitions, kinds, type Kind } from "./registry";
import { hostNamespaceFailures } from "./hostns";
import { ownerProblem, sameOwner, type Owner } from "./owner";
import { moveMarks } from "./nsmark";

export { kinds } from "./registry";

type Props = Record<string, unknown>;

function jsonList(raw: string | undefined): unknown[] {
    if (!raw) return [];
    try {
        const v = JSON.parse(raw) as unknown;
        return Array.isArray(v) ? v : [];
    } catch {
        return [];
    }
}

/**
 * Whether the recovery takes this object over: PULUMI_NETNS_ADOPT_IDS (a JSON list of "Kind:id")
 * names it, or PULUMI_NETNS_ADOPT_NAMESPACES (a JSON list of namespace names) holds every
 * namespace it lives in (`spaces`): namespaces marked by this stack that its state does not
 * record, made by a run that died before writing its state (lab/recover.ts).
 */
export function recoveryAdopts(kind: Kind, id: string, spaces: string[] = []): boolean {
    if (jsonList(process.env.PULUMI_NETNS_ADOPT_IDS).includes(`${kind}:${id}`)) return true;
    const adopted = jsonList(process.env.PULUMI_NETNS_ADOPT_NAMESPACES);
    return spaces.length > 0 && spaces.every((s) => adopted.includes(s));
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
    const { __provider: _p, __owner: _o, ...rest } = props;
    return rest;
}

/** Turns a kind's contract into the methods of a Pulumi dynamic provider. */
export function providerFor(kind: Kind) {
    // The methods are generic over the kind; here every value is a record of properties.
    type Method = (...a: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const k = kinds[kind] as unknown as AnyKind & { [m in "id" | "create" | "read" | "update" | "delete"]: Method } & { normalize?: Method };
    return {
        async check(_olds: Props, news: Props) {
            const { inputs, failures } = validate(kind, news);
            // A namespace input bound to the host's own namespace is refused too (hostns.ts).
            failures.push(...hostNamespaceFailures(k.namespaces, news));
            if (failures.length > 0) return { inputs: news, failures };
            const known = !Object.values(inputs as Props).includes(UNKNOWN);
            return { inputs: (k.normalize && known ? k.normalize(inputs) : inputs) as Props };
        },
        async diff(_id: string, olds: Props, news: Props) {
            const d = decide(k.diff, olds, news);
            // After `pulumi stack rename` the owner moved: an update in place rewrites the marks.
            return !d.changes && ownerMoved(olds, news) ? { ...d, changes: true } : d;
        },
        async create(inputs: Props) {
            const a = strip(inputs);
            const id = k.id(a);
            // Recovery from an interrupted run: an object whose create was pending when the CLI
            // died may exist, whole or half-made. Listed by id in PULUMI_NETNS_ADOPT_IDS (lab/recover.ts
            // lists the pending creates of the state), or inside namespaces this stack marked but
            // did not record (PULUMI_NETNS_ADOPT_NAMESPACES), it is taken over as with adopt: true.
            if ("adopt" in a && recoveryAdopts(kind, id, spacesOf(k, a))) {
                const outs = await k.create(subject(kind, "create", inputs), { ...a, adopt: true });
                return { id, outs: storable(withOwner({ ...outs, adopt: a.adopt }, inputs)) };
            }
            const outs = await k.create(subject(kind, "create", inputs), a);
            return { id, outs: storable(withOwner(outs, inputs)) };
        },
        async read(id: string, props: Props) {
            const live = await k.read(subject(kind, "read", props, id), strip(props));
            return live === undefined ? {} : { id, props: storable(withOwner(live, props)) };
        },
        async update(_id: string, olds: Props, news: Props) {
            const s = subject(kind, "update", news);
            const from = ownerMoved(olds, news) ? ownerInput(olds) : undefined;
            if (from) await moveMarks(s, kind, olds, from);
            // Only the owner moved: nothing else to change in the kernel.
            const outs = from && !decide(k.diff, olds, news).changes ? strip(olds) : await k.update(s, strip(olds), strip(news));
            return { outs: storable(withOwner(outs, news)) };
        },
        async delete(id: string, props: Props) {
            await k.delete(subject(kind, "delete", props, id), strip(props));
        },
    };
}

/** The provider of each kind, as the stored provider loads it: `require("pulumi-netns/dist/provider/impl.js").providers.KIND`. */
export const providers = Object.fromEntries(definitions.map((d) => [d.kind, providerFor(d.kind)])) as { [K in Kind]: ReturnType<typeof providerFor> };
