// The part of the provider that Pulumi stores in the stack state, kept tiny on purpose.
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
// program directory; `scripts/setup.sh` links node_modules/pulumi-netns to this repository.)
import * as pulumi from "@pulumi/pulumi";
import type { Kind } from "./schemas";
import { tie } from "./ties";

/** The stored provider of one kind: a module whose `handler()` returns the kind's methods. */
export function storedProvider(kind: Kind): string {
    return `exports.handler = () => require("pulumi-netns/dist/provider/impl.js").providers.${kind};\n`;
}

/**
 * A resource served by the engine's dynamic provider host, with the same type token as
 * `pulumi.dynamic.Resource` would give it (`pulumi-nodejs:dynamic/netns:KIND`), so stacks made
 * by either keep their URNs.
 */
export abstract class NetnsResource extends pulumi.CustomResource {
    constructor(kind: Kind, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        if (props.__provider !== undefined) throw new Error(`${kind} "${name}": __provider is reserved for the stored provider`);
        // replaceWith, deletedWith, deleteBeforeReplace: what the kernel deletes along with what (ties.ts).
        const tied = tie(kind, props, opts);
        super(`pulumi-nodejs:dynamic/netns:${kind}`, name, { ...props, __provider: storedProvider(kind) }, tied.opts);
        tied.record(this);
    }
}
