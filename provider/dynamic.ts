// The part of the provider that Pulumi serializes into the stack state, kept tiny on purpose.
//
// The engine stores the provider object as code with every resource and runs that stored copy
// on refresh and destroy. Each method here only loads the installed implementation by package
// name and calls it, so the state holds no absolute path and no copy of our code: after an
// upgrade, destroy and refresh run the code that is installed now. (A bare package name in the
// stored code resolves from the node_modules folders above the program directory.)
import type * as pulumi from "@pulumi/pulumi";
import type { Kind } from "./schemas";

/** Loads the installed implementation of one kind (see above). */
function installed(kind: Kind) {
    return require("pulumi-netns/dist/provider/impl.js").providers[kind];
}

export function dynamicProvider(kind: Kind): pulumi.dynamic.ResourceProvider {
    return {
        check: (olds, news) => installed(kind).check(olds, news),
        diff: (id, olds, news) => installed(kind).diff(id, olds, news),
        create: (inputs) => installed(kind).create(inputs),
        read: (id, props) => installed(kind).read(id, props),
        update: (id, olds, news) => installed(kind).update(id, olds, news),
        delete: (id, props) => installed(kind).delete(id, props),
    };
}
