// The resource classes, made from the kinds' definitions, and the part of the provider that
// Pulumi stores in the stack state, kept tiny on purpose.
//
// A Pulumi dynamic resource carries its provider as code in the `__provider` property, stored in
// its inputs and its outputs. The engine's dynamic provider host (the `pulumi-nodejs` plugin,
// @pulumi/pulumi/cmd/dynamic-provider) loads that text as a module and calls its `handler()` to
// get the provider object; it runs the stored copy on refresh and destroy.
//
// `pulumi.dynamic.Resource` makes that text with the SDK's closure serializer: for our provider
// about 1.8 KB per copy, 3.7 KB per resource, two thirds of the state. The file backend rewrites
// the whole state after every step, so every byte per resource is paid once per step of every
// `up` (BENCHMARKS.md). So the resources here write the module text themselves: one line that
// loads the installed implementation by package name. The state holds no absolute path and no
// copy of our code, and after an upgrade, destroy and refresh run the code that is installed now.
// (A bare package name in the stored code resolves from the node_modules folders above the
// program directory: a user's project has pulumi-netns installed there, and package.json's
// `exports` keeps `pulumi-netns/dist/provider/impl.js` resolvable; in this repository
// `scripts/setup.sh` links node_modules/pulumi-netns to the checkout.)
import * as pulumi from "@pulumi/pulumi";
import { on, stackChecks } from "../checks/declared";
import { LIMITS } from "./fields";
import type { AnyKind, ArgsOf, OutputsOf } from "./kind";
import { tie } from "../checks/ties";
import { requirePrivilege } from "../host/privilege";
import { hiddenInputs } from "./hidden";

/** The stored provider of one kind: a module whose `handler()` returns the kind's methods. */
export function storedProvider(kind: string): string {
    return `exports.handler = () => require("pulumi-netns/dist/provider/impl.js").providers.${kind};\n`;
}

/**
 * Why `value` (the input `path`) is too large for the engine, or undefined: a string longer than
 * LIMITS.text, a list or object with more than LIMITS.list entries (docs/reference.md, "Limits"). Values
 * inside Outputs are measured once known (inputsWithinLimits).
 */
export function oversized(value: unknown, path: string): string | undefined {
    if (typeof value === "string") {
        return value.length > LIMITS.text ? `property ${path} is ${value.length} characters long; the limit is ${LIMITS.text}` : undefined;
    }
    if (typeof value !== "object" || value === null || pulumi.Output.isInstance(value) || value instanceof Promise || pulumi.Resource.isInstance(value)) return undefined;
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length > LIMITS.list) return `property ${path} has ${entries.length} entries; the limit is ${LIMITS.list}`;
    for (const [k, v] of entries) {
        if (k.length > LIMITS.text) return `property ${path} has a key ${k.length} characters long; the limit is ${LIMITS.text}`;
        const problem = oversized(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`);
        if (problem) return problem;
    }
    return undefined;
}

/**
 * The inputs as registered: plain values are measured now (an error before anything is sent),
 * values with Outputs in them once they are known (the registration then fails with the same
 * one line, before the engine sees the value).
 */
function inputsWithinLimits(kind: string, name: string, args: Record<string, unknown>): Record<string, unknown> {
    const fail = (problem: string) => new pulumi.RunError(`${kind} "${name}": ${problem} (see "Limits" in docs/reference.md of pulumi-netns)`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
        const now = oversized(v, k);
        if (now) throw fail(now);
        out[k] = plain(v) ? v : (pulumi.output(v) as pulumi.Output<unknown>).apply((known) => {
            const problem = oversized(known, k);
            if (problem) throw fail(problem);
            return known;
        });
    }
    return out;
}

/** Whether a value holds no Output or promise (nothing to wait for). */
function plain(v: unknown): boolean {
    if (typeof v !== "object" || v === null) return true;
    if (pulumi.Output.isInstance(v) || v instanceof Promise || pulumi.Resource.isInstance(v)) return false;
    return (Array.isArray(v) ? v : Object.values(v)).every(plain);
}

/**
 * A resource served by the engine's dynamic provider host, with the same type token as
 * `pulumi.dynamic.Resource` would give it (`pulumi-nodejs:dynamic/netns:KIND`), so stacks made
 * by either keep their URNs. The one place where resources are constructed: every kind's class
 * is this one with its definition bound (resourceClass).
 */
export abstract class NetnsResource extends pulumi.CustomResource {
    constructor(def: AnyKind, name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
        // No root and no passwordless sudo: one error before anything is registered (privilege.ts).
        requirePrivilege();
        if (args.__provider !== undefined) throw new Error(`${def.kind} "${name}": __provider is reserved for the stored provider`);
        if (args.__owner !== undefined) throw new Error(`${def.kind} "${name}": __owner is reserved for the ownership marks (the stack that declares the resource)`);
        for (const hidden of ["__secretInputs", "__dependents"]) {
            if (args[hidden] !== undefined) throw new Error(`${def.kind} "${name}": ${hidden} is reserved: the resource class computes it (which inputs are secret, which resources depend on this one)`);
        }
        // Every input and every computed value is an output of the resource: a key the SDK sees
        // in the properties, undefined until the engine answers (an undefined input is not sent).
        const outputs = Object.fromEntries([...Object.keys(def.schema.shape), ...Object.keys(def.computed)].map((k) => [k, undefined]));
        // replaceWith, deletedWith, deleteBeforeReplace: what the kernel deletes along with what (ties.ts).
        const tied = tie(def.kind, args, opts);
        // __owner: the stack that declares the resource, which the provider writes into the marks of
        // what it makes (owner.ts). Listed in no kind's diff, so it never causes a change.
        const owner = { project: pulumi.getProject(), stack: pulumi.getStack() };
        const inputs = inputsWithinLimits(def.kind, name, args);
        // __secretInputs, __dependents: what the provider cannot see by itself (hidden.ts).
        const hidden = hiddenInputs(def.kind, name, args, tied.opts);
        super(`pulumi-nodejs:dynamic/netns:${def.kind}`, name, { ...outputs, resourceName: name, ...inputs, ...hidden.inputs, __owner: owner, __provider: storedProvider(def.kind) }, tied.opts);
        tied.record(this);
        hidden.record(this);
        // Whole-stack checks (duplicates, gateways): what this kind claims, from its definition.
        stackChecks().declare(this, def.kind, name, def.claims(on), args, def.schema.shape);
    }
}

/** The class of one kind: `new VethPair(name, args, opts)`, with every input and computed value as a typed output. */
export type ResourceClass<D extends AnyKind> = {
    new (name: string, args: ArgsOf<D["schema"]>, opts?: pulumi.CustomResourceOptions): NetnsResource & OutputsOf<D["schema"], D["computed"]>;
};

/** Makes the resource class of a kind from its definition. */
export function resourceClass<D extends AnyKind>(def: D): ResourceClass<D> {
    const cls = class extends NetnsResource {
        constructor(name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
            super(def, name, args, opts);
        }
    };
    Object.defineProperty(cls, "name", { value: def.kind });
    return cls as unknown as ResourceClass<D>;
}
